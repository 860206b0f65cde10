"""The indicator catalogue: declarative definitions loaded from TOML, validated and described.

A formula is a sum of terms over warehouse keys (taakveld, categorie, kant), optionally divided by
another sum or by the population; see the header of catalogue.toml for the grammar. Domain terms
are expanded here, so the computation only ever sees plain keys.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import process

from schouders.errors import SchoudersError
from schouders.indicators.domains import Domains, load_domains
from schouders.indicators.tomlfile import packaged, read_toml, require, string_list

# Bump when the computation of an unchanged definition changes: it invalidates every cached value.
ENGINE_VERSION = "2"  # 2: growth across herindelingen on the boundaries of the year

KINDS = ("verhouding", "per_inwoner", "bedrag", "groei", "realisatie")
UNITS = ("%", "EUR/inw", "EUR", "%-mutatie")
DIRECTIONS = ("hoger_beter", "lager_beter", "neutraal")
FACTORS = ("hulpbronnen", "samenwerking", "autonomie", "motivatie")
THEMES = ("bedrijfsvoering", "lasten", "samenwerking", "autonomie", "reserves", "realisatie",
          "ontwikkeling")
SOURCES = ("iv3_fact", "bevolking", "iv3_balans", "prijsindex")
BALANCE_COLUMNS = ("eigen_vermogen", "balanstotaal")
SIDES = ("lasten", "baten")
EURO_UNITS = ("EUR", "EUR/inw")

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
TAAKVELD_PATTERN = re.compile(r"^(\*|\d|\d\.\d{1,3}[a-z]?)$")
CATEGORIE_PATTERN = re.compile(r"^(\*|\d|\d(\.\d){1,2}|1\.1\+3\.5\.1)$")


@dataclass(frozen=True, order=True)
class Key:
    """One warehouse key: iv3_fact rows with this taakveld, categorie and kant."""

    taakveld: str
    categorie: str
    kant: str

    @property
    def label(self) -> str:
        return f"{self.taakveld}|{self.categorie}|{self.kant}"


@dataclass(frozen=True)
class Term:
    sign: int
    key: Key | None = None
    balans: str | None = None

    def canonical(self) -> list[Any]:
        return [self.sign, self.key.label if self.key else f"balans:{self.balans}"]


@dataclass(frozen=True)
class Formula:
    soort: str
    teller: tuple[Term, ...]
    noemer: tuple[Term, ...] = ()
    per_inwoner: bool = False     # divide by inhabitants (per_inwoner, or groei of a per-capita X)
    schaal: float = 1.0
    teller_tekst: tuple[str, ...] = ()
    noemer_tekst: tuple[str, ...] = ()

    @property
    def keys(self) -> set[Key]:
        return {term.key for term in (*self.teller, *self.noemer) if term.key is not None}

    @property
    def balance_columns(self) -> set[str]:
        return {term.balans for term in (*self.teller, *self.noemer) if term.balans is not None}

    def canonical(self) -> dict[str, Any]:
        return {"soort": self.soort, "teller": [t.canonical() for t in self.teller],
                "noemer": [t.canonical() for t in self.noemer], "per_inwoner": self.per_inwoner,
                "schaal": self.schaal}


@dataclass(frozen=True)
class Range:
    """The values an indicator can take (catalogue ``bereik``); outside it a value is a data
    anomaly, flagged and left out of peer statistics and ranks, with the reason why."""

    min: float | None
    max: float | None
    reden: str

    def contains(self, value: float) -> bool:
        if value != value:  # NaN: no value, no anomaly
            return True
        return ((self.min is None or value >= self.min)
                and (self.max is None or value <= self.max))

    @property
    def text(self) -> str:
        if self.min is not None and self.max is not None:
            return f"van {_plain(self.min)} tot en met {_plain(self.max)}"
        if self.min is not None:
            return f"{_plain(self.min)} of meer"
        return f"{_plain(self.max)} of minder"


def _plain(value: float | None) -> str:
    return "" if value is None else f"{value:g}".replace(".", ",")


def parse_range(entry: object, where: str) -> Range | None:
    if entry is None:
        return None
    if not isinstance(entry, dict) or not set(entry) <= {"min", "max", "reden"}:
        raise SchoudersError(f"{where}: bereik moet een tabel zijn met min en/of max en reden.")
    bounds: dict[str, float | None] = {}
    for name in ("min", "max"):
        value = entry.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise SchoudersError(f"{where}: bereik.{name} is geen getal.")
        bounds[name] = None if value is None else float(value)
    reden = entry.get("reden")
    if not isinstance(reden, str) or not reden.strip():
        raise SchoudersError(f"{where}: bereik zonder reden.",
                             "Zeg in bereik.reden waarom een waarde daarbuiten onmogelijk is.")
    if bounds["min"] is None and bounds["max"] is None:
        raise SchoudersError(f"{where}: bereik zonder min of max.")
    return Range(bounds["min"], bounds["max"], reden)


@dataclass(frozen=True)
class Indicator:
    code: str
    naam: str
    name: str
    beschrijving: str
    thema: str
    eenheid: str
    richting: str
    factor: str
    bronnen: tuple[str, ...]
    formule: Formula
    kanttekeningen: tuple[str, ...] = ()
    bbv: bool = False
    bereik: Range | None = None

    @property
    def definition_hash(self) -> str:
        """Hash of everything that determines the values and positions (not of names or
        descriptions); the plausible range decides which values are ranked."""
        content: dict[str, Any] = {"engine": ENGINE_VERSION, "formule": self.formule.canonical()}
        if self.bereik is not None:
            content["bereik"] = [self.bereik.min, self.bereik.max]
        payload = json.dumps(content, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def possible(self, value: float) -> bool:
        """False for a value outside the indicator's possible range (a data anomaly)."""
        return self.bereik is None or self.bereik.contains(value)

    @property
    def deflatable(self) -> bool:
        """Whether 'real euros' apply: amounts in euros and year-on-year changes of amounts."""
        return self.eenheid in EURO_UNITS or self.formule.soort == "groei"


