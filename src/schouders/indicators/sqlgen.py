"""Generate the one-pass DuckDB query that computes indicator values from the catalogue.

Shape of the query: every formula term becomes a row of a bound VALUES table ``term`` (indicator,
part teller/noemer, sign, key). Facts are joined to it once and summed per (indicator,
municipality, year, document) — one hash join and one aggregation for the whole catalogue.
Each indicator also gets a zero-weight "anchor" term on the key every delivery has
('*|*|lasten'), so every delivered (municipality, year, document) gets a row per indicator
(missing keys inside a delivery count as zero; an absent delivery has no row at all) without a
cross join. One self-join gives growth (previous year) and realisation (begroting, same year).

Growth across a herindeling (with ``Sources.mergers``): the previous year is put on the
boundaries of the year itself — the codes of year J-1 map to their successors in J (themselves
when unchanged; CBS shares for splits), amounts and inhabitants are summed. So Amsterdam's
growth 2023 compares Amsterdam 2023 with Amsterdam plus Weesp 2022, and Dijk en Waard (new in
2022) gets a growth 2022 over Heerhugowaard plus Langedijk 2021. If a predecessor's previous
year is missing there is no growth, except for a municipality dissolved during J-1 (Weesp, 24
March 2022), whose accounts for J-1 are in the successor's (docs/schema.md, mid-year rule).

Only generated text and relation names checked by :mod:`schouders.indicators.sources` are spliced
into the SQL; every value from the catalogue (codes, keys, scales) is a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

from schouders.indicators.catalogue import Indicator
from schouders.indicators.sources import Sources, relation

OUTPUT_COLUMNS = ("indicator", "gm_code", "jaar", "document", "waarde", "teller", "noemer")
BALANCE_SIDE = "balans"
ANCHOR = ("*", "*", "lasten")


@dataclass(frozen=True)
class Query:
    sql: str
    params: list[object]


def values_query(indicators: list[Indicator], sources: Sources) -> Query:
    """SELECT indicator, gm_code, jaar, document, waarde, teller, noemer for all indicators."""
    facts = relation(sources.facts)
    params: list[object] = []
    term_rows = []
    for number, indicator in enumerate(indicators):
        formula = indicator.formule
        for part, terms in ((0, formula.teller), (1, formula.noemer)):
            for term in terms:
                key: tuple[str, str | None, str]
                if term.key is not None:
                    key = (term.key.taakveld, term.key.categorie, term.key.kant)
                else:
                    key = (BALANCE_SIDE, term.balans, BALANCE_SIDE)
                term_rows.append("(?, ?, ?, ?, ?, ?)")
                params.extend([number, part, term.sign, *key])
    for number in range(len(indicators)):
        # anchor: every delivered document has a '*|*|lasten' fact, so this zero-weight term
        # gives each (indicator, document) its row without a cross join of units x indicators
        term_rows.append("(?, ?, ?, ?, ?, ?)")
        params.extend([number, 2, 0, *ANCHOR])
    indicator_rows = []
    for number, indicator in enumerate(indicators):
        formula = indicator.formule
        indicator_rows.append("(?, ?, ?, ?::DOUBLE, ?, ?)")
        params.extend([number, indicator.code, formula.soort, formula.schaal,
                       formula.per_inwoner, bool(formula.balance_columns)])
    balance = ""
    if sources.balance:
        table = relation(sources.balance)
        balance = "".join(
            f"\n    UNION ALL SELECT gm_code, jaar, document, '{BALANCE_SIDE}', '{column}', "
            f"'{BALANCE_SIDE}', {column}::DOUBLE FROM {table} WHERE {column} IS NOT NULL"
            for column in ("eigen_vermogen", "balanstotaal"))
    merged, growth_previous, growth_join = "", "", ""
    if sources.mergers:
        municipalities = relation(sources.municipalities)
        mergers = relation(sources.mergers)
        merged = f"""opvolging AS (
    -- codes of year J-1 -> their territory in year J (docstring)
    SELECT g.gm_code AS van_code, g.jaar + 1 AS jaar, g.gm_code AS naar_code,
           1.0::DOUBLE AS aandeel, false AS tussentijds
    FROM {municipalities} g
    JOIN {municipalities} n ON n.gm_code = g.gm_code AND n.jaar = g.jaar + 1
    UNION ALL
    SELECT g.gm_code, g.jaar + 1, h.nieuwe_gm_code, h.aandeel::DOUBLE,
           year(h.datum) = g.jaar AND NOT (month(h.datum) = 1 AND day(h.datum) = 1)
    FROM {municipalities} g
    JOIN {mergers} h ON h.oude_gm_code = g.gm_code AND h.jaar = g.jaar + 1
    JOIN {municipalities} n ON n.gm_code = h.nieuwe_gm_code AND n.jaar = g.jaar + 1
    WHERE NOT EXISTS (SELECT 1 FROM {municipalities} x
                      WHERE x.gm_code = g.gm_code AND x.jaar = g.jaar + 1)
),
doel AS (
    SELECT DISTINCT c.nr, c.gm_code, c.jaar, c.document FROM basis c WHERE c.soort = 'groei'
),
vorig AS (
    SELECT d.nr, d.gm_code, d.jaar, d.document,
           sum(b.x * o.aandeel) AS x, sum(b.inwoners * o.aandeel) AS inwoners,
           any_value(b.per_inwoner) AS per_inwoner,
           bool_and(b.nr IS NOT NULL OR o.tussentijds) AND bool_or(b.nr IS NOT NULL) AS compleet
    FROM doel d
    JOIN opvolging o ON o.naar_code = d.gm_code AND o.jaar = d.jaar
    LEFT JOIN basis b ON b.nr = d.nr AND b.gm_code = o.van_code AND b.jaar = d.jaar - 1
         AND b.document = d.document
    GROUP BY d.nr, d.gm_code, d.jaar, d.document
),
"""
        growth_previous = ("WHEN 'groei' THEN CASE WHEN h.compleet THEN CASE WHEN "
                           "h.per_inwoner THEN h.x * 1000.0 / nullif(h.inwoners, 0) ELSE h.x "
                           "END END")
        growth_join = ("\n    LEFT JOIN vorig h ON c.soort = 'groei' AND h.nr = c.nr "
                       "AND h.gm_code = c.gm_code AND h.jaar = c.jaar AND h.document = c.document")
    sql = f"""
