"""Turn Iv3 source rows into warehouse facts (see docs/schema.md for the key conventions).

Two inputs reach the same fact shape:
- the aggregated snapshot (summary + breakdowns), mapped key by key;
- raw CBS rows (live client), rolled up with DuckDB to the same aggregate keys.
A delivery that is absent or all zeros is *missing* (iv3_levering.status = 'ontbreekt'): it gets
no facts at all, so it can never be read as zero spending.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

FACT_COLUMNS = ["gm_code", "jaar", "document", "taakveld", "categorie", "kant", "bedrag"]
KEY = ["gm_code", "jaar", "document"]
NOT_SPENDING = ("0.10", "0.11")
PERSONNEL = "1.1+3.5.1"

# summary column -> (taakveld, categorie, kant)
SUMMARY_FACTS: dict[str, tuple[str, str, str]] = {
    "lasten": ("*", "*", "lasten"),
    "baten": ("*", "*", "baten"),
    "reserve_lasten": ("0.10", "*", "lasten"),
    "reserve_baten": ("0.10", "*", "baten"),
    "salarissen": ("*", "1.1", "lasten"),
    "inhuur": ("*", "3.5.1", "lasten"),
    "verbonden": ("*", "4.3.3", "lasten"),
    "rijk": ("0.7", "4.3.1", "baten"),
    "salarissen_overhead": ("0.4", "1.1", "lasten"),
    "inhuur_overhead": ("0.4", "3.5.1", "lasten"),
}

# breakdown -> function(key1, key2) giving (taakveld, categorie, kant) columns
BREAKDOWN_KEYS: dict[str, tuple[str, str, str]] = {
    # values are templates: {k1}/{k2} are filled from key1/key2
    "per_hoofdcategorie": ("*", "{k1}", "lasten"),
    "per_hoofdtaakveld": ("{k1}", "*", "lasten"),
    "personeel_per_hoofdtaakveld": ("{k1}", PERSONNEL, "lasten"),
    "lasten_per_taakveld": ("{k1}", "*", "lasten"),
    "lasten_per_hoofdtaakveld_categorie": ("{k1}", "{k2}", "lasten"),
    "spuks_per_hoofdtaakveld": ("{k1}", "4.3.1", "baten"),
    "baten_heffingen_per_categorie": ("*", "{k1b}", "baten"),
    "reserve_lasten_per_hoofdcategorie": ("0.10", "{k1}", "lasten"),
    "reserve_baten_per_hoofdcategorie": ("0.10", "{k1}", "baten"),
}


@dataclass(frozen=True)
class Iv3Frames:
    facts: pd.DataFrame
    levering: pd.DataFrame
    balans: pd.DataFrame


def _fill(template: str, frame: pd.DataFrame) -> pd.Series:
    if template == "{k1}":
        return frame["key1"]
    if template == "{k2}":
        return frame["key2"]
    if template == "{k1b}":
        return frame["key1"].str.removeprefix("B")
    return pd.Series(template, index=frame.index)


def delivery_status(summary: pd.DataFrame, municipalities: pd.DataFrame, bron: str) -> pd.DataFrame:
    """One row per municipality-year-document: geleverd, or ontbreekt with the reason."""
    delivered = summary[[*KEY, "lasten", "baten"]].copy()
    empty = delivered["lasten"].fillna(0).eq(0) & delivered["baten"].fillna(0).eq(0)
    delivered["status"] = empty.map({True: "ontbreekt", False: "geleverd"})
    delivered["reden"] = empty.map(
        {True: "levering bevat alleen nullen of geen cijfers", False: None}
    )
    documents_per_year = summary[["jaar", "document"]].drop_duplicates()
    expected = municipalities[["gm_code", "jaar"]].merge(documents_per_year, on="jaar")
    absent = expected.merge(delivered[KEY], on=KEY, how="left", indicator=True)
    absent = absent[absent["_merge"] == "left_only"][KEY].assign(
        status="ontbreekt", reden="geen levering in de bron"
    )
    result = pd.concat([delivered[[*KEY, "status", "reden"]], absent], ignore_index=True)
    return result.assign(bron=bron)


def facts_from_snapshot(
    summary: pd.DataFrame, breakdowns: pd.DataFrame, municipalities: pd.DataFrame, bron: str
) -> Iv3Frames:
    levering = delivery_status(summary, municipalities, bron)
    parts: list[pd.DataFrame] = []
    for column, (taakveld, categorie, kant) in SUMMARY_FACTS.items():
        parts.append(
            summary[KEY].assign(
                taakveld=taakveld, categorie=categorie, kant=kant, bedrag=summary[column]
            )
        )
    # B4.3.1 in total = algemene uitkering (0.7) + specific grants on all other taakvelden
    parts.append(
        summary[KEY].assign(
            taakveld="*", categorie="4.3.1", kant="baten", bedrag=summary["rijk"] + summary["spuks"]
        )
    )
    for name, (taakveld, categorie, kant) in BREAKDOWN_KEYS.items():
        rows = breakdowns[breakdowns["breakdown"] == name]
        if rows.empty:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "gm_code": rows["gm_code"],
                    "jaar": rows["jaar"],
                    "document": rows["document"],
                    "taakveld": _fill(taakveld, rows),
                    "categorie": _fill(categorie, rows),
                    "kant": kant,
                    "bedrag": rows["bedrag"],
                }
            )
        )
    facts = pd.concat(parts, ignore_index=True)
    # spuks_per_hoofdtaakveld leaves out 0.7; hoofdtaakveld 0 must include the algemene uitkering
    rijk = summary[KEY].assign(extra=summary["rijk"])
    is_h0_grant = (
        (facts["taakveld"] == "0") & (facts["categorie"] == "4.3.1") & (facts["kant"] == "baten")
    )
    h0 = facts[is_h0_grant].merge(rijk, on=KEY, how="left")
    facts.loc[is_h0_grant, "bedrag"] = (h0["bedrag"] + h0["extra"].fillna(0)).to_numpy()
    missing = levering[levering["status"] == "ontbreekt"][KEY]
    facts = _drop_keys(facts, missing)
    balans = summary[summary["document"] == "jaarrekening"][
        [*KEY, "eigen_vermogen", "balanstotaal"]
    ]
    balans = _drop_keys(balans, missing)
    balans = balans[
        ~(balans["eigen_vermogen"].fillna(0).eq(0) & balans["balanstotaal"].fillna(0).eq(0))
    ]
    return Iv3Frames(facts[FACT_COLUMNS], levering, balans)


def _drop_keys(frame: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    if keys.empty:
        return frame.reset_index(drop=True)
    marked = frame.merge(keys.assign(_drop=True), on=KEY, how="left")
    return marked[marked["_drop"].isna()].drop(columns="_drop").reset_index(drop=True)


ROLLUP_SQL = r"""
WITH clean AS (
    SELECT gm_code, jaar, document,
           rtrim(trim(taakveld), '.') AS taakveld,
           CASE WHEN upper(left(trim(categorie), 1)) = 'L' THEN 'lasten' ELSE 'baten' END AS kant,
           rtrim(substr(trim(categorie), 2), '.') AS categorie,
           bedrag
    FROM raw
    WHERE regexp_matches(trim(taakveld), '^[0-9]') AND upper(left(trim(categorie), 1)) IN ('L', 'B')
), expanded AS (
    SELECT gm_code, jaar, document, kant, bedrag,
           -- sub-codes (6.71a, 6.711) also count towards their parent taakveld (6.71)
           unnest(list_filter(list_distinct(CASE WHEN taakveld IN ('0.10', '0.11') THEN [taakveld]
                ELSE [taakveld, regexp_extract(taakveld, '^([0-9]+\.[0-9]{2})[0-9a-z]$', 1),
                      split_part(taakveld, '.', 1), '*'] END),
                lambda code: code <> '')) AS taakveld,
           categorie AS leaf_categorie
    FROM clean
)
SELECT gm_code, jaar, document, taakveld,
       unnest(list_distinct([leaf_categorie, split_part(leaf_categorie, '.', 1), '*'] ||
              CASE WHEN leaf_categorie IN ('1.1', '3.5.1') THEN ['1.1+3.5.1'] ELSE [] END))
           AS categorie,
       kant, bedrag