@dataclass(frozen=True)
class Catalogue:
    indicators: dict[str, Indicator]
    domains: Domains
    source: str
    _hashes: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._hashes.update({code: ind.definition_hash for code, ind in self.indicators.items()})

    def rankable(self, frame: Any) -> Any:
        """Rows of a frame (columns indicator, waarde) whose value may be compared with peers:
        a value outside its indicator's ``bereik`` is a data anomaly, not a position."""
        import numpy as np

        keep = np.ones(len(frame), dtype=bool)
        if not len(frame):
            return frame
        indicators = frame["indicator"].astype(str).to_numpy()
        values = frame["waarde"].to_numpy(dtype=float)
        for code, indicator in self.indicators.items():
            if indicator.bereik is None:
                continue
            rows = indicators == code
            if rows.any():
                keep[rows] = [indicator.bereik.contains(value) for value in values[rows]]
        return frame[keep]

    def get(self, code: str) -> Indicator:
        if code not in self.indicators:
            raise unknown_indicator(code, list(self.indicators))
        return self.indicators[code]

    def select(self, codes: list[str] | tuple[str, ...] | None) -> list[Indicator]:
        if codes is None:
            return list(self.indicators.values())
        return [self.get(code) for code in codes]

    @property
    def hashes(self) -> dict[str, str]:
        return dict(self._hashes)


def unknown_indicator(code: str, known: list[str]) -> SchoudersError:
    close = [match for match, score, _ in process.extract(code, known, limit=3) if score >= 60]
    hint = ("Bedoelde u: " + ", ".join(close) + "? " if close else "") + (
        "Zie 'schouders indicators' voor de lijst.")
    return SchoudersError(f"Onbekende indicator: {code!r}.", hint)


def load_catalogue(path: Path | None = None, domains_path: Path | None = None) -> Catalogue:
    """Load and validate the catalogue (structure only; codes are checked against the warehouse
    by :func:`schouders.indicators.validate.validate_catalogue`)."""
    path = path or packaged("catalogue.toml")
    domains = load_domains(domains_path)
    data = read_toml(path)
    entries = data.get("indicator")
    if not isinstance(entries, list) or not entries:
        raise SchoudersError(f"{path}: geen [[indicator]]-tabellen gevonden.")
    indicators: dict[str, Indicator] = {}
    for number, entry in enumerate(entries, start=1):
        indicator = parse_indicator(entry, f"{path}: indicator nr. {number}", domains)
        if indicator.code in indicators:
            raise SchoudersError(f"{path}: indicatorcode '{indicator.code}' komt twee keer voor.")
        indicators[indicator.code] = indicator
    return Catalogue(indicators, domains, str(path))


