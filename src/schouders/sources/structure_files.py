"""Structural characteristics of municipalities from the snapshot (michielsd Brondata, crosswalk).

Stedelijkheid per year (``Gemeenteklassen/{jaar}.csv``), sociale structuur / centrumfunctie
(``sociale_structuur_centrumfunctie.csv``), both keyed by *name* in the source and mapped to GM
codes with the snapshot's crosswalk (``crosswalk/derived_naam_naar_gmcode.csv``). There is no CBS
OData source for these classes, so a live build has none (the warehouse step records why).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from schouders.errors import DataFileError
from schouders.sources.csvfile import SNAPSHOT_HINT, read_csv_strict
from schouders.sources.provenance import SourceTable, file_provenance

BRONDATA = "michielsd_begrotingsanalysetool/Brondata"
KLASSEN_DIR = f"{BRONDATA}/Gemeenteklassen"
SOCIAAL = f"{BRONDATA}/sociale_structuur_centrumfunctie.csv"
CROSSWALK = "crosswalk/derived_naam_naar_gmcode.csv"

STEDELIJKHEID = {"Zeersterkstedelijk": (1, "zeer sterk stedelijk"),
                 "Sterkstedelijk": (2, "sterk stedelijk"),
                 "Matigstedelijk": (3, "matig stedelijk"),
                 "Weinigstedelijk": (4, "weinig stedelijk"),
                 "Nietstedelijk": (5, "niet stedelijk")}
SOCIALE_STRUCTUUR = {"Goed": 1, "Redelijk": 2, "Matig": 3, "Zwak": 4}
CENTRUMFUNCTIE = {"Zonder": 0, "Weinig": 1, "Redelijk": 2, "Sterk": 3}


def klassen_files(data_dir: Path) -> list[Path]:
    return [path for path in sorted((data_dir / KLASSEN_DIR).glob("*.csv"))
            if path.stem.isdigit()]


def read_crosswalk(data_dir: Path) -> SourceTable | None:
    """bron, naam, gm_code (None when unmatched), methode; None when the file is absent."""
    path = data_dir / CROSSWALK
    if not path.exists():
        return None
    frame = read_csv_strict(path, ["bron", "naam", "gm_code", "methode"])
    frame["gm_code"] = frame["gm_code"].where(frame["gm_code"] != "", None)
    result = frame[["bron", "naam", "gm_code", "methode"]].reset_index(drop=True)
    return SourceTable(result, file_provenance("naam_gmcode", path, len(result)))


def name_to_code(crosswalk: pd.DataFrame) -> dict[str, str]:
    """Unambiguous name -> GM code from the crosswalk (name matches and manual spellings)."""
    frame = crosswalk[crosswalk["methode"].isin(["name_match", "manual_spelling"])
                      & crosswalk["gm_code"].fillna("").str.fullmatch(r"GM\d{4}")]
    pairs = frame[["naam", "gm_code"]].drop_duplicates()
    ambiguous = set(pairs.loc[pairs["naam"].duplicated(), "naam"])
    return {naam: code for naam, code in pairs.itertuples(index=False) if naam not in ambiguous}


def read_stedelijkheid(data_dir: Path, names: dict[str, str]) -> list[SourceTable]:
    """One table per Gemeenteklassen file: gm_code, bronjaar, klasse (1-5), label."""
    tables = []
    for path in klassen_files(data_dir):
        frame = read_csv_strict(path, ["Gemeenten", "Stedelijkheid"], sep="\t")
        unknown = ~frame["Stedelijkheid"].isin(list(STEDELIJKHEID))
        if unknown.any():
            position = int(unknown.to_numpy().nonzero()[0][0])
            raise DataFileError(path, f"onbekende stedelijkheidsklasse "
                                f"{frame['Stedelijkheid'].iloc[position]!r}",
                                location=f"regel {position + 2}",
                                expected=", ".join(STEDELIJKHEID), hint=SNAPSHOT_HINT)
        result = pd.DataFrame({
            "gm_code": frame["Gemeenten"].map(names), "bronjaar": int(path.stem),
            "klasse": frame["Stedelijkheid"].map(lambda v: STEDELIJKHEID[v][0]),
            "label": frame["Stedelijkheid"].map(lambda v: STEDELIJKHEID[v][1])})
        result = result.dropna(subset=["gm_code"]).reset_index(drop=True)
        _require_unique(result, ["bronjaar", "gm_code"], path)
        tables.append(SourceTable(result, file_provenance("gemeente_stedelijkheid", path,
                                                          len(result))))
    return tables


def read_kenmerken(data_dir: Path, names: dict[str, str]) -> SourceTable | None:
    """gm_code, sociale_structuur (1-4), centrumfunctie (0-3); None when the file is absent."""
    path = data_dir / SOCIAAL
    if not path.exists():
        return None
    frame = read_csv_strict(path, ["Gemeenten", "Centrumfunctie", "Sociale structuur"], sep="\t")
    for column, classes in (("Sociale structuur", SOCIALE_STRUCTUUR),
                            ("Centrumfunctie", CENTRUMFUNCTIE)):
        bad = ~frame[column].isin(list(classes)) & (frame[column].str.strip() != "")
        if bad.any():
            position = int(bad.to_numpy().nonzero()[0][0])
            raise DataFileError(path, f"onbekende waarde {frame[column].iloc[position]!r} in "
                                f"kolom {column!r}", location=f"regel {position + 2}",
                                expected=", ".join(classes), hint=SNAPSHOT_HINT)
    result = pd.DataFrame({
        "gm_code": frame["Gemeenten"].map(names),
        "sociale_structuur": frame["Sociale structuur"].map(SOCIALE_STRUCTUUR).astype("Int64"),
        "centrumfunctie": frame["Centrumfunctie"].map(CENTRUMFUNCTIE).astype("Int64"),
    }).dropna(subset=["gm_code"]).reset_index(drop=True)
    _require_unique(result, ["gm_code"], path)
    return SourceTable(result, file_provenance("gemeente_kenmerk", path, len(result)))


def _require_unique(frame: pd.DataFrame, key: list[str], path: Path) -> None:
    duplicated = frame.duplicated(key, keep=False)
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise DataFileError(path, "twee regels voor dezelfde gemeente "
                            f"({', '.join(str(first[k]) for k in key)})",
                            hint=SNAPSHOT_HINT)
