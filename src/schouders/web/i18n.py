"""Dutch user interface with an English switch (``?lang=en`` or the ``lang`` cookie).

Templates write Dutch text and wrap it in ``t(...)``; :data:`ENGLISH` maps that Dutch text to
English. A missing translation falls back to Dutch (a test checks that none is missing).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.requests import Request

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
NBSP = "\u00a0"  # keeps '€ 1.234' and '12,3 %' on one line
COOKIE = "lang"


def language_of(request: Request) -> str:
    """The language asked for in the query string, else the cookie, else Dutch."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Translator:
    lang: str
    # English texts besides ENGLISH, e.g. an instrument's own (its pages share this shell).
    catalogue: Mapping[str, str] | None = None

    def english(self, text: str) -> str | None:
        if self.catalogue is not None and text in self.catalogue:
            return self.catalogue[text]
        return ENGLISH.get(text)

    def __call__(self, text: str, **values: object) -> str:
        translated = (self.english(text) or text) if self.lang == "en" else text
        return translated.format(**values) if values else translated

    def pick(self, dutch: str | None, english: str | None) -> str:
        """Choose between a Dutch and an English field (e.g. an indicator's naam/name)."""
        if self.lang == "en" and english:
            return english
        return dutch or english or ""

    def number(self, value: object, decimals: int = 0) -> str:
        """1234567.8 -> '1.234.568' (nl) or '1,234,568' (en); missing -> '–'."""
        if not _is_number(value):
            return "–"
        text = f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]
        if self.lang == "nl":
            text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return text

    def value(self, value: object, unit: str | None) -> str:
        """A value with its unit: '12,3 %', '€ 1.234 per inwoner', '€ 12,3 mln'."""
        if isinstance(value, str):
            return self(value)
        if not _is_number(value):
            return "–"
        number = float(value)  # type: ignore[arg-type]
        if unit in ("%", "%-mutatie", "procent"):
            return f"{self.number(number, 1)}{NBSP}%"
        if unit == "EUR/inw":
            return f"€{NBSP}{self.number(number, 0)}"
        if unit == "EUR":
            if abs(number) >= 1e9:
                return f"€{NBSP}{self.number(number / 1e9, 2)}{NBSP}{self('mld')}"
            if abs(number) >= 1e6:
                return f"€{NBSP}{self.number(number / 1e6, 1)}{NBSP}{self('mln')}"
            return f"€{NBSP}{self.number(number, 0)}"
        return self.number(number, 2)

    def unit(self, unit: str | None) -> str:
        return self(UNIT_LABELS.get(unit or "", unit or ""))

    def message(self, text: str | None) -> str:
        """An error message or hint with values in it ('Geen jaarrekening voor het jaar 2010.'):
        a whole-text translation, else the first matching pattern of :data:`MESSAGES`, else
        the text as it is (engine texts stay Dutch)."""
        if not text or self.lang != "en":
            return text or ""
        whole = self.english(text)
        if whole is not None:
            return whole
        for pattern, english in MESSAGES:
            match = pattern.fullmatch(text)
            if match:
                return english.format(**{key: self.message(value) if key == "rest" else value
                                         for key, value in match.groupdict().items()})
        return text


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return not math.isnan(number) and not math.isinf(number)


UNIT_LABELS = {
    "%": "procent",
    "%-mutatie": "procentuele verandering",
    "EUR/inw": "euro per inwoner",
    "EUR": "euro",
}

