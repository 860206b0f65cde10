"""Basic facts of one municipality, straight from the warehouse."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

MISSING = "ontbreekt"


@dataclass(frozen=True)
class BasicFacts:
    gm_code: str
    provincie: str | None
    years: pd.DataFrame  # jaar, inwoners, begroting, jaarrekening (amount or 'ontbreekt')
    herindelingen: list[str]  # human-readable lines


def basic_facts(con: duckdb.DuckDBPyConnection, gm_code: str) -> BasicFacts:
    provincie = con.execute(
        "SELECT provincie_naam FROM gemeente WHERE gm_code = ?", [gm_code]
    ).fetchone()
    years = con.execute(
        """
        SELECT g.jaar, b.inwoners,
               max(CASE WHEN l.document = 'begroting' THEN
                   CASE WHEN l.status = 'geleverd' THEN f.bedrag::VARCHAR ELSE ? END END)
                   AS begroting,
               max(CASE WHEN l.document = 'jaarrekening' THEN
                   CASE WHEN l.status = 'geleverd' THEN f.bedrag::VARCHAR ELSE ? END END)
                   AS jaarrekening
        FROM gemeente_jaar g
        LEFT JOIN bevolking b USING (gm_code, jaar)
        LEFT JOIN iv3_levering l USING (gm_code, jaar)
        LEFT JOIN iv3_fact f ON f.gm_code = l.gm_code AND f.jaar = l.jaar
             AND f.document = l.document AND f.taakveld = '*' AND f.categorie = '*'
             AND f.kant = 'lasten'
        WHERE g.gm_code = ?
        GROUP BY g.jaar, b.inwoners ORDER BY g.jaar
        """,
        [MISSING, MISSING, gm_code],
    ).df()
    for column in ("begroting", "jaarrekening"):
        years[column] = years[column].map(_as_amount)
    lines = herindeling_lines(con, gm_code)
    return BasicFacts(gm_code, provincie[0] if provincie else None, years, lines)


def herindeling_lines(con: duckdb.DuckDBPyConnection, gm_code: str) -> list[str]:
    """The herindelingen a municipality took part in, one readable Dutch line each."""
    events = con.execute(
        """
        SELECT datum, soort, oude_gm_code, oude_gm_naam, nieuwe_gm_code, nieuwe_gm_naam, aandeel
        FROM herindeling WHERE oude_gm_code = ? OR nieuwe_gm_code = ? ORDER BY datum
        """,
        [gm_code, gm_code],
    ).fetchall()
    lines = []
    for datum, soort, old, old_name, new, new_name, share in events:
        share_text = "" if share >= 0.999 else f" (deels: {share:.0%} van de inwoners)"
        verb = "hernoemd tot" if soort == "naamswijziging_met_nieuwe_code" else "opgegaan in"
        lines.append(f"{datum:%d-%m-%Y}: {old_name} ({old}) {verb} {new_name} ({new}){share_text}")
    return lines


def _as_amount(value: object) -> object:
    if value is None or value == MISSING:
        return value
    return float(str(value))
