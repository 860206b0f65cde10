"""Peer positions for every municipality, year, document and indicator, vectorised in NumPy.

For the partition types (grootteklasse, stedelijkheid, provincie) the comparison set is the group
the municipality belongs to that year; for 'knn' it is the municipality plus its k nearest
neighbours. Statistics are over the members with a value, the municipality itself included:
n, median, mean, sample standard deviation, percentile (share of the other members with a lower
value, 0-100), z-score ((value - mean) / sd) and rank (1 = highest value; ties share a rank).
Everything works on integer codes; strings only come back at the end, as categoricals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from schouders.indicators.peers import PARTITION_TYPES

POSITION_COLUMNS = ["indicator", "gm_code", "jaar", "document", "peer_type", "groep", "waarde",
                    "n", "mediaan", "gemiddelde", "sd", "percentiel", "z", "rang"]
STAT_COLUMNS = ["n", "mediaan", "gemiddelde", "sd", "percentiel", "z", "rang"]


@dataclass(frozen=True)
class Stats:
    """Per-row statistics of a value within its comparison set."""

    n: np.ndarray
    mediaan: np.ndarray
    gemiddelde: np.ndarray
    sd: np.ndarray
    percentiel: np.ndarray
    z: np.ndarray
    rang: np.ndarray


def _codes(series: pd.Series, categories: np.ndarray | None = None) -> tuple[np.ndarray,
                                                                             np.ndarray]:
    """Integer codes of a text column (categorical or not), optionally against given labels."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        own = np.asarray(series.cat.categories.astype(str), dtype=object)
        raw = series.cat.codes.to_numpy(dtype=np.int64)
        if categories is None:
            return raw, own
        lookup = pd.Index(categories).get_indexer(own).astype(np.int64)
        return np.where(raw >= 0, lookup[raw], -1), categories
    if categories is None:
        codes, uniques = pd.factorize(series.astype(str), sort=True)
        return codes.astype(np.int64), np.asarray(uniques, dtype=object)
    lookup = pd.Index(categories)
    return lookup.get_indexer(series.astype(str)).astype(np.int64), categories


def _unique_text(columns: list[pd.Series]) -> np.ndarray:
    parts = []
    for column in columns:
        if isinstance(column.dtype, pd.CategoricalDtype):
            parts.append(np.asarray(column.cat.categories.astype(str), dtype=object))
        else:
            parts.append(pd.unique(column.to_numpy(dtype=object)))
    return np.sort(pd.unique(np.concatenate(parts))).astype(object)