ENGLISH: dict[str, str] = {
    "Kies een ruimere peergroep, bijv. de meest gelijkende gemeenten (knn) of de provincie.":
        "Choose a wider peer group, e.g. the most similar municipalities (knn) or the province.",
    # units and small words
    "procent": "percent",
    "procentuele verandering": "percentage change",
    "euro per inwoner": "euro per inhabitant",
    "euro": "euro",
    "mld": "bn",
    "mln": "m",
    "ontbreekt": "missing",
    "prijsindex nog niet beschikbaar": "price index not yet available",
    "geleverd": "delivered",
    "onvolledig": "incomplete",
    "concept": "draft",
    "begroting": "budget",
    "jaarrekening": "annual accounts",
    "nominaal": "nominal",
    "reëel": "real",
    "hoger is beter": "higher is better",
    "lager is beter": "lower is better",
    "geen voorkeursrichting": "no preferred direction",
    "ja": "yes",
    "nee": "no",
    # layout
    "Naar de inhoud": "Skip to content",
    "Hoofdmenu": "Main menu",
    "Start": "Home",
    "Gemeente": "Municipality",
    "Vergelijken": "Compare",
    "Landelijk beeld": "National picture",
    "Indicatoren": "Indicators",
    "Instrumenten": "Instruments",
    "Over en methode": "About and method",
    "API": "API",
    "Taal": "Language",
    "Nederlands": "Dutch",
    "English": "English",
    "Schouders: uitvoeringskracht van gemeenten": "Schouders: the delivery capacity of "
    "Dutch municipalities",
    "Bron: CBS (open data, CC BY 4.0), bewerking Schouders.":
        "Source: Statistics Netherlands (CBS, open data, CC BY 4.0), processed by Schouders.",
    "Deze pagina als": "This page as",
    "Warehouse gebouwd op {datum} uit {bron}.": "Warehouse built on {datum} from {bron}.",
    # start
    "Hoe sterk zijn de schouders van uw gemeente?": "How strong are your municipality's "
    "shoulders?",
    "Zoek een gemeente": "Find a municipality",
    "Naam of GM-code": "Name or GM code",
    "Zoeken": "Search",
    "Bijvoorbeeld Amsterdam, GM0363, Den Haag of Sudwest Fryslan.":
        "For example Amsterdam, GM0363, Den Haag or Sudwest Fryslan.",
    "Zoekresultaten voor “{q}”": "Search results for “{q}”",
    "Geen gemeente gevonden voor “{q}”.": "No municipality found for “{q}”.",
    "opgeheven": "dissolved",
    "Om mee te beginnen": "To start with",
    "Recent bekeken": "Recently viewed",
    "Casusgemeenten 2020": "Case municipalities 2020",
    "Wat laat deze monitor zien?": "What does this monitor show?",
    # profile
    "Gemeenteprofiel": "Municipality profile",
    "Provincie": "Province",
    "Inwoners": "Inhabitants",
    "Inwoners op 1 januari {jaar}": "Inhabitants on 1 January {jaar}",
    "Keuzes": "Choices",
    "Jaar": "Year",
    "Document": "Document",
    "Vergelijkingsgroep": "Peer group",
    "Peiljaar (gemeentelijke indeling)": "Reference year (municipal boundaries)",
    "Prijzen": "Prices",
    "Toon": "Show",
    "Kerncijfers en positie tussen vergelijkbare gemeenten":
        "Key figures and position among peers",
    "Indicator": "Indicator",
    "Waarde": "Value",
    "Mediaan groep": "Peer median",
    "Percentiel": "Percentile",
    "Rang": "Rank",
    "z-score": "z-score",
    "Positie": "Position",
    "Richting": "Direction",
    "Signalen": "Signals",
    "Geen signalen voor deze keuzes.": "No signals for these choices.",
    "Ontwikkeling per domein": "Trend per domain",
    "Begroting en jaarrekening": "Budget and annual accounts",
    "Leveringen aan CBS": "Deliveries to CBS",
    "Herindelingen": "Municipal mergers",
    "Toon als tabel": "Show as table",
    "Grafiek": "Chart",
    "Tabel bij de grafiek": "Table for the chart",
    "Definitiebreuken": "Definitional breaks",
    "Herkomst van de cijfers": "Provenance of the figures",
    "Domein": "Domain",
    "Lasten per inwoner": "Expenditure per inhabitant",
    "Lasten (x € 1 mln)": "Expenditure (x € 1 m)",
    "prijspeil {jaar}": "{jaar} prices",
    "Vergelijk met andere gemeenten": "Compare with other municipalities",
    "Vergelijk met de vergelijkingsgroep": "Compare with the peer group",
    "{naam} tussen {n} gemeenten ({groep})": "{naam} among {n} municipalities ({groep})",
    "{naam} tussen {n} gemeenten ({groep}), van wie {m} met cijfers":
        "{naam} among {n} municipalities ({groep}), {m} of them with figures",
    "groep": "group",
    "Alle gemeenten": "All municipalities",
    "Grootteklasse": "Size class",
    "Stedelijkheid": "Urbanisation",
    "Dezelfde provincie": "Same province",
    "Meest gelijkende gemeenten": "Most similar municipalities",
    "Verschil": "Difference",
    "Bron": "Source",
    "Formule": "Formula",
    "Status": "Status",
    "Reden": "Reason",
    "Opgeteld uit": "Summed from",
    "Bedrag": "Amount",
    # compare
    "Gemeenten vergelijken": "Compare municipalities",
    "Gemeenten (GM-codes of namen, gescheiden door komma's, maximaal {n})":
        "Municipalities (GM codes or names, separated by commas, at most {n})",
    "of een groep": "or a group",
    "geen": "none",
    "Tabel": "Table",
    "Kleine veelvouden": "Small multiples",
    "Ontwikkeling van {indicator}": "Trend of {indicator}",
    "Kies twee tot tien gemeenten of een groep.": "Choose two to ten municipalities or a group.",
    # national
    "Landelijke ontwikkeling: fysiek domein, totaal en inflatie":
        "National trend: physical domain, total and inflation",
    "Per grootteklasse": "Per size class",
    "Kaart": "Map",
    "Verdeling per provincie": "Distribution per province",
    "Mutatie ten opzichte van vorig jaar": "Change on previous year",
    "Reeks": "Series",
    "Totale lasten": "Total expenditure",
    "Lasten fysiek domein": "Physical-domain expenditure",
    "Consumentenprijsindex (CPI)": "Consumer price index (CPI)",
    # indicator page
    "Definitie": "Definition",
    "Eenheid": "Unit",
    "Kanttekeningen": "Caveats",
    "Brontabellen": "Source tables",
    "Verdeling over alle gemeenten": "Distribution over all municipalities",
    "Thema": "Theme",
    "Factor": "Factor",
    "BBV-indicator": "BBV indicator",
    "Alle indicatoren": "All indicators",
    "Aantal gemeenten met een waarde": "Municipalities with a value",
    "Mediaan": "Median",
    "Minimum": "Minimum",
    "Maximum": "Maximum",
    # about
    "Over Schouders": "About Schouders",
    "Bronnen en ophaaldatum": "Sources and retrieval dates",
    "Onderdeel": "Part",
    "Tabel (CBS)": "Table (CBS)",
    "Locatie": "Location",
    "Opgehaald op": "Retrieved on",
    "Rijen": "Rows",
    "Licentie en citeren": "Licence and citation",
    "Leveringen per jaar": "Deliveries per year",
    # errors
    "Pagina niet gevonden": "Page not found",
    "Gemeente niet gevonden": "Municipality not found",
    "Bedoelde u:": "Did you mean:",
    "Ongeldige invoer": "Invalid input",
    "Er ging iets mis": "Something went wrong",
    "Niet ingelogd": "Not logged in",
    "Geen toegang": "No access",
    "Conflict": "Conflict",
    "Nog geen gegevens": "No data yet",
    "Te veel verzoeken": "Too many requests",
    "Probeer het over een minuut opnieuw.": "Please try again in a minute.",
    "Ga naar de startpagina": "Go to the home page",
    "Er ging aan onze kant iets mis. De fout is vastgelegd; probeer het later opnieuw.":
        "Something went wrong on our side. The error has been logged; please try again later.",
    "Deze pagina bestaat niet.": "This page does not exist.",
    "Deze methode is hier niet toegestaan.": "This method is not allowed here.",
    "Fout in het verzoek.": "Error in the request.",
    "Controleer de waarden in de adresregel of het formulier.":
        "Check the values in the address bar or the form.",
    "Te veel verzoeken; probeer het over een minuut opnieuw.":
        "Too many requests; please try again in a minute.",
    "format moet html, json of csv zijn": "format must be html, json or csv",
    "Kies begroting of jaarrekening.": "Choose begroting (budget) or jaarrekening (accounts).",
    "Prijzen moet 'nominaal' of 'reeel' zijn.": "Prices must be 'nominaal' or 'reeel'.",
    "Kies er minder, of gebruik een vergelijkingsgroep.": "Choose fewer, or use a peer group.",
    "Kies een ander peiljaar, of geen peiljaar (indeling van elk jaar).":
        "Choose another reference year, or none (each year's division).",
    "Het warehouse bevat nog geen Iv3-cijfers.": "The warehouse holds no Iv3 figures yet.",
    "Bouw het opnieuw met 'schouders build'.": "Build it again with 'schouders build'.",
    "Er is nog geen warehouse.": "There is no warehouse yet.",
    "Bouw het eerst met 'schouders build' (live CBS) of 'schouders build --data-dir PAD' "
    "(lokale snapshot) en laad de pagina opnieuw.":
        "Build it first with 'schouders build' (live CBS) or 'schouders build --data-dir PATH' "
        "(local snapshot) and reload the page.",
    # sentences built in Python (chart descriptions) and longer template texts
    "Alle bedragen komen uit de Iv3-leveringen van de gemeente aan het CBS ({document} {jaar}), "
    "inwoners uit CBS-tabel 03759ned, prijzen uit CBS 86141NED (CPI). De formule en brontabellen "
    "van elke indicator staan op de indicatorpagina; de bronbestanden met ophaaldatum op de "
    "pagina Over en methode.":
        "All amounts come from the municipality's Iv3 deliveries to CBS ({document} {jaar}), "
        "inhabitants from CBS table 03759ned, prices from CBS 86141NED (CPI). The formula and "
        "source tables of every indicator are on its indicator page; the source files with "
        "their retrieval dates on the page About and method.",
    "De ruit is de gemeente, de grijze streepjes zijn de andere gemeenten in de groep, de zwarte "
    "streep is de mediaan.":
        "The diamond is the municipality, the grey ticks are the other municipalities in the "
        "group, the black tick is the median.",
    "Deze gemeente heeft dit document niet (of alleen met nullen) aan het CBS geleverd. De "
    "waarden staan hieronder als “ontbreekt”, niet als nul.":
        "This municipality did not deliver this document to CBS (or only zeros). Its values "
        "are shown below as “missing”, not as zero.",
    "Elke grafiek toont één indicator; de tabel hierboven bevat dezelfde cijfers.":
        "Each chart shows one indicator; the table above holds the same figures.",
    "Elke indicator heeft een definitie, een formule over Iv3-taakvelden en -categorieën, een "
    "eenheid, een richting en kanttekeningen. Een richting is geen norm.":
        "Every indicator has a definition, a formula over Iv3 task fields and categories, a "
        "unit, a direction and caveats. A direction is not a norm.",
    "Er is geen kaart: de gegevensmap bevat geen gemeentegrenzen (geometrie) voor {jaar}. In "
    "plaats van een nagemaakte kaart staat hieronder elke gemeente als stip, per provincie; de "
    "tabel noemt alle gemeenten van hoog naar laag.":
        "There is no map: the data directory holds no municipal boundaries (geometry) for "
        "{jaar}. Instead of a fake map, every municipality is shown below as a dot, per "
        "province; the table lists all municipalities from high to low.",
    "Grenzen zijn er wel voor": "Boundaries are available for",
    "Indicator voor de ontwikkeling": "Indicator for the trend",
    "Kaart van {indicator}, {jaar}.": "Map of {indicator}, {jaar}.",
    "Lasten per inwoner per domein in de {document}, nominaal en reëel (gedeeld door de CPI, "
    "prijzen van {jaar}). Een stippellijn markeert een definitiebreuk: vanaf dat jaar zijn "
    "taakvelden gesplitst of hernoemd.":
        "Expenditure per inhabitant per domain in the {document}, nominal and real (divided by "
        "the CPI, {jaar} prices). A dashed line marks a definitional break: from that year on, "
        "task fields were split or renamed.",
    "Lasten per inwoner per domein, {soort}, {document}, {van}–{tot}.":
        "Expenditure per inhabitant per domain, {soort}, {document}, {van}–{tot}.",
    "Mutatie ten opzichte van vorig jaar in procenten ({groep}, {document}): totale lasten, "
    "lasten fysiek domein en CPI.":
        "Change on the previous year in percent ({groep}, {document}): total expenditure, "
        "physical-domain expenditure and CPI.",
    "Ontwikkeling": "Trend",
    "Percentiel {p}.": "Percentile {p}.",
    "Percentiel: het deel van de groep met een lagere waarde. Rang 1 is de hoogste waarde. Een "
    "positie is geen oordeel: lees de kanttekeningen op de indicatorpagina.":
        "Percentile: the share of the group with a lower value. Rank 1 is the highest value. A "
        "position is not a verdict: read the caveats on the indicator page.",
    "Totale lasten van {naam} per jaar in de begroting en de jaarrekening (nominaal, miljoenen "
    "euro).":
        "Total expenditure of {naam} per year in the budget and the annual accounts (nominal, "
        "millions of euros).",
    "Voor {jaar} zijn er van deze gemeente geen cijfers ({document}); getoond wordt {getoond}.":
        "There are no figures of this municipality for {jaar} ({document}); showing {getoond}.",
    "definitiebreuk": "definitional break",
    "geen: indeling van elk jaar": "none: each year's own boundaries",
    "mediaan van {groep}: {mediaan} ({n} gemeenten).":
        "median of {groep}: {mediaan} ({n} municipalities).",
    "op de grenzen van {jaar}": "on the boundaries of {jaar}",
    "per provincie": "per province",
    "{indicator} in {jaar} ({document}) voor {n} gemeenten.":
        "{indicator} in {jaar} ({document}) for {n} municipalities.",
    "{indicator} per gemeente, gegroepeerd per provincie ({document} {jaar}); de zwarte streep "
    "is de mediaan van de provincie.":
        "{indicator} per municipality, grouped by province ({document} {jaar}); the black tick "
        "is the province's median.",
    "{naam}: geen waarde voor {indicator};": "{naam}: no value for {indicator};",
    "{naam}: {waarde};": "{naam}: {waarde};",
    # API page
    "Antwoorden": "Responses",
    "Naam": "Name",
    "Parameters": "Parameters",
    "Plaats": "In",
    "Type": "Type",
    "Uitleg": "Description",
    "Verplicht": "Required",
    "Voorbeeld": "Example",
}


