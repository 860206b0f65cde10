"""Everything a warehouse build needs, gathered from one source (snapshot or live CBS)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from schouders.sources.provenance import Provenance
from schouders.warehouse.iv3_facts import Iv3Frames

# progress(step_description, done, total)
Progress = Callable[[str, int, int], None]


def no_progress(_step: str, _done: int, _total: int) -> None:
    return None


@dataclass
class LoadedData:
    municipalities_per_year: pd.DataFrame  # gm_code, jaar, naam
    regions: pd.DataFrame  # gm_code, naam, begindatum, provincie_code, provincie_naam
    herindelingen: pd.DataFrame  # datum, jaar, soort, oude_*, nieuwe_*, inwoners, aandeel
    population: pd.DataFrame  # gm_code, jaar, inwoners
    prices: pd.DataFrame  # reeks, jaar, waarde, basisjaar, bron
    codes: pd.DataFrame  # jaar, codelijst, code, omschrijving, ouder
    iv3: Iv3Frames
    provenance: list[Provenance] = field(default_factory=list)
    source_label: str = ""
    raw_snapshot: Path | None = None  # where a live build recorded what it downloaded
