"""Generate the one-pass DuckDB query that computes indicator values from the catalogue.

Shape of the query: every formula term becomes a row of a bound VALUES table ``term`` (indicator,
part teller/noemer, sign, key). Facts are joined to it once and summed per (indicator,
municipality, year, document) — one hash join and one aggregation for the whole catalogue.
Each indicator also gets a zero-weight "anchor" term on the key every delivery has
('*|*|lasten'), so every delivered (municipality, year, document) gets a row per indicator
(missing keys inside a delivery count as zero; an absent delivery has no row at all) without a
cross join. One self-join gives growth (previous year) and realisation (begroting, same year).

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
    SELECT i.nr, i.code, i.soort, i.schaal, s.gm_code, s.jaar, s.document,
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
paar AS (
    SELECT c.code AS indicator, c.gm_code, c.jaar, c.document, c.soort, c.schaal,
           CASE WHEN c.soort IN ('groei', 'realisatie') THEN c.q ELSE c.x END AS teller,
           CASE c.soort WHEN 'verhouding' THEN c.n WHEN 'per_inwoner' THEN c.inwoners
                WHEN 'bedrag' THEN NULL ELSE v.q END AS noemer
    FROM basis c
    LEFT JOIN basis v ON v.nr = c.nr AND v.gm_code = c.gm_code AND v.jaar = c.vorig_jaar
         AND v.document = c.vorig_document
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