# Error messages and hints with values in them (from the web layer and the most common engine
# errors). ``rest`` is translated again, so a prefix can wrap another message.
MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern, re.S), english) for pattern, english in [
        (r"Ongeldige invoer: (?P<rest>.*)", "Invalid input: {rest}"),
        (r"Onbekende gemeente: (?P<naam>.*)", "Unknown municipality: {naam}"),
        (r"Onbekende indicator (?P<code>'.*')\.", "Unknown indicator {code}."),
        (r"Bedoelde u: (?P<lijst>.*)\? Zie /indicatoren\.",
         "Did you mean: {lijst}? See /indicatoren."),
        (r"Bedoelde u: (?P<lijst>.*)\?", "Did you mean: {lijst}?"),
        (r"Te veel gemeenten: (?P<n>\d+) \(maximaal (?P<max>\d+)\)\.",
         "Too many municipalities: {n} (at most {max})."),
        (r"Onbekende groep (?P<groep>'.*')\.", "Unknown group {groep}."),
        (r"Kies een van: (?P<lijst>.*)\.", "Choose one of: {lijst}."),
        (r"Onbekende vergelijkingsgroep (?P<groep>'.*')\.", "Unknown peer group {groep}."),
        (r"Kies een groep uit de lijst: (?P<lijst>.*)\.",
         "Choose a group from the list: {lijst}."),
        (r"Onbekend document (?P<doc>'.*')\.", "Unknown document {doc}."),
        (r"Geen begroting voor het jaar (?P<jaar>\d+)\.", "No budget for the year {jaar}."),
        (r"Geen jaarrekening voor het jaar (?P<jaar>\d+)\.",
         "No annual accounts for the year {jaar}."),
        (r"Kies een jaar met cijfers \((?P<span>.*)\)\.", "Choose a year with figures ({span})."),
        (r"Geen gemeentelijke indeling voor peiljaar (?P<jaar>\d+)\.",
         "No municipal division for reference year {jaar}."),
        (r"Kies een peiljaar tussen (?P<van>\d+) en (?P<tot>\d+)\.",
         "Choose a reference year between {van} and {tot}."),
        (r"(?P<naam>.*) bestond niet in peiljaar (?P<jaar>\d+)\.",
         "{naam} did not exist in reference year {jaar}."),
    ]
]