def group_stats(key: np.ndarray, value: np.ndarray, value_rank: np.ndarray | None = None
                ) -> Stats:
    """Statistics of each value within the rows that share its (non-negative integer) key.

    value_rank (optional) is the rank of each value in a global sort, shared between calls so
    the sort here is a single stable integer sort.
    """
    if value_rank is None:
        value_rank = np.empty(len(value), dtype=np.int64)
        value_rank[np.argsort(value, kind="stable")] = np.arange(len(value))
    order = np.argsort(key * (int(value_rank.max(initial=0)) + 1) + value_rank, kind="stable")
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    key_sorted, value_sorted = key[order], value[order]
    boundary = np.ones(len(key_sorted), dtype=bool)
    boundary[1:] = key_sorted[1:] != key_sorted[:-1]
    group = np.cumsum(boundary) - 1
    start = np.nonzero(boundary)[0]
    count = np.diff(np.append(start, len(key_sorted)))
    mean = np.bincount(group, weights=value_sorted) / count
    deviation = value_sorted - mean[group]
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(np.bincount(group, weights=deviation ** 2) / (count - 1))
    sd[count < 2] = np.nan
    median = (value_sorted[start + (count - 1) // 2] + value_sorted[start + count // 2]) / 2
    index = np.arange(len(value_sorted))
    new_run = np.ones(len(value_sorted), dtype=bool)
    new_run[1:] = (key_sorted[1:] != key_sorted[:-1]) | (value_sorted[1:] != value_sorted[:-1])
    first_of_run = np.maximum.accumulate(np.where(new_run, index, 0))
    end_run = np.ones(len(value_sorted), dtype=bool)
    end_run[:-1] = new_run[1:]
    last_of_run = np.minimum.accumulate(np.where(end_run, index, len(index))[::-1])[::-1]
    n = count[group]
    below = first_of_run - start[group]
    above = n - 1 - (last_of_run - start[group])
    with np.errstate(invalid="ignore", divide="ignore"):
        percentile = np.where(n > 1, 100.0 * below / (n - 1), np.nan)
        z = np.where(sd[group] > 0, deviation / sd[group], np.nan)
    return Stats(n[inverse], median[group][inverse], mean[group][inverse], sd[group][inverse],
                 percentile[inverse], z[inverse], (above + 1)[inverse])


def all_positions(values: pd.DataFrame, members: pd.DataFrame,
                  neighbours: pd.DataFrame) -> pd.DataFrame:
    """Positions for the partition types and knn.

    values: indicator, gm_code, jaar, document, waarde; members: peer_type, groep, jaar, gm_code;
    neighbours: jaar, gm_code, buur.
    """
    waarde = values["waarde"].to_numpy(dtype=float)
    usable = np.isfinite(waarde)
    indicator, indicator_names = _codes(values["indicator"])
    document, document_names = _codes(values["document"])
    gm_names = _unique_text([values["gm_code"], members["gm_code"], neighbours["gm_code"],
                             neighbours["buur"]])
    gm, _ = _codes(values["gm_code"], gm_names)
    jaar = values["jaar"].to_numpy(dtype=np.int64)
    first_year = int(min(jaar.min(), members["jaar"].min() if len(members) else jaar.min(),
                         neighbours["jaar"].min() if len(neighbours) else jaar.min()))
    years = int(max(jaar.max(), members["jaar"].max() if len(members) else jaar.max())) - \
        first_year + 1
    year = jaar - first_year
    value_rank = np.empty(len(waarde), dtype=np.int64)
    value_rank[np.argsort(np.where(usable, waarde, np.inf), kind="stable")] = np.arange(
        len(waarde))
    pieces: list[dict[str, Any]] = []
    group_names_all: list[str] = []
    for type_index, peer_type in enumerate(PARTITION_TYPES):
        typed = members[members["peer_type"] == peer_type]
        if typed.empty:
            continue
        groups, group_names = _codes(typed["groep"])
        lookup = np.full((years, len(gm_names)), -1, dtype=np.int64)
        member_gm, _ = _codes(typed["gm_code"], gm_names)
        lookup[typed["jaar"].to_numpy(dtype=np.int64) - first_year, member_gm] = groups
        group = lookup[year, gm]
        rows = np.nonzero(usable & (group >= 0))[0]
        if not len(rows):
            continue
        key = (((indicator[rows] * years + year[rows]) * len(document_names) + document[rows])
               * (len(group_names) + 1) + group[rows])
        stats = group_stats(key, waarde[rows], value_rank[rows])
        offset = len(group_names_all)
        group_names_all.extend(str(name) for name in group_names)
        pieces.append({"rows": rows, "peer_type": type_index, "groep": group[rows] + offset,
                       "stats": stats})
    knn = _knn(waarde, usable, indicator, document, gm, year, neighbours, gm_names, first_year,
               years)
    if knn is not None:
        group_names_all.append("knn")
        pieces.append({**knn, "peer_type": len(PARTITION_TYPES),
                       "groep": np.full(len(knn["rows"]), len(group_names_all) - 1)})
    if not pieces:
        return pd.DataFrame(columns=POSITION_COLUMNS)
    rows = np.concatenate([piece["rows"] for piece in pieces])
    type_codes = np.concatenate([np.full(len(piece["rows"]), piece["peer_type"])
                                 for piece in pieces])
    labels = pd.Index(group_names_all).unique()
    label_of = labels.get_indexer(group_names_all)
    result = pd.DataFrame({
        "indicator": pd.Categorical.from_codes(indicator[rows], indicator_names),
        "gm_code": pd.Categorical.from_codes(gm[rows], gm_names),
        "jaar": jaar[rows].astype(np.int32),
        "document": pd.Categorical.from_codes(document[rows], document_names),
        "peer_type": pd.Categorical.from_codes(type_codes, [*PARTITION_TYPES, "knn"]),
        "groep": pd.Categorical.from_codes(
            label_of[np.concatenate([piece["groep"] for piece in pieces])], labels),
        "waarde": waarde[rows]})
    for column in STAT_COLUMNS:
        result[column] = np.concatenate([getattr(piece["stats"], column) for piece in pieces])
    return result


def _knn(waarde: np.ndarray, usable: np.ndarray, indicator: np.ndarray, document: np.ndarray,
         gm: np.ndarray, year: np.ndarray, neighbours: pd.DataFrame, gm_names: np.ndarray,
         first_year: int, years: int) -> dict[str, Any] | None:
    if neighbours.empty:
        return None
    own_all, _ = _codes(neighbours["gm_code"], gm_names)
    other_all, _ = _codes(neighbours["buur"], gm_names)
    year_all = neighbours["jaar"].to_numpy(dtype=np.int64) - first_year
    width = int(neighbours.groupby(["jaar", "gm_code"]).size().max()) + 1
    circle = np.full((years, len(gm_names), width), -1, dtype=np.int64)
    order = np.lexsort((own_all, year_all))
    position = pd.Series(np.arange(len(order))).groupby(
        [year_all[order], own_all[order]]).cumcount().to_numpy() + 1
    circle[year_all[order], own_all[order], position] = other_all[order]
    has_circle = np.asarray((circle[:, :, 1:] >= 0).any(axis=2))
    circle[:, :, 0] = np.where(has_circle, np.arange(len(gm_names))[None, :], -1)
    combos = (indicator * len(np.unique(document)) + document) if len(document) else indicator
    combo_count = int(combos.max()) + 1
    grid = np.full((combo_count, years, len(gm_names) + 1), np.nan)
    grid[combos[usable], year[usable], gm[usable]] = waarde[usable]
    rows = np.nonzero(usable & has_circle[year, gm])[0]
    members = circle[year[rows], gm[rows]]                       # rows x width
    members = np.where(members < 0, len(gm_names), members)
    gathered = grid[combos[rows][:, None], year[rows][:, None], members]
    own = waarde[rows]
    present = np.isfinite(gathered)
    n = present.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(present, gathered, 0).sum(axis=1) / n
        sd = np.sqrt(np.where(present, (gathered - mean[:, None]) ** 2, 0).sum(axis=1) / (n - 1))
        ordered = np.sort(gathered, axis=1)                      # NaN last
        low = np.take_along_axis(ordered, ((n - 1) // 2)[:, None], axis=1)[:, 0]
        high = np.take_along_axis(ordered, (n // 2)[:, None], axis=1)[:, 0]
        below = (present & (gathered < own[:, None])).sum(axis=1)
        above = (present & (gathered > own[:, None])).sum(axis=1)
        percentile = np.where(n > 1, 100.0 * below / (n - 1), np.nan)
        z = np.where(sd > 0, (own - mean) / sd, np.nan)
    sd = np.where(n > 1, sd, np.nan)
    return {"rows": rows, "stats": Stats(n, (low + high) / 2, mean, sd, percentile, z,
                                         above + 1)}


def group_positions(values: pd.DataFrame, gm_code: str) -> pd.DataFrame:
    """Position of one municipality per (indicator, jaar, document) within an ad-hoc set.

    values: indicator, gm_code, jaar, document, waarde for the set (the municipality included).
    """
    usable = values[np.isfinite(values["waarde"].to_numpy(dtype=float))].reset_index(drop=True)
    if usable.empty:
        return pd.DataFrame(columns=["indicator", "jaar", "document", "waarde", *STAT_COLUMNS])
    key = usable.groupby(["indicator", "jaar", "document"], sort=False).ngroup().to_numpy()
    stats = group_stats(key.astype(np.int64), usable["waarde"].to_numpy(dtype=float))
    result = usable[["indicator", "gm_code", "jaar", "document", "waarde"]].copy()
    for column in STAT_COLUMNS:
        result[column] = getattr(stats, column)
    own = result[result["gm_code"] == gm_code].drop(columns="gm_code")
    return own.reset_index(drop=True)