WITH term(nr, deel, teken, taakveld, categorie, kant) AS (VALUES {", ".join(term_rows)}),
ind(nr, code, soort, schaal, per_inwoner, leeg_is_null) AS (VALUES {", ".join(indicator_rows)}),
feit AS (
    SELECT gm_code, jaar, document, taakveld, categorie, kant, bedrag FROM {facts}{balance}
),
som AS (
    SELECT t.nr, f.gm_code, f.jaar, f.document,
           sum(f.bedrag * t.teken) FILTER (WHERE t.deel = 0) AS teller,
           sum(f.bedrag * t.teken) FILTER (WHERE t.deel = 1) AS noemer
    FROM feit f
    JOIN term t ON f.taakveld = t.taakveld AND f.categorie = t.categorie AND f.kant = t.kant
    GROUP BY t.nr, f.gm_code, f.jaar, f.document
),
basis AS MATERIALIZED (
    SELECT i.nr, i.code, i.soort, i.schaal, i.per_inwoner, s.gm_code, s.jaar, s.document,
           CASE WHEN i.leeg_is_null THEN s.teller ELSE coalesce(s.teller, 0) END AS x,
           CASE WHEN i.leeg_is_null THEN s.noemer ELSE coalesce(s.noemer, 0) END AS n,
           p.inwoners::DOUBLE AS inwoners,
           CASE WHEN i.per_inwoner THEN
               (CASE WHEN i.leeg_is_null THEN s.teller ELSE coalesce(s.teller, 0) END)
               * 1000.0 / nullif(p.inwoners::DOUBLE, 0)
           ELSE CASE WHEN i.leeg_is_null THEN s.teller ELSE coalesce(s.teller, 0) END END AS q,
           CASE i.soort WHEN 'groei' THEN s.jaar - 1 WHEN 'realisatie' THEN s.jaar END
               AS vorig_jaar,
           CASE i.soort WHEN 'groei' THEN s.document WHEN 'realisatie' THEN 'begroting' END
               AS vorig_document
    FROM som s
    JOIN ind i ON i.nr = s.nr
    LEFT JOIN {relation(sources.population)} p ON p.gm_code = s.gm_code AND p.jaar = s.jaar
),
{merged}paar AS (
    SELECT c.code AS indicator, c.gm_code, c.jaar, c.document, c.soort, c.schaal,
           CASE WHEN c.soort IN ('groei', 'realisatie') THEN c.q ELSE c.x END AS teller,
           CASE c.soort WHEN 'verhouding' THEN c.n WHEN 'per_inwoner' THEN c.inwoners
                WHEN 'bedrag' THEN NULL {growth_previous} ELSE v.q END AS noemer
    FROM basis c
    LEFT JOIN basis v ON v.nr = c.nr AND v.gm_code = c.gm_code AND v.jaar = c.vorig_jaar
         AND v.document = c.vorig_document{growth_join}
    WHERE c.soort <> 'realisatie' OR c.document = 'jaarrekening'
)
SELECT indicator, gm_code, jaar, document,
       CASE WHEN soort = 'bedrag' THEN teller * schaal
            WHEN teller IS NULL OR noemer IS NULL OR noemer = 0 THEN NULL
            WHEN soort IN ('groei', 'realisatie') THEN (teller / noemer - 1) * schaal
            ELSE teller / noemer * schaal END AS waarde,
       teller, noemer
FROM paar"""
    return Query(sql, params)
