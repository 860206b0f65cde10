"""Query parameters shared by the pages and the API, validated before any lookup."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from schouders.web.security import MAX_YEAR, MIN_YEAR

Year = Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR, description="Jaar (bijv. 2024)",
                                   examples=[2024])]
ReferenceYear = Annotated[int | None, Query(
    ge=MIN_YEAR, le=MAX_YEAR, examples=[2024],
    description="Peiljaar: toon de reeksen op de gemeentegrenzen van dit jaar (herindelingen "
                "opgeteld). Leeg: de indeling van elk jaar zelf.")]
Document = Annotated[Literal["begroting", "jaarrekening"] | None, Query(
    description="begroting of jaarrekening (standaard jaarrekening)", examples=["jaarrekening"])]
Peers = Annotated[str | None, Query(
    max_length=64, pattern=r"^[A-Za-z0-9 _\-]{1,64}$", examples=["grootteklasse"],
    description="Vergelijkingsgroep: grootteklasse, provincie, alle, of een benoemde groep "
                "(G4, 'casusgemeenten 2020').")]
Prices = Annotated[Literal["nominaal", "reeel"] | None, Query(
    description="nominaal (standaard) of reeel (prijzen van het laatste CPI-jaar)",
    examples=["reeel"])]
