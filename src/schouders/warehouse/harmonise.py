"""Municipal series on the boundaries of a reference year (herindelingen).

Every code that existed in some year is mapped to the code(s) that hold its territory in the
reference year, following the CBS succession table; a split municipality is divided by the share
of inhabitants that went to each successor (CBS ``aandeel_inwoners``). Amounts and inhabitants of
predecessors are summed and per-inhabitant values recomputed from the sums. If any predecessor's
delivery is missing for a year, the harmonised value for that year is missing too (status
'onvolledig'), never a partial sum; when the municipality's own delivery is missing (or every
predecessor's), the status is 'ontbreekt'.

Mid-year herindelingen (rule, see docs/data.md): a municipality dissolved during year Y (date not
1 January; Weesp joined Amsterdam on 24 March 2022) delivers no jaarrekening for Y: its accounts
for Y are part of the successor's, which covers the dissolved territory from the merger date. Its
missing delivery for Y therefore does not make the successor's year incomplete: the successor's
own delivery stands for the merged territory (status 'geleverd', the predecessor named in
``opgenomen``). A delivery that the dissolved municipality did make for Y (Weesp's begroting 2022)
is summed as usual. Inhabitants on 1 January of Y are those of both, so per-inhabitant values of
such a year are slightly low (Weesp: about 0.2 % of Amsterdam, for the months before the merger).

Limits: boundary corrections between municipalities that both continue (grenswijzigingen) are
not applied; for years *after* the reference year only unchanged municipalities can be shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from schouders.errors import SchoudersError


def latest_year(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT max(jaar) FROM gemeente_jaar").fetchall()[0][0])


def check_reference_year(con: duckdb.DuckDBPyConnection, reference_year: int | None) -> int:
    years = [
        row[0]
        for row in con.execute("SELECT DISTINCT jaar FROM gemeente_jaar ORDER BY jaar").fetchall()
    ]
    if reference_year is None:
        return years[-1]
    if reference_year not in years:
        raise SchoudersError(
            f"Geen gemeentelijke indeling voor peiljaar {reference_year}.",
            f"Kies een peiljaar tussen {years[0]} en {years[-1]}.",
        )
    return reference_year


def code_mapping(con: duckdb.DuckDBPyConnection, reference_year: int | None = None) -> pd.DataFrame:
    """van_code -> naar_code with aandeel, for every code that existed up to the reference year."""
    reference_year = check_reference_year(con, reference_year)
    existing = {
        row[0]
        for row in con.execute(
            "SELECT gm_code FROM gemeente_jaar WHERE jaar = ?", [reference_year]
        ).fetchall()
    }
    all_codes = [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT gm_code FROM gemeente_jaar WHERE jaar <= ?", [reference_year]
        ).fetchall()
    ]
    edges: dict[str, list[tuple[str, float]]] = {}
    for old, new, share in con.execute(
        "SELECT oude_gm_code, nieuwe_gm_code, aandeel FROM herindeling WHERE jaar <= ? "
        "ORDER BY datum",
        [reference_year],
    ).fetchall():
        edges.setdefault(old, []).append((new, float(share)))

    def successors(code: str, depth: int = 0) -> dict[str, float]:
        if code in existing or depth > 20:
            return {code: 1.0} if code in existing else {}
        result: dict[str, float] = {}
        targets = edges.get(code, [])
        total = sum(share for _, share in targets) or 1.0
        for new, share in targets:
            for final, part in successors(new, depth + 1).items():
                result[final] = result.get(final, 0.0) + part * share / total
        return result

    rows = [(code, final, share) for code in all_codes for final, share in successors(code).items()]
    return pd.DataFrame(rows, columns=["van_code", "naar_code", "aandeel"])


def register_harmonised(con: duckdb.DuckDBPyConnection, reference_year: int | None = None) -> int:
    """Create temporary tables hm_map, hm_bevolking, hm_levering and hm_fact on the connection.

    hm_fact has the same columns as iv3_fact, keyed on reference-year codes; hm_levering gives per
    (gm_code, jaar, document) the status geleverd | onvolledig | ontbreekt, the number of
    predecessors, the missing ones (``ontbrekend``) and those dissolved during the year whose
    accounts are in the successor's delivery (``opgenomen``).
    """
    reference_year = check_reference_year(con, reference_year)
    mapping = code_mapping(con, reference_year)
    con.register("hm_mapping_frame", mapping)
    con.execute("CREATE OR REPLACE TEMP TABLE hm_map AS SELECT * FROM hm_mapping_frame")
    con.unregister("hm_mapping_frame")
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE hm_bevolking AS
        SELECT m.naar_code AS gm_code, b.jaar, sum(b.inwoners * m.aandeel) AS inwoners
        FROM bevolking b JOIN hm_map m ON m.van_code = b.gm_code
        GROUP BY ALL
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE hm_levering AS
        WITH tussentijds AS (
            -- dissolved during a year (not on 1 January): that year's accounts are the
            -- successor's (module docstring)
            SELECT DISTINCT oude_gm_code AS gm_code, year(datum) AS jaar, nieuwe_gm_code,
                   strftime(datum, '%d-%m-%Y') AS datum
            FROM herindeling
            WHERE soort = 'opheffing' AND NOT (month(datum) = 1 AND day(datum) = 1)
        ), rij AS (
            SELECT m.naar_code AS gm_code, l.jaar, l.document, l.gm_code AS van_code,
                   l.status = 'geleverd' AS geleverd,
                   l.status <> 'geleverd' AND t.gm_code IS NOT NULL
                       AND t.nieuwe_gm_code = m.naar_code AS opgenomen,
                   t.datum
            FROM iv3_levering l JOIN hm_map m ON m.van_code = l.gm_code
            LEFT JOIN tussentijds t ON t.gm_code = l.gm_code AND t.jaar = l.jaar
        )
        SELECT gm_code, jaar, document,
               CASE WHEN bool_and(geleverd OR opgenomen) AND bool_or(geleverd)
                        THEN 'geleverd'
                    WHEN NOT bool_or(geleverd)
                         OR bool_or(NOT geleverd AND NOT opgenomen AND van_code = gm_code)
                        THEN 'ontbreekt'
                    ELSE 'onvolledig' END AS status,
               count(*) AS voorgangers,
               string_agg(CASE WHEN NOT geleverd AND NOT opgenomen THEN van_code END, ', '
                          ORDER BY van_code) AS ontbrekend,
               string_agg(CASE WHEN opgenomen THEN van_code || ' (opgegaan op ' || datum || ')'
                          END, ', ' ORDER BY van_code) AS opgenomen
        FROM rij
        GROUP BY ALL
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE hm_fact AS
        SELECT m.naar_code AS gm_code, f.jaar, f.document, f.taakveld, f.categorie, f.kant,
               sum(f.bedrag * m.aandeel) AS bedrag
        FROM iv3_fact f
        JOIN hm_map m ON m.van_code = f.gm_code
        JOIN hm_levering l ON l.gm_code = m.naar_code AND l.jaar = f.jaar
             AND l.document = f.document AND l.status = 'geleverd'
        GROUP BY ALL
        """
    )
    return reference_year


