"""Real euros: deflate with a price index from the warehouse (prijsindex), base year selectable.

Amounts in euros are multiplied by P[basisjaar] / P[jaar]. A year-on-year change g (in %)
becomes (1 + g) / (1 + p) - 1, p being the price change over the same year; for realisation and
other ratios nominal and real coincide. A missing price year gives NULL with a note, never an
error; an unknown price series is an error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from schouders.errors import SchoudersError
from schouders.indicators.catalogue import EURO_UNITS, Catalogue


def check_deflator(prices: pd.DataFrame, deflator: str) -> None:
    series = sorted(set(prices["reeks"]))
    if deflator not in series:
        raise SchoudersError(f"Onbekende prijsindex {deflator!r}.",
                             f"Kies uit: {', '.join(series)}.")


def affine(frame: pd.DataFrame, catalogue: Catalogue, prices: pd.DataFrame, deflator: str,
           basisjaar: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row (indicator, jaar): real = a * nominal + b, plus a note where no price exists.

    Rows of indicators that are not deflated get a = 1, b = 0 and no note.
    """
    check_deflator(prices, deflator)
    index = prices[prices["reeks"] == deflator].set_index("jaar")["waarde"].astype(float)
    jaar = frame["jaar"].astype(int).to_numpy()
    codes = frame["indicator"].astype(str).to_numpy()
    kinds = {code: ("groei" if ind.formule.soort == "groei" else
                    "euro" if ind.eenheid in EURO_UNITS else "geen")
             for code, ind in catalogue.indicators.items()}
    kind = np.array([kinds.get(code, "geen") for code in codes])
    now = index.reindex(jaar).to_numpy()
    before = index.reindex(jaar - 1).to_numpy()
    base = float(index.get(basisjaar, np.nan))
    a = np.ones(len(frame))
    b = np.zeros(len(frame))
    notes = np.full(len(frame), "", dtype=object)
    euro = kind == "euro"
    a[euro] = base / now[euro]
    growth = kind == "groei"
    change = now[growth] / before[growth] - 1
    a[growth] = 1 / (1 + change)
    b[growth] = -100 * change / (1 + change)
    missing_now = (euro | growth) & ~np.isfinite(now)
    missing_before = growth & ~np.isfinite(before)
    notes[missing_now] = [f"geen prijsindex '{deflator}' voor {year}" for year in jaar[missing_now]]
    notes[missing_before & ~missing_now] = [
        f"geen prijsindex '{deflator}' voor {year - 1}" for year in jaar[missing_before
                                                                          & ~missing_now]]
    if euro.any() and not np.isfinite(base):
        notes[euro] = f"geen prijsindex '{deflator}' voor basisjaar {basisjaar}"
    return a, b, notes


def deflate_values(frame: pd.DataFrame, catalogue: Catalogue, prices: pd.DataFrame,
                   deflator: str, basisjaar: int) -> pd.DataFrame:
    """Real values for a frame with indicator, jaar, waarde (and optionally teller)."""
    a, b, notes = affine(frame, catalogue, prices, deflator, basisjaar)
    result = frame.copy()
    result["waarde_nominaal"] = frame["waarde"]
    result["waarde"] = frame["waarde"].to_numpy(dtype=float) * a + b
    result["prijsbasis"] = np.where(
        (a != 1) | (b != 0) | (notes != ""),
        f"{deflator}, prijzen van {basisjaar}", "")
    result["opmerking"] = notes
    return result


def deflate_positions(frame: pd.DataFrame, catalogue: Catalogue, prices: pd.DataFrame,
                      deflator: str, basisjaar: int) -> pd.DataFrame:
    """Apply the same affine map to value, median and mean (and scale sd); z, percentile and
    rank do not change because the map is the same for every member of a comparison set."""
    a, b, notes = affine(frame, catalogue, prices, deflator, basisjaar)
    result = frame.copy()
    for column in ("waarde", "mediaan", "gemiddelde"):
        if column in result:
            result[column] = result[column].to_numpy(dtype=float) * a + b
    if "sd" in result:
        result["sd"] = result["sd"].to_numpy(dtype=float) * np.abs(a)
    result["opmerking"] = notes
    return result
