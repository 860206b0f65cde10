"""Response models of the REST API (they document the OpenAPI schema, with examples)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Value = float | str | None
VALUE_DOC = "Waarde; de tekst 'ontbreekt' als de gemeente het document niet leverde (nooit 0)."


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ErrorBody(Model):
    status: int = Field(examples=[404])
    fout: str = Field(examples=["Onbekende gemeente: 'GM9999'"])
    hint: str | None = Field(default=None, examples=["Bedoelde u: Altena (GM1959)?"])
    suggesties: list[dict[str, str]] = Field(default_factory=list)


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Ongeldige keuze (bijv. een jaar zonder cijfers)"},
    404: {"model": ErrorBody, "description": "Onbekende gemeente of indicator, met suggesties"},
    422: {"model": ErrorBody, "description": "Ongeldige parameter"},
    429: {"model": ErrorBody, "description": "Te veel verzoeken"},
    503: {"model": ErrorBody, "description": "Nog geen warehouse: draai 'schouders build'"},
}


class MunicipalityMatch(Model):
    gm_code: str = Field(examples=["GM0363"])
    naam: str = Field(examples=["Amsterdam"])
    provincie: str | None = Field(default=None, examples=["Noord-Holland"])
    bestaat: bool = Field(description="Bestaat de gemeente nog (niet opgeheven)?")
    score: float = Field(description="Overeenkomst met de zoekterm, 0-100", examples=[100.0])
    laatste_jaar: int | None = Field(default=None, description="Laatste jaar (opgeheven)")


class IndicatorDefinition(Model):
    code: str = Field(examples=["inhuur_pct"])
    naam: str = Field(examples=["Externe inhuur als percentage van loonsom plus inhuur"])
    thema: str = Field(examples=["bedrijfsvoering"])
    eenheid: str = Field(examples=["%"])
    richting: str = Field(examples=["lager_beter"])
    bbv: bool
    formule: str
    bronnen: list[str] = Field(examples=[["iv3_fact"]])


class IndicatorDetail(IndicatorDefinition):
    beschrijving: str
    kanttekeningen: list[str]
    factor: str
    soort: str
    verdeling: Distribution


class MunicipalityValue(Model):
    gm_code: str
    naam: str
    provincie: str
    waarde: float | None = Field(description="Leeg als de gemeente geen waarde heeft")


class DistributionSummary(Model):
    gemeenten: int
    met_waarde: int
    zonder_waarde: int
    mediaan: float | None
    minimum: float | None
    maximum: float | None


class Distribution(Model):
    indicator: dict[str, str]
    keuzes: dict[str, Any] = Field(examples=[{"jaar": 2024, "document": "jaarrekening",
                                              "prijzen": "nominaal"}])
    samenvatting: DistributionSummary
    per_provincie: list[dict[str, Any]]
    gemeenten: list[MunicipalityValue]


class PositionRow(Model):
    indicator: str = Field(examples=["overhead_pct"])
    naam: str
    eenheid: str
    waarde: Value = Field(description=VALUE_DOC, examples=[10.4])
    mediaan: float | None = Field(description="Mediaan van de vergelijkingsgroep")
    percentiel: float | None = Field(description="Deel van de groep met een lagere waarde")
    z_score: float | None
    rang: int | None = Field(description="1 = hoogste waarde in de groep")
    n: int = Field(description="Gemeenten in de groep met een waarde")
    jaar: int
    document: str
    prijzen: str
    bronnen: list[str]
    formule: str


class Signal(Model):
    code: str
    naam: str
    uitleg: str
    indicatoren: list[str] = Field(default_factory=list)


class TrendRow(Model):
    jaar: int
    reeks: str
    indicator: str
    nominaal: float | None
    reeel: float | None


class BudgetRow(Model):
    jaar: int
    begroting: Value = Field(description=VALUE_DOC)
    jaarrekening: Value = Field(description=VALUE_DOC)
    verschil_pct: float | None


class Delivery(Model):
    jaar: int
    document: str
    status: str = Field(examples=["geleverd", "ontbreekt"])
    reden: str | None


class Profile(Model):
    gemeente: dict[str, Any] = Field(examples=[{"gm_code": "GM0363", "naam": "Amsterdam",
                                                "provincie": "Noord-Holland",
                                                "inwoners": 931298}])
    keuzes: dict[str, Any]
    levering: dict[str, Any]
    groep: dict[str, Any]
    toelichting: list[str] = Field(default_factory=list,
                                   description="Hoe de vergelijking is gemaakt (in het Nederlands)")
    kerncijfers: list[PositionRow]
    signalen: list[Signal]
    trends: list[TrendRow]
    definitiebreuken: list[dict[str, Any]]
    begroting_vs_jaarrekening: list[BudgetRow]
    leveringen: list[Delivery]
    herindelingen: list[str]
    bron: str = "CBS (CC BY 4.0), bewerking Schouders"


class Comparison(Model):
    gemeenten: list[dict[str, str]] = Field(
        examples=[[{"gm_code": "GM0363", "naam": "Amsterdam"},
                   {"gm_code": "GM0599", "naam": "Rotterdam"}]])
    groep: str | None
    keuzes: dict[str, Any]
    tabel: list[dict[str, Any]] = Field(
        description="Per indicator de waarde per GM-code (leeg: geen waarde)")
    trend: dict[str, Any]
    bron: str = "CBS (CC BY 4.0), bewerking Schouders"


class NationalRow(Model):
    jaar: int
    klasse: int | None = Field(description="Grootteklasse (0-7); leeg = Nederland")
    klasse_label: str
    reeks: str = Field(examples=["lasten_fysiek"])
    reeks_label: str
    mutatie_pct: float = Field(description="Mutatie ten opzichte van vorig jaar (%)")
    gemeenten: int | None


class NationalPicture(Model):
    document: str
    trends: list[NationalRow]
    bron: str = "CBS (CC BY 4.0), bewerking Schouders"


class Source(Model):
    onderdeel: str
    bron: str
    tabel: str | None
    locatie: str
    opgehaald_op: str | None
    rijen: int
    sha256: str | None


class ProvenanceBody(Model):
    warehouse: dict[str, str]
    bronnen: list[Source]
    licentie: str
    citeren: str


IndicatorDetail.model_rebuild()
