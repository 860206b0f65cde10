"""Peer groups: CBS size class, stedelijkheid, province, custom lists and nearest neighbours.

Membership is computed per year for every municipality that existed on 1 January of that year and
stored with the cached values, so a profile never needs the source files at query time.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from schouders.errors import SchoudersError
from schouders.indicators.structure import Structure
from schouders.indicators.tomlfile import packaged, read_toml, require, string_list

GM_PATTERN = re.compile(r"^GM\d{4}$")
PARTITION_TYPES = ("grootteklasse", "stedelijkheid", "provincie")
BUILT_IN = (*PARTITION_TYPES, "knn")
FEATURES = ("log_inwoners", "stedelijkheid", "sociale_structuur", "centrumfunctie")
SIZE_CLASSES = (
    (0, 5_000, "minder dan 5.000 inwoners"),
    (5_000, 10_000, "5.000 tot 10.000 inwoners"),
    (10_000, 20_000, "10.000 tot 20.000 inwoners"),
    (20_000, 50_000, "20.000 tot 50.000 inwoners"),
    (50_000, 100_000, "50.000 tot 100.000 inwoners"),
    (100_000, 150_000, "100.000 tot 150.000 inwoners"),
    (150_000, 250_000, "150.000 tot 250.000 inwoners"),
    (250_000, None, "250.000 inwoners of meer"),
)
TYPE_LABELS = {"grootteklasse": "gemeentegrootteklasse (CBS)", "stedelijkheid":
               "stedelijkheidsklasse (CBS)", "provincie": "provincie",
               "knn": "meest gelijkende gemeenten", "groep": "eigen groep"}


@dataclass(frozen=True)
class CustomGroup:
    key: str
    naam: str
    beschrijving: str
    leden: tuple[str, ...]


@dataclass(frozen=True)
class PeerConfig:
    minimum_leden: int
    k: int
    kenmerken: tuple[str, ...]
    groups: dict[str, CustomGroup]
    source: str

    @property
    def fingerprint(self) -> str:
        payload = {"minimum": self.minimum_leden, "k": self.k, "kenmerken": self.kenmerken,
                   "groepen": {key: group.leden for key, group in sorted(self.groups.items())}}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]

    def find_group(self, name: str) -> CustomGroup | None:
        wanted = name.strip().lower()
        for key, group in self.groups.items():
            if wanted in (key.lower(), group.naam.lower()):
                return group
        return None


def size_class(inwoners: float) -> tuple[int, str]:
    for index, (low, high, label) in enumerate(SIZE_CLASSES):
        if inwoners >= low and (high is None or inwoners < high):
            return index, label
    return 0, SIZE_CLASSES[0][2]


def load_peer_config(path: Path | None = None) -> PeerConfig:
    path = path or packaged("peergroepen.toml")
    data = read_toml(path)
    where = str(path)
    minimum = data.get("minimum_leden", 5)
    knn = data.get("knn", {})
    k = knn.get("k", 10)
    for name, value in (("minimum_leden", minimum), ("knn.k", k)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise SchoudersError(f"{where}: {name} moet een positief geheel getal zijn.")
    kenmerken = string_list(knn, "kenmerken", f"{where} [knn]") or ("log_inwoners",)
    for feature in kenmerken:
        if feature not in FEATURES:
            raise SchoudersError(f"{where} [knn]: onbekend kenmerk '{feature}'.",
                                 f"Kies uit: {', '.join(FEATURES)}.")
    groups = {}
    for key, entry in data.get("groep", {}).items():
        label = f"{where}: groep '{key}'"
        leden = string_list(entry, "leden", label, required=True)
        bad = [code for code in leden if not GM_PATTERN.match(code)]
        if bad:
            raise SchoudersError(f"{label}: '{bad[0]}' is geen GM-code.",
                                 "Gebruik codes als GM0363; namen zijn niet eenduidig.")
        if key.lower() in BUILT_IN:
            raise SchoudersError(f"{label}: deze naam is gereserveerd voor een ingebouwd "
                                 "groepstype.")
        groups[key] = CustomGroup(key, require(entry, "naam", label),
                                  entry.get("beschrijving", ""), tuple(dict.fromkeys(leden)))
    return PeerConfig(minimum, k, kenmerken, groups, where)


def membership(
    municipalities: pd.DataFrame, population: pd.DataFrame, structure: Structure
) -> pd.DataFrame:
    """peer_type, groep, groep_naam, jaar, gm_code for the partition types.

    municipalities: gm_code, jaar, provincie_code, provincie_naam; population: gm_code, jaar,
    inwoners.
    """
    frames = []
    sized = municipalities.merge(population, on=["gm_code", "jaar"], how="inner")
    classes = sized["inwoners"].map(size_class)
    frames.append(pd.DataFrame({
        "peer_type": "grootteklasse", "groep": classes.map(lambda item: str(item[0])),
        "groep_naam": classes.map(lambda item: item[1]), "jaar": sized["jaar"],
        "gm_code": sized["gm_code"]}))
    provinces = municipalities.dropna(subset=["provincie_code"])
    frames.append(pd.DataFrame({
        "peer_type": "provincie", "groep": provinces["provincie_code"],
        "groep_naam": provinces["provincie_naam"].fillna(provinces["provincie_code"]),
        "jaar": provinces["jaar"], "gm_code": provinces["gm_code"]}))
    if structure.available:
        for jaar in sorted(municipalities["jaar"].unique()):
            bronjaar, classes_year = structure.stedelijkheid_for(int(jaar))
            existing = municipalities[municipalities["jaar"] == jaar][["gm_code"]]
            joined = existing.merge(classes_year, on="gm_code", how="inner")
            suffix = "" if bronjaar == jaar else f" (indeling {bronjaar})"
            frames.append(pd.DataFrame({
                "peer_type": "stedelijkheid", "groep": joined["klasse"].astype(int).astype(str),
                "groep_naam": joined["label"] + suffix, "jaar": int(jaar),
                "gm_code": joined["gm_code"]}))
    result = pd.concat(frames, ignore_index=True)
    result["jaar"] = result["jaar"].astype("int64")
    return result


def custom_membership(config: PeerConfig, municipalities: pd.DataFrame) -> pd.DataFrame:
    """groep, groep_naam, jaar, gm_code for the custom groups (members existing that year)."""
    known = set(municipalities["gm_code"])
    rows: list[dict[str, object]] = []
    for group in config.groups.values():
        unknown = [code for code in group.leden if code not in known]
        if unknown:
            raise SchoudersError(
                f"{config.source}: groep '{group.key}' bevat {unknown[0]}, een code die in geen "
                "enkel jaar in het warehouse voorkomt.",
                "Controleer de GM-code (zie 'schouders gemeente NAAM').")
        members = municipalities[municipalities["gm_code"].isin(group.leden)]
        rows.extend({"groep": group.key, "groep_naam": group.naam, "jaar": int(jaar),
                     "gm_code": code} for code, jaar in members[["gm_code", "jaar"]].itertuples(
                         index=False))
    return pd.DataFrame(rows, columns=["groep", "groep_naam", "jaar", "gm_code"])


def features(
    municipalities: pd.DataFrame, population: pd.DataFrame, structure: Structure,
    wanted: tuple[str, ...],
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Feature table (gm_code, jaar, one column per usable feature) and the features used."""
    table = municipalities[["gm_code", "jaar"]].merge(population, on=["gm_code", "jaar"],
                                                       how="inner")
    table["log_inwoners"] = np.log(table["inwoners"].clip(lower=1).astype(float))
    used = ["log_inwoners"] if "log_inwoners" in wanted else []
    if structure.available:
        if "stedelijkheid" in wanted:
            parts = []
            for jaar in sorted(table["jaar"].unique()):
                _, classes = structure.stedelijkheid_for(int(jaar))
                parts.append(classes[["gm_code", "klasse"]].assign(jaar=int(jaar)))
            classes_all = pd.concat(parts, ignore_index=True).rename(
                columns={"klasse": "stedelijkheid"})
            table = table.merge(classes_all, on=["gm_code", "jaar"], how="left")
            used.append("stedelijkheid")
        for feature in ("sociale_structuur", "centrumfunctie"):
            if feature in wanted and not structure.kenmerken.empty:
                table = table.merge(structure.kenmerken[["gm_code", feature]], on="gm_code",
                                    how="left")
                used.append(feature)
    if not used:
        raise SchoudersError("Geen bruikbare kenmerken voor de meest gelijkende gemeenten.",
                             "Neem 'log_inwoners' op in [knn] kenmerken van peergroepen.toml.")
    return table[["gm_code", "jaar", *used]], tuple(used)


