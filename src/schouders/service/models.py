"""The typed results of the service facade: one model per page.

Each model is at once the context of the page's HTML template, its ``.json`` twin and the
response schema of its ``/api`` route (OpenAPI). Numbers are numbers: an absent value is
``None`` and the reason sits beside it in ``leeg`` (field name -> :data:`Status`). Display words
("ontbreekt", "hoger is beter") are made by the renderers, never here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SOURCE_NOTE = "bron: CBS (CC BY 4.0), bewerking Schouders"

Status = Literal["ontbreekt", "geen_prijsindex", "geen_waarde", "niet_van_toepassing"]
STATUS_DOC = (
    "Waarom een waarde leeg is, per veldnaam: 'ontbreekt' (de gemeente leverde het document "
    "niet of alleen met nullen aan het CBS), 'geen_prijsindex' (geen CPI voor dat jaar, dus "
    "geen reëel bedrag), 'geen_waarde' (ontbrekende gegevens of noemer nul), "
    "'niet_van_toepassing'. Een leeg bedrag is nooit 0."
)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(Model):
    status: int = Field(examples=[404])
    fout: str = Field(examples=["Onbekende gemeente: 'GM9999'"])
    hint: str | None = Field(default=None, examples=["Bedoelde u: Altena (GM1959)?"])
    suggesties: list[dict[str, str]] = Field(default_factory=list)


# -- municipalities --------------------------------------------------------------------------


class MunicipalityMatch(Model):
    gm_code: str = Field(examples=["GM0363"])
    naam: str = Field(examples=["Amsterdam"])
    provincie: str | None = Field(default=None, examples=["Noord-Holland"])
    bestaat: bool = Field(description="Bestaat de gemeente nog (niet opgeheven)?")
    score: float = Field(description="Overeenkomst met de zoekterm, 0-100", examples=[100.0])
    laatste_jaar: int | None = Field(default=None, description="Laatste jaar (opgeheven)")


class MunicipalityInfo(Model):
    gm_code: str = Field(examples=["GM0363"])
    naam: str = Field(examples=["Amsterdam"])
    provincie: str | None = None
    inwoners: float | None = Field(description="Inwoners op 1 januari van het gekozen jaar")
    bestaat: bool
    laatste_jaar: int | None = None


class Delivery(Model):
    jaar: int
    document: str
    status: str = Field(examples=["geleverd", "ontbreekt"])
    reden: str | None = None


class DeliveryStatus(Model):
    status: str = Field(examples=["geleverd", "ontbreekt", "geen"])
    reden: str | None = None


# -- profile ---------------------------------------------------------------------------------


class Choices(Model):
    jaar: int
    document: str
    peers: str
    peiljaar: int | None = None
    reeel: bool = False
    query: str = Field(description="Querystring die deze keuzes vastlegt (deeplink)")


class PeerGroupInfo(Model):
    code: str
    naam: str
    leden: list[str]
    aantal: int
    met_cijfers: int | None = Field(
        default=None, description="Leden met cijfers voor dit jaar en document (de grootste n "
        "van de kerncijfers); kan kleiner zijn dan aantal als niet iedereen leverde")


class PositionRow(Model):
    indicator: str = Field(examples=["overhead_pct"])
    naam: str
    eenheid: str
    richting: str = Field(description="hoger_beter, lager_beter of neutraal")
    waarde: float | None = Field(examples=[10.4])
    mediaan: float | None = Field(description="Mediaan van de vergelijkingsgroep")
    percentiel: float | None = Field(description="Deel van de groep met een lagere waarde")
    z_score: float | None
    rang: int | None = Field(description="1 = hoogste waarde in de groep")
    n: int = Field(description="Gemeenten in de groep met een waarde")
    jaar: int
    document: str
    prijzen: Literal["nominaal", "reeel"]
    bronnen: list[str]
    formule: str
    groep_waarden: list[float] = Field(
        default_factory=list, description="Waarden van de andere gemeenten in de groep")
    leeg: dict[str, Status] = Field(default_factory=dict, description=STATUS_DOC)


class Signal(Model):
    code: str
    naam: str
    uitleg: str
    jaar: int | None = None
    document: str | None = None
    indicatoren: list[str] = Field(default_factory=list)
    cijfers: Any = None
    regel: str | None = None


class TrendRow(Model):
    jaar: int
    reeks: str
    indicator: str
    nominaal: float | None
    reeel: float | None
    leeg: dict[str, Status] = Field(default_factory=dict, description=STATUS_DOC)


class Change(Model):
    soort: str
    aantal: int
    codes: str


class DefinitionBreak(Model):
    jaar: int
    label: str
    label_en: str
    wijzigingen: list[Change]


class BudgetRow(Model):
    jaar: int
    begroting: float | None = Field(description="Totale lasten in de begroting (euro)")
    jaarrekening: float | None = Field(description="Totale lasten in de jaarrekening (euro)")
    verschil_pct: float | None
    leeg: dict[str, Status] = Field(default_factory=dict, description=STATUS_DOC)


class LatestNote(Model):
    jaar: int = Field(description="Nieuwste jaar met cijfers van andere gemeenten")
    getoond: int = Field(description="Jaar dat getoond wordt")


class ProfileOptions(Model):
    jaren: dict[str, list[int]]
    documenten: list[str]
    groepen: list[tuple[str, str]]
    peiljaren: list[int]


class ProfilePage(Model):
    gemeente: MunicipalityInfo
    keuzes: Choices
    levering: DeliveryStatus
    groep: PeerGroupInfo
    toelichting: list[str] = Field(
        default_factory=list, description="Hoe de vergelijking is gemaakt (in het Nederlands)")
    kerncijfers: list[PositionRow]
    signalen: list[Signal]
    trends: list[TrendRow]
    basisjaar: int | None = Field(description="Prijspeil van de reële bedragen (CPI-jaar)")
    definitiebreuken: list[DefinitionBreak]
    begroting_vs_jaarrekening: list[BudgetRow]
    leveringen: list[Delivery]
    herindelingen: list[str]
    opties: ProfileOptions
    nieuwste_ontbreekt: LatestNote | None = None
    bron: str = SOURCE_NOTE


# -- compare ---------------------------------------------------------------------------------


class CompareChoices(Model):
    jaar: int
    document: str
    prijzen: Literal["nominaal", "reeel"]
    indicator: str


class CompareRow(Model):
    indicator: str
    naam: str
    eenheid: str
    waarden: dict[str, float | None] = Field(
        description="Waarde per GM-code (leeg: geen waarde)")


class ComparePoint(Model):
    jaar: int
    reeks: str
    gm_code: str
    v: float


class CompareTrend(Model):
    indicator: str
    naam: str
    eenheid: str
    rijen: list[ComparePoint]


class CompareOptions(Model):
    groepen: list[str]
    indicatoren: list[tuple[str, str]]
    jaren: list[int]


class NamedCode(Model):
    gm_code: str
    naam: str


class ComparePage(Model):
    gemeenten: list[NamedCode] = Field(
        examples=[[{"gm_code": "GM0363", "naam": "Amsterdam"},
                   {"gm_code": "GM0599", "naam": "Rotterdam"}]])
    groep: str | None
    groep_naam: str | None
    keuzes: CompareChoices
    tabel: list[CompareRow]
    trend: CompareTrend
    opties: CompareOptions
    bron: str = SOURCE_NOTE


# -- indicators ------------------------------------------------------------------------------


class IndicatorDefinition(Model):
    code: str = Field(examples=["inhuur_pct"])
    naam: str = Field(examples=["Externe inhuur als percentage van loonsom plus inhuur"])
    thema: str = Field(examples=["bedrijfsvoering"])
    eenheid: str = Field(examples=["%"])
    richting: str = Field(examples=["lager_beter"])
    bbv: bool
    formule: str
    bronnen: list[str] = Field(examples=[["iv3_fact"]])


class IndicatorLabel(Model):
    code: str
    naam: str
    eenheid: str


class DistributionChoices(Model):
    jaar: int
    document: str
    prijzen: Literal["nominaal", "reeel"]


class DistributionSummary(Model):
    gemeenten: int
    met_waarde: int
    zonder_waarde: int
    mediaan: float | None
    minimum: float | None
    maximum: float | None


class ProvinceMedian(Model):
    groep: str
    mediaan: float
    n: int


class MunicipalityValue(Model):
    gm_code: str
    naam: str
    provincie: str
    waarde: float | None = Field(description="Leeg als de gemeente geen waarde heeft")
    leeg: dict[str, Status] = Field(default_factory=dict, description=STATUS_DOC)


class MapInfo(Model):
    beschikbaar: bool
    jaar: int | None = Field(default=None, description="Jaar van de gemeentegrenzen")
    bron: str | None = None


class Distribution(Model):
    indicator: IndicatorLabel
    keuzes: DistributionChoices
    samenvatting: DistributionSummary
    per_provincie: list[ProvinceMedian]
    gemeenten: list[MunicipalityValue]
    kaart: MapInfo


class SourceTable(Model):
    tabel: str
    omschrijving: str


class IndicatorPage(Model):
    code: str
    naam: str
    name: str
    beschrijving: str
    formule: str
    soort: str
    eenheid: str
    richting: str
    thema: str
    factor: str
    bbv: bool
    kanttekeningen: list[str]
    bronnen: list[SourceTable]
    reeel_mogelijk: bool
    verdeling: Distribution
    jaren: list[int]
    bron: str = SOURCE_NOTE


# -- national --------------------------------------------------------------------------------


class NationalRow(Model):
    jaar: int
    klasse: int | None = Field(description="Grootteklasse (0-7); leeg = Nederland")
    klasse_label: str
    reeks: str = Field(examples=["lasten_fysiek"])
    reeks_label: str
    mutatie_pct: float = Field(description="Mutatie ten opzichte van vorig jaar (%)")
    gemeenten: int | None


class NationalOptions(Model):
    indicatoren: list[tuple[str, str]]
    jaren: list[int]


class NationalPage(Model):
    document: str
    trends: list[NationalRow]
    toelichting: str
    definitiebreuken: list[DefinitionBreak]
    verdeling: Distribution
    kaartjaren: list[int]
    opties: NationalOptions
    bron: str = SOURCE_NOTE


# -- provenance ------------------------------------------------------------------------------


class Source(Model):
    onderdeel: str
    bron: str
    tabel: str | None
    locatie: str
    opgehaald_op: str | None
    rijen: int
    sha256: str | None
    opmerking: str | None = None


class ProvenancePage(Model):
    warehouse: dict[str, str]
    bronnen: list[Source]
    licentie: str
    citeren: str
    bron: str = SOURCE_NOTE
