"""Warehouse step: stedelijkheid classes, sociale structuur / centrumfunctie and the crosswalk.

From a snapshot directory: the michielsd Brondata files and the crosswalk (see
``schouders.sources.structure_files``). There is no live CBS source for them: a live build stores
empty tables with a provenance row that says so, and the indicator engine then reports the
stedelijkheid peer group as unavailable.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from schouders.sources import structure_files as files
from schouders.sources.provenance import unavailable_provenance
from schouders.warehouse.steps import StepResult

STEDELIJKHEID = "gemeente_stedelijkheid"
KENMERK = "gemeente_kenmerk"
CROSSWALK = "naam_gmcode"
COLUMNS = {
    STEDELIJKHEID: ["bronjaar", "gm_code", "klasse", "label"],
    KENMERK: ["gm_code", "sociale_structuur", "centrumfunctie"],
    CROSSWALK: ["bron", "naam", "gm_code", "methode"],
}
LIVE_REASON = (
    "live niet beschikbaar: CBS heeft geen OData-tabel met deze gemeenteklassen "
    "(stedelijkheid en sociale structuur/centrumfunctie komen uit de snapshotmap, "
    "michielsd Brondata); bouw met --data-dir om ze te gebruiken"
)


def empty(table: str) -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS[table])


def gather_structure(data_dir: Path | None) -> StepResult:
    result = StepResult({table: empty(table) for table in COLUMNS})
    if data_dir is None:
        result.provenance = [unavailable_provenance(table, LIVE_REASON) for table in COLUMNS]
        return result
    crosswalk = files.read_crosswalk(data_dir)
    if crosswalk is None:
        reason = (f"de snapshotmap {data_dir} bevat geen {files.CROSSWALK}, dus geen koppeling "
                  "van namen aan GM-codes voor stedelijkheid en sociale structuur")
        result.provenance = [unavailable_provenance(table, reason) for table in COLUMNS]
        return result
    result.tables[CROSSWALK] = crosswalk.frame
    result.provenance.append(crosswalk.provenance)
    names = files.name_to_code(crosswalk.frame)
    classes = files.read_stedelijkheid(data_dir, names)
    if classes:
        result.tables[STEDELIJKHEID] = pd.concat([t.frame for t in classes], ignore_index=True)
        result.provenance += [t.provenance for t in classes]
    else:
        result.provenance.append(unavailable_provenance(
            STEDELIJKHEID, f"de snapshotmap {data_dir} bevat geen Gemeenteklassen-bestanden "
            f"({files.KLASSEN_DIR}/<jaar>.csv), dus geen CBS-stedelijkheid"))
    kenmerken = files.read_kenmerken(data_dir, names)
    if kenmerken is not None:
        result.tables[KENMERK] = kenmerken.frame
        result.provenance.append(kenmerken.provenance)
    else:
        result.provenance.append(unavailable_provenance(
            KENMERK, f"de snapshotmap {data_dir} bevat geen {files.SOCIAAL}, dus geen sociale "
            "structuur en centrumfunctie"))
    return result