FROM expanded
"""


def facts_from_raw(raw: pd.DataFrame, municipalities: pd.DataFrame, bron: str) -> Iv3Frames:
    """Roll raw CBS rows (gm_code, jaar, document, taakveld, categorie, bedrag) up to facts."""
    con = duckdb.connect()
    con.register("raw", raw)
    facts = con.execute(
        f"SELECT gm_code, jaar, document, taakveld, categorie, kant, sum(bedrag) AS bedrag "
        f"FROM ({ROLLUP_SQL}) GROUP BY ALL"
    ).df()
    totals = con.execute(
        """
        SELECT gm_code, jaar, document,
               coalesce(sum(bedrag) FILTER (WHERE upper(left(trim(categorie), 1)) = 'L'), 0)
                   AS lasten,
               coalesce(sum(bedrag) FILTER (WHERE upper(left(trim(categorie), 1)) = 'B'), 0)
                   AS baten
        FROM raw GROUP BY ALL
        """
    ).df()
    con.close()
    levering = delivery_status(totals, municipalities, bron)
    missing = levering[levering["status"] == "ontbreekt"][KEY]
    facts = _drop_keys(facts, missing)
    balans = pd.DataFrame(columns=[*KEY, "eigen_vermogen", "balanstotaal"])
    return Iv3Frames(facts[FACT_COLUMNS], levering, balans)