def parse_indicator(entry: dict[str, Any], where: str, domains: Domains) -> Indicator:
    code = require(entry, "code", where)
    if not CODE_PATTERN.match(code):
        raise SchoudersError(f"{where}: code '{code}' mag alleen kleine letters, cijfers en _ "
                             "bevatten en moet met een letter beginnen.")
    where = f"{where} ('{code}')"
    choices = {"thema": THEMES, "eenheid": UNITS, "richting": DIRECTIONS, "factor": FACTORS}
    chosen = {}
    for name, allowed in choices.items():
        value = require(entry, name, where)
        if value not in allowed:
            raise SchoudersError(f"{where}: {name} '{value}' is ongeldig.",
                                 f"Kies uit: {', '.join(allowed)}.")
        chosen[name] = value
    bronnen = string_list(entry, "bronnen", where, required=True)
    for bron in bronnen:
        if bron not in SOURCES:
            raise SchoudersError(f"{where}: onbekende bron '{bron}'.",
                                 f"Kies uit: {', '.join(SOURCES)}.")
    bbv = entry.get("bbv", False)
    if not isinstance(bbv, bool):
        raise SchoudersError(f"{where}: bbv moet true of false zijn.")
    formule = parse_formula(require(entry, "formule", where, dict), where, domains)
    return Indicator(
        code=code, naam=require(entry, "naam", where), name=require(entry, "name", where),
        beschrijving=require(entry, "beschrijving", where), thema=chosen["thema"],
        eenheid=chosen["eenheid"], richting=chosen["richting"], factor=chosen["factor"],
        bronnen=bronnen, formule=formule,
        kanttekeningen=string_list(entry, "kanttekeningen", where), bbv=bbv,
        bereik=parse_range(entry.get("bereik"), where))


def parse_formula(entry: dict[str, Any], where: str, domains: Domains) -> Formula:
    where = f"{where}, formule"
    soort = require(entry, "soort", where)
    if soort not in KINDS:
        raise SchoudersError(f"{where}: soort '{soort}' is ongeldig.",
                             f"Kies uit: {', '.join(KINDS)}.")
    known = {"soort", "teller", "noemer", "schaal", "per_inwoner"}
    unknown = set(entry) - known
    if unknown:
        raise SchoudersError(f"{where}: onbekende velden {', '.join(sorted(unknown))}.")
    teller_text = string_list(entry, "teller", where, required=True)
    if not teller_text:
        raise SchoudersError(f"{where}: de teller is leeg.")
    teller = tuple(term for text in teller_text for term in parse_term(text, where, domains))
    raw_noemer = entry.get("noemer")
    per_inwoner = soort == "per_inwoner" or bool(entry.get("per_inwoner", False))
    noemer: tuple[Term, ...] = ()
    noemer_text: tuple[str, ...] = ()
    if soort == "verhouding":
        if raw_noemer == "inwoners" or raw_noemer is None:
            raise SchoudersError(f"{where}: een verhouding heeft een noemer (lijst met termen) "
                                 "nodig; gebruik soort = \"per_inwoner\" voor per inwoner.")
        noemer_text = string_list(entry, "noemer", where, required=True)
        noemer = tuple(term for text in noemer_text for term in parse_term(text, where, domains))
    elif raw_noemer is not None and not (soort == "per_inwoner" and raw_noemer == "inwoners"):
        raise SchoudersError(f"{where}: soort '{soort}' heeft geen noemer.")
    if "per_inwoner" in entry and soort != "groei":
        raise SchoudersError(f"{where}: per_inwoner = true kan alleen bij soort 'groei'.")
    default_scale = {"verhouding": 1.0, "per_inwoner": 1000.0, "bedrag": 1000.0}.get(soort, 100.0)
    schaal = entry.get("schaal", default_scale)
    if isinstance(schaal, bool) or not isinstance(schaal, int | float) or schaal <= 0:
        raise SchoudersError(f"{where}: schaal moet een positief getal zijn.")
    if soort in ("groei", "realisatie") and float(schaal) != 100.0:
        raise SchoudersError(f"{where}: groei en realisatie zijn altijd procenten (schaal 100).")
    return Formula(soort, teller, noemer, per_inwoner, float(schaal), teller_text, noemer_text)


