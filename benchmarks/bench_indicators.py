"""Benchmark of the indicator engine: the full catalogue and one municipality's profile.

Prints (never asserts) wall-clock times and ratios:
  1. the whole catalogue for all municipalities, years and documents in DuckDB (one generated
     query), against a straightforward pandas implementation of the same indicators (filter the
     facts per formula term, group, combine), and against a pivot-once pandas variant; the
     results are checked to be equal;
  2. a full cache refresh (values, peer groups, positions; what `compute_all(force=True)` does);
  3. one municipality's full profile with peer positions and signals, once computed.

Usage: python benchmarks/bench_indicators.py [--data-dir ../shared/data] [--home DIR]
Without --home a temporary warehouse is built from the snapshot first (not timed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from schouders.config import load_settings
from schouders.indicators import api
from schouders.indicators.catalogue import Catalogue, Indicator, Term
from schouders.indicators.context import definitions
from schouders.indicators.sources import Sources
from schouders.indicators.sqlgen import values_query
from schouders.warehouse.build import build_warehouse

KEY = ["gm_code", "jaar", "document"]
TARGET_RATIO = 10.0
TARGET_CATALOGUE_S = 5.0
TARGET_PROFILE_MS = 50.0


def best_of(runs: int, function: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


# ------------------------------------------------------------------ straightforward pandas ---

def _term_sum(facts: pd.DataFrame, balance: pd.DataFrame, terms: tuple[Term, ...],
              units: pd.MultiIndex, nullable: bool) -> pd.Series:
    total = pd.Series(0.0, index=units)
    seen = pd.Series(False, index=units)
    for term in terms:
        if term.key is not None:
            rows = facts[(facts["taakveld"] == term.key.taakveld)
                         & (facts["categorie"] == term.key.categorie)
                         & (facts["kant"] == term.key.kant)]
            part = rows.groupby(KEY)["bedrag"].sum()
        else:
            part = balance.set_index(KEY)[term.balans].dropna()
        part = part.reindex(units)
        seen |= part.notna()
        total = total + term.sign * part.fillna(0.0)
    return total.where(seen) if nullable else total


def pandas_indicator(indicator: Indicator, facts: pd.DataFrame, population: pd.Series,
                     balance: pd.DataFrame, units: pd.MultiIndex) -> pd.DataFrame:
    formula = indicator.formule
    nullable = bool(formula.balance_columns)
    teller = _term_sum(facts, balance, formula.teller, units, nullable)
    inwoners = population.reindex(pd.MultiIndex.from_arrays(
        [units.get_level_values(0), units.get_level_values(1)])).to_numpy()
    if formula.soort in ("verhouding", "per_inwoner", "bedrag"):
        if formula.soort == "verhouding":
            noemer = _term_sum(facts, balance, formula.noemer, units, nullable)
        elif formula.soort == "per_inwoner":
            noemer = pd.Series(inwoners, index=units)
        else:
            noemer = pd.Series(np.nan, index=units)
        if formula.soort == "bedrag":
            waarde = teller * formula.schaal
        else:
            waarde = (teller / noemer.where(noemer != 0)) * formula.schaal
        frame = pd.DataFrame({"waarde": waarde, "teller": teller, "noemer": noemer})
    else:
        quantity = teller * 1000.0 / pd.Series(inwoners, index=units).where(
            lambda s: s != 0) if formula.per_inwoner else teller
        base = quantity.rename("q").reset_index()
        if formula.soort == "groei":
            previous = base.assign(jaar=base["jaar"] + 1)
            joined = base.merge(previous, on=KEY, how="left", suffixes=("", "_vorig"))
        else:
            accounts = base[base["document"] == "jaarrekening"]
            budget = base[base["document"] == "begroting"].drop(columns="document")
            joined = accounts.merge(budget, on=["gm_code", "jaar"], how="left",
                                    suffixes=("", "_vorig"))
        noemer = joined["q_vorig"].where(joined["q_vorig"] != 0)
        frame = pd.DataFrame({"waarde": (joined["q"] / noemer - 1) * formula.schaal,
                              "teller": joined["q"], "noemer": joined["q_vorig"]})
        frame.index = pd.MultiIndex.from_frame(joined[KEY])
    return frame.reset_index().assign(indicator=indicator.code)


def pandas_catalogue(catalogue: Catalogue, facts: pd.DataFrame, population: pd.Series,
                     balance: pd.DataFrame) -> pd.DataFrame:
    units = pd.MultiIndex.from_frame(facts[(facts["taakveld"] == "*")
                                           & (facts["categorie"] == "*")][KEY].drop_duplicates())
    return pd.concat([pandas_indicator(ind, facts, population, balance, units)
                      for ind in catalogue.indicators.values()], ignore_index=True)


# ------------------------------------------------------------------------ pivot-once pandas ---

def pivot_catalogue(catalogue: Catalogue, facts: pd.DataFrame, population: pd.Series,
                    balance: pd.DataFrame) -> pd.DataFrame:
    """The same, but facts are pivoted once to a wide table of all needed keys."""
    keys = sorted({key for ind in catalogue.indicators.values() for key in ind.formule.keys})
    wanted = pd.MultiIndex.from_tuples([(k.taakveld, k.categorie, k.kant) for k in keys])
    indexed = facts.set_index(["taakveld", "categorie", "kant"])
    subset = indexed[indexed.index.isin(wanted)].reset_index()
    wide = subset.pivot_table(index=KEY, columns=["taakveld", "categorie", "kant"],
                              values="bedrag", aggfunc="sum").fillna(0.0)
    balance_wide = balance.set_index(KEY).reindex(wide.index)
    results = []
    for ind in catalogue.indicators.values():
        formula = ind.formule

        def total(terms: tuple[Term, ...], formula=formula) -> pd.Series:
            value = pd.Series(0.0, index=wide.index)
            for term in terms:
                if term.key is not None:
                    column = (term.key.taakveld, term.key.categorie, term.key.kant)
                    part = wide[column] if column in wide.columns else 0.0
                else:
                    part = balance_wide[term.balans]
                value = value + term.sign * part
            return value

        inwoners = population.reindex(pd.MultiIndex.from_arrays(
            [wide.index.get_level_values(0), wide.index.get_level_values(1)])).to_numpy()
        teller = total(formula.teller)
        if formula.soort == "verhouding":
            noemer = total(formula.noemer)
            waarde = teller / noemer.where(noemer != 0) * formula.schaal
        elif formula.soort == "per_inwoner":
            noemer = pd.Series(inwoners, index=wide.index)
            waarde = teller / noemer.where(noemer != 0) * formula.schaal
        elif formula.soort == "bedrag":
            noemer = pd.Series(np.nan, index=wide.index)
            waarde = teller * formula.schaal
        else:
            quantity = teller * 1000.0 / pd.Series(inwoners, index=wide.index) \
                if formula.per_inwoner else teller
            base = quantity.rename("q").reset_index()
            if formula.soort == "groei":
                other = base.assign(jaar=base["jaar"] + 1)
                joined = base.merge(other, on=KEY, how="left", suffixes=("", "_vorig"))
            else:
                joined = base[base["document"] == "jaarrekening"].merge(
                    base[base["document"] == "begroting"].drop(columns="document"),
                    on=["gm_code", "jaar"], how="left", suffixes=("", "_vorig"))
            index = pd.MultiIndex.from_frame(joined[KEY])
            teller = pd.Series(joined["q"].to_numpy(), index=index)
            noemer = pd.Series(joined["q_vorig"].to_numpy(), index=index)
            waarde = (teller / noemer.where(noemer != 0) - 1) * formula.schaal
        results.append(pd.DataFrame({"waarde": waarde, "teller": teller, "noemer": noemer})
                       .reset_index().assign(indicator=ind.code))
    return pd.concat(results, ignore_index=True)


def max_difference(left: pd.DataFrame, right: pd.DataFrame) -> tuple[int, float]:
    merged = left.merge(right, on=["indicator", *KEY], suffixes=("_a", "_b"))
    a, b = merged["waarde_a"].to_numpy(dtype=float), merged["waarde_b"].to_numpy(dtype=float)
    both = np.isfinite(a) & np.isfinite(b)
    mismatched_nulls = int((np.isfinite(a) != np.isfinite(b)).sum())
    relative = np.abs(a[both] - b[both]) / np.maximum(1.0, np.abs(a[both]))
    return mismatched_nulls + abs(len(left) - len(merged)), float(relative.max(initial=0.0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="schouders-bench-"))
    settings = load_settings(data_dir=args.data_dir, home=home)
    if not settings.warehouse_path.exists():
        print(f"warehouse bouwen in {home} (niet gemeten) ...", flush=True)
        build_warehouse(settings)
    catalogue = definitions().catalogue
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    query = values_query(list(catalogue.indicators.values()), Sources())

    def run_duckdb() -> pd.DataFrame:
        table = con.sql(query.sql, params=query.params).to_arrow_table()
        return table.to_pandas(strings_to_categorical=True)

    duck_s, duck = best_of(args.runs, run_duckdb)
    load_started = time.perf_counter()
    facts = con.sql("SELECT * FROM iv3_fact").df()
    population = con.sql("SELECT gm_code, jaar, inwoners FROM bevolking").df().set_index(
        ["gm_code", "jaar"])["inwoners"].astype(float)
    balance = con.sql("SELECT * FROM iv3_balans").df()
    load_s = time.perf_counter() - load_started
    plain_s, plain = best_of(1, lambda: pandas_catalogue(catalogue, facts, population, balance))
    pivot_s, pivoted = best_of(args.runs,
                               lambda: pivot_catalogue(catalogue, facts, population, balance))
    con.close()
    duck_frame = duck.astype({"indicator": str, "gm_code": str, "document": str})
    for name, other in (("pandas (rechttoe-rechtaan)", plain), ("pandas (pivot)", pivoted)):
        problems, relative = max_difference(duck_frame, other)
        print(f"controle {name}: {problems} verschillen in aanwezigheid, "
              f"max. relatief verschil {relative:.1e}")
    rows = len(duck)
    count = f"{rows:,}".replace(",", ".")
    print(f"\nHele catalogus: {len(catalogue.indicators)} indicatoren x alle gemeenten, jaren "
          f"en documenten = {count} waarden")
    print(f"  DuckDB (één gegenereerde query, incl. lezen uit het warehouse): {duck_s:6.3f} s  "
          f"(doel < {TARGET_CATALOGUE_S:.0f} s)")
    print(f"  pandas rechttoe-rechtaan (filter per term, excl. {load_s:.2f} s laden): "
          f"{plain_s:6.3f} s  -> DuckDB is {plain_s / duck_s:5.1f}x sneller "
          f"(doel >= {TARGET_RATIO:.0f}x)")
    print(f"  pandas met één pivot (excl. laden):                         {pivot_s:6.3f} s  "
          f"-> DuckDB is {pivot_s / duck_s:5.1f}x sneller")

    refresh_started = time.perf_counter()
    report = api.compute_all(settings, force=True)
    refresh_s = time.perf_counter() - refresh_started
    assert report is not None
    print(f"\nVolledige cache (waarden + peergroepen + {len(catalogue.indicators)} x 4 "
          f"peerposities voor iedereen): {refresh_s:.2f} s")

    timings = []
    for gm_code in ("GM0677", "GM0363", "GM1900", "GM0855", "GM0678"):
        api.profile(settings, gm_code, 2024, "jaarrekening")   # warm-up per municipality
        for _ in range(10):
            started = time.perf_counter()
            api.profile(settings, gm_code, 2024, "jaarrekening")
            timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    p95 = sorted(timings)[int(0.95 * (len(timings) - 1))]
    print(f"\nProfiel van één gemeente (alle indicatoren, peerposities, signalen), warm: "
          f"mediaan {median:.1f} ms, p95 {p95:.1f} ms (doel < {TARGET_PROFILE_MS:.0f} ms; "
          f"ratio doel/mediaan {TARGET_PROFILE_MS / median:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
