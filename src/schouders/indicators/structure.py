"""Structural characteristics of municipalities from the snapshot directory (michielsd Brondata).

Stedelijkheid per year (Gemeenteklassen/{jaar}.csv) and sociale structuur / centrumfunctie
(sociale_structuur_centrumfunctie.csv), keyed by name in the source and mapped to GM codes with
the project crosswalk. Read through ``settings.data_dir``; nothing is copied into the repository.
Without a data directory these characteristics are unavailable (see :class:`Structure`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from schouders.errors import DataFileError
from schouders.sources.csvfile import read_csv_strict

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


@dataclass(frozen=True)
class Structure:
    """stedelijkheid: gm_code, bronjaar, klasse (1-5), label; kenmerken: gm_code,
    sociale_structuur (1-4), centrumfunctie (0-3); either empty when unavailable."""

    stedelijkheid: pd.DataFrame
    kenmerken: pd.DataFrame
    available: bool
    reason: str | None
    fingerprint: str

    def stedelijkheid_for(self, jaar: int) -> tuple[int | None, pd.DataFrame]:
        """The classification used for a year: that year's file, else the nearest year."""
        years = sorted(self.stedelijkheid["bronjaar"].unique())
        if not years:
            return None, self.stedelijkheid
        chosen = min(years, key=lambda year: (abs(year - jaar), -year))
        return int(chosen), self.stedelijkheid[self.stedelijkheid["bronjaar"] == chosen]


def unavailable(reason: str) -> Structure:
    return Structure(pd.DataFrame(columns=["gm_code", "bronjaar", "klasse", "label"]),
                     pd.DataFrame(columns=["gm_code", "sociale_structuur", "centrumfunctie"]),
                     False, reason, f"geen:{reason}")


def structure_files(data_dir: Path) -> list[Path]:
    return [*sorted((data_dir / KLASSEN_DIR).glob("*.csv")), data_dir / SOCIAAL,
            data_dir / CROSSWALK]


def files_fingerprint(data_dir: Path | None) -> str:
    """Cheap identity of the structure files (path, size, mtime) for cache invalidation."""
    if data_dir is None:
        return "geen snapshotmap"
    digest = hashlib.sha256()
    for path in structure_files(data_dir):
        stat = path.stat() if path.exists() else None
        digest.update(f"{path}:{stat.st_size if stat else '-'}:"
                      f"{stat.st_mtime_ns if stat else '-'}".encode())
    return digest.hexdigest()[:16]


def read_structure(data_dir: Path | None) -> Structure:
    if data_dir is None:
        return unavailable("er is geen snapshotmap ingesteld (--data-dir / SCHOUDERS_DATA_DIR), "
                           "dus geen CBS-stedelijkheid en sociale structuur")
    klassen = sorted((data_dir / KLASSEN_DIR).glob("*.csv"))
    if not klassen:
        return unavailable(f"geen Gemeenteklassen-bestanden in {data_dir / KLASSEN_DIR}")
    names = _name_to_code(data_dir / CROSSWALK)
    frames = []
    for path in klassen:
        if not path.stem.isdigit():
            continue
        frame = read_csv_strict(path, ["Gemeenten", "Stedelijkheid"], sep="\t")
        unknown = sorted(set(frame["Stedelijkheid"]) - set(STEDELIJKHEID))
        if unknown:
            raise DataFileError(path, f"onbekende stedelijkheidsklasse {unknown[0]!r}",
                                expected=", ".join(STEDELIJKHEID))
        frames.append(pd.DataFrame({
            "gm_code": frame["Gemeenten"].map(names), "bronjaar": int(path.stem),
            "klasse": frame["Stedelijkheid"].map(lambda v: STEDELIJKHEID[v][0]),
            "label": frame["Stedelijkheid"].map(lambda v: STEDELIJKHEID[v][1])}))
    stedelijkheid = pd.concat(frames, ignore_index=True).dropna(subset=["gm_code"])
    sociaal_path = data_dir / SOCIAAL
    if sociaal_path.exists():
        frame = read_csv_strict(sociaal_path, ["Gemeenten", "Centrumfunctie", "Sociale structuur"],
                                sep="\t")
        kenmerken = pd.DataFrame({
            "gm_code": frame["Gemeenten"].map(names),
            "sociale_structuur": frame["Sociale structuur"].map(SOCIALE_STRUCTUUR),
            "centrumfunctie": frame["Centrumfunctie"].map(CENTRUMFUNCTIE)}).dropna(
                subset=["gm_code"])
    else:
        kenmerken = pd.DataFrame(columns=["gm_code", "sociale_structuur", "centrumfunctie"])
    return Structure(stedelijkheid.reset_index(drop=True), kenmerken.reset_index(drop=True),
                     True, None, files_fingerprint(data_dir))


def _name_to_code(path: Path) -> dict[str, str]:
    frame = read_csv_strict(path, ["naam", "gm_code", "methode"])
    frame = frame[frame["methode"].isin(["name_match", "manual_spelling"])
                  & frame["gm_code"].str.match(r"^GM\d{4}$")]
    pairs = frame[["naam", "gm_code"]].drop_duplicates()
    ambiguous = set(pairs.loc[pairs["naam"].duplicated(), "naam"])
    return {naam: code for naam, code in pairs.itertuples(index=False) if naam not in ambiguous}