def nearest_neighbours(table: pd.DataFrame, used: tuple[str, ...], k: int) -> pd.DataFrame:
    """jaar, gm_code, buur, afstand, rang: the k nearest municipalities per year.

    Features are standardised per year; a missing feature (e.g. centrumfunctie of the G4) is left
    out of that pair's distance, which is rescaled to the full number of features.
    """
    rows = []
    for jaar, year_table in table.groupby("jaar"):
        values = year_table[list(used)].to_numpy(dtype=float)
        mean = np.nanmean(values, axis=0)
        std = np.nanstd(values, axis=0)
        std[~np.isfinite(std) | (std == 0)] = 1.0
        z = (values - mean) / std
        diff = z[:, None, :] - z[None, :, :]
        present = np.isfinite(diff)
        squared = np.where(present, diff ** 2, 0.0).sum(axis=2)
        counts = present.sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            distance = np.sqrt(squared * len(used) / counts)
        distance[counts == 0] = np.inf
        np.fill_diagonal(distance, np.inf)
        codes = year_table["gm_code"].to_numpy()
        size = min(k, len(codes) - 1)
        if size <= 0:
            continue
        order = np.argsort(distance, axis=1, kind="stable")[:, :size]
        chosen = np.take_along_axis(distance, order, axis=1)
        rows.append(pd.DataFrame({
            "jaar": int(jaar), "gm_code": np.repeat(codes, size),
            "buur": codes[order].ravel(),
            "afstand": np.where(np.isfinite(chosen), chosen, np.nan).ravel(),
            "rang": np.tile(np.arange(1, size + 1), len(codes))}))
    if not rows:
        return pd.DataFrame(columns=["jaar", "gm_code", "buur", "afstand", "rang"])
    return pd.concat(rows, ignore_index=True)
