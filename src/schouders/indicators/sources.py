"""Which relations the computation reads: the warehouse tables, or a harmonised stand-in.

Relation names are the only identifiers put into generated SQL; they must match a strict pattern
(a whitelist of the SQL identifier grammar) and exist on the connection before they are used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import duckdb

from schouders.errors import SchoudersError

RELATION_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62}){0,2}$")
FACT_COLUMNS = ("gm_code", "jaar", "document", "taakveld", "categorie", "kant", "bedrag")


@dataclass(frozen=True)
class Sources:
    """Relation names. facts must have the iv3_fact columns, population (gm_code, jaar, inwoners),
    balance (gm_code, jaar, document, eigen_vermogen, balanstotaal) or None when unavailable."""

    facts: str = "iv3_fact"
    population: str = "bevolking"
    balance: str | None = "iv3_balans"
    codes: str = "iv3_code"
    prices: str = "prijsindex"
    municipalities: str = "gemeente_jaar"
    # herindelingen: growth compares a year with the previous year *on the boundaries of the
    # year itself* (predecessors summed); None when the facts are already on one year's
    # boundaries (the harmonised stand-ins)
    mergers: str | None = "herindeling"

    @classmethod
    def attached(cls, alias: str) -> Sources:
        """The warehouse tables of a database attached under ``alias``."""
        checked = relation(alias)
        return cls(*(f"{checked}.{name}" for name in (
            "iv3_fact", "bevolking", "iv3_balans", "iv3_code", "prijsindex", "gemeente_jaar",
            "herindeling")))

    @classmethod
    def harmonised(cls) -> Sources:
        """The temporary tables of schouders.warehouse.harmonise.register_harmonised."""
        return replace(cls(), facts="hm_fact", population="hm_bevolking", balance=None,
                       mergers=None)

    def check(self, con: duckdb.DuckDBPyConnection) -> None:
        for name in (self.facts, self.population, self.balance, self.codes, self.prices,
                     self.municipalities, self.mergers):
            if name is not None:
                check_exists(con, name)
        columns = [row[0] for row in con.execute(
            f"SELECT * FROM {relation(self.facts)} LIMIT 0").description]
        missing = [column for column in FACT_COLUMNS if column not in columns]
        if missing:
            raise SchoudersError(f"Feitenbron {self.facts} mist kolommen: {', '.join(missing)}.",
                                 "Een feitenbron heeft dezelfde kolommen als iv3_fact.")


def relation(name: str) -> str:
    if not RELATION_PATTERN.match(name):
        raise SchoudersError(f"Ongeldige tabelnaam {name!r}.",
                             "Gebruik een gewone naam als iv3_fact of wh.iv3_fact.")
    return name


def check_exists(con: duckdb.DuckDBPyConnection, name: str) -> None:
    try:
        con.execute(f"SELECT * FROM {relation(name)} LIMIT 0")
    except duckdb.CatalogException:
        raise SchoudersError(f"Tabel {name} bestaat niet in het warehouse.",
                             "Bouw het warehouse opnieuw met 'schouders build'.") from None