def parse_term(text: str, where: str, domains: Domains) -> list[Term]:
    """'0.4|*|lasten', '-0.7|4.3.1|baten', 'domein:fysiek|*|lasten' or 'balans:balanstotaal'."""
    raw = text.strip()
    sign = -1 if raw.startswith("-") else 1
    body = raw[1:].strip() if sign < 0 else raw
    if body.startswith("balans:"):
        column = body.removeprefix("balans:")
        if column not in BALANCE_COLUMNS:
            raise SchoudersError(f"{where}: onbekende balanspost '{column}'.",
                                 f"Kies uit: {', '.join(BALANCE_COLUMNS)}.")
        return [Term(sign, balans=column)]
    parts = [part.strip() for part in body.split("|")]
    if len(parts) != 3:
        raise SchoudersError(f"{where}: term '{text}' heeft niet de vorm taakveld|categorie|kant.",
                             "Voorbeeld: \"0.4|*|lasten\" of \"domein:fysiek|*|lasten\".")
    taakveld, categorie, kant = parts
    if kant not in SIDES:
        raise SchoudersError(f"{where}: term '{text}': kant moet lasten of baten zijn.")
    if not CATEGORIE_PATTERN.match(categorie):
        raise SchoudersError(f"{where}: term '{text}': '{categorie}' is geen categoriecode.")
    if taakveld.startswith("domein:"):
        domain = domains.get(taakveld.removeprefix("domein:"), f"{where}: term '{text}'")
        return [Term(sign, key=Key(code, categorie, kant)) for code in domain.taakvelden]
    if not TAAKVELD_PATTERN.match(taakveld):
        raise SchoudersError(f"{where}: term '{text}': '{taakveld}' is geen taakveldcode.")
    return [Term(sign, key=Key(taakveld, categorie, kant))]


def describe_terms(texts: tuple[str, ...]) -> str:
    parts = []
    for index, text in enumerate(texts):
        raw = text.strip()
        negative = raw.startswith("-")
        body = raw[1:] if negative else raw
        prefix = "− " if negative else ("+ " if index else "")
        parts.append(prefix + describe_term(body))
    return " ".join(parts)


def describe_term(body: str) -> str:
    if body.startswith("balans:"):
        return body.removeprefix("balans:").replace("_", " ")
    taakveld, categorie, kant = (part.strip() for part in body.split("|"))
    if taakveld.startswith("domein:"):
        where = f"domein {taakveld.removeprefix('domein:')}"
    elif taakveld == "*":
        where = "alle taakvelden (zonder 0.10/0.11)"
    elif taakveld.isdigit():
        where = f"hoofdtaakveld {taakveld}"
    else:
        where = f"taakveld {taakveld}"
    what = "alle categorieën" if categorie == "*" else f"categorie {categorie}"
    return f"{kant} {where}, {what}"


def describe_formula(indicator: Indicator) -> str:
    """The formula in words (Dutch), for listings and documentation."""
    formula = indicator.formule
    teller = describe_terms(formula.teller_tekst)
    scale = "" if formula.schaal == 1 else f" × {formula.schaal:g}"
    if formula.soort == "verhouding":
        return f"({teller}) / ({describe_terms(formula.noemer_tekst)}){scale}"
    if formula.soort == "per_inwoner":
        return f"({teller}) × {formula.schaal:g} / inwoners op 1 januari"
    if formula.soort == "bedrag":
        return f"({teller}){scale}"
    quantity = f"({teller})" + (" / inwoners" if formula.per_inwoner else "")
    if formula.soort == "groei":
        return f"(X[jaar] / X[jaar − 1] − 1) × 100, X = {quantity}, zelfde document"
    return f"(X[jaarrekening] / X[begroting] − 1) × 100, X = {quantity}, zelfde jaar"
