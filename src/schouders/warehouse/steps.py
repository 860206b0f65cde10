"""Warehouse steps beside the core build: each turns one table family of a source into tables.

A step returns its frames and their provenance. Where a source does not have a table family (a
live build has no stedelijkheid classes or boundaries), the step returns empty tables and a
provenance row with 0 rows saying why, so readers can tell "unavailable" from "empty".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from schouders.sources.provenance import Provenance


@dataclass
class StepResult:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    provenance: list[Provenance] = field(default_factory=list)