@dataclass(frozen=True)
class HarmonisedSeries:
    gm_code: str
    reference_year: int
    values: pd.DataFrame  # jaar, bedrag, inwoners, per_inwoner_eur, status, voorgangers,
    # ontbrekend, opgenomen
    predecessors: pd.DataFrame  # van_code, naam, aandeel
    breaks: pd.DataFrame  # definitional breaks that touch this series


def harmonised_series(
    con: duckdb.DuckDBPyConnection,
    gm_code: str,
    *,
    reference_year: int | None = None,
    document: str = "jaarrekening",
    taakveld: str = "*",
    categorie: str = "*",
    kant: str = "lasten",
) -> HarmonisedSeries:
    reference_year = register_harmonised(con, reference_year)
    known = con.execute("SELECT count(*) FROM hm_map WHERE naar_code = ?", [gm_code]).fetchall()[0]
    if not known[0]:
        raise SchoudersError(
            f"{gm_code} bestond niet in peiljaar {reference_year}.",
            "Kies een gemeente die in het peiljaar bestond, of een ander peiljaar.",
        )
    values = con.execute(
        """
        SELECT l.jaar, f.bedrag, b.inwoners,
               f.bedrag * 1000 / nullif(b.inwoners, 0) AS per_inwoner_eur,
               l.status, l.voorgangers, l.ontbrekend, l.opgenomen
        FROM hm_levering l
        LEFT JOIN hm_fact f ON f.gm_code = l.gm_code AND f.jaar = l.jaar
             AND f.document = l.document AND f.taakveld = ? AND f.categorie = ? AND f.kant = ?
        LEFT JOIN hm_bevolking b ON b.gm_code = l.gm_code AND b.jaar = l.jaar
        WHERE l.gm_code = ? AND l.document = ?
        ORDER BY l.jaar
        """,
        [taakveld, categorie, kant, gm_code, document],
    ).df()
    predecessors = con.execute(
        """
        SELECT m.van_code, g.naam, m.aandeel FROM hm_map m
        JOIN gemeente g ON g.gm_code = m.van_code
        WHERE m.naar_code = ? ORDER BY m.van_code
        """,
        [gm_code],
    ).df()
    return HarmonisedSeries(
        gm_code, reference_year, values, predecessors, breaks_for(con, taakveld)
    )


def breaks_for(con: duckdb.DuckDBPyConnection, taakveld: str) -> pd.DataFrame:
    """Definitional breaks that touch a taakveld (or, for totals, any taakveld)."""
    if taakveld in ("*",) or taakveld.isdigit():
        prefix = "" if taakveld == "*" else f"{taakveld}."
        return con.execute(
            "SELECT * FROM definitiebreuk WHERE codelijst = 'taakveld' "
            "AND (code = '*' OR starts_with(code, ?)) ORDER BY jaar, code",
            [prefix],
        ).df()
    return con.execute(
        "SELECT * FROM definitiebreuk WHERE codelijst = 'taakveld' "
        "AND (code = '*' OR starts_with(code, ?) OR starts_with(?, code)) ORDER BY jaar, code",
        [taakveld, taakveld],
    ).df()
