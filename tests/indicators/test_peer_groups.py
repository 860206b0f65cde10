"""Peer groups and positions, checked against hand computations."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from schouders.config import Settings
from schouders.indicators import api
from schouders.indicators.context import definitions
from schouders.indicators.peers import membership, size_class
from schouders.indicators.structure import read_structure

CASE_NAMES = ["Twenterand", "Kapelle", "Hoogeveen", "Tilburg", "Haarlem", "Zandvoort", "Emmen",
              "Súdwest-Fryslân", "Krimpen aan den IJssel"]


@pytest.mark.parametrize(("inwoners", "label"), [
    (4_999, "minder dan 5.000 inwoners"), (5_000, "5.000 tot 10.000 inwoners"),
    (49_999, "20.000 tot 50.000 inwoners"), (150_000, "150.000 tot 250.000 inwoners"),
    (250_000, "250.000 inwoners of meer")])
def test_cbs_size_classes(inwoners: int, label: str) -> None:
    assert size_class(inwoners)[1] == label


def test_shipped_groups_use_warehouse_codes(warehouse_settings: Settings) -> None:
    groups = definitions().peers.groups
    con = duckdb.connect(str(warehouse_settings.warehouse_path), read_only=True)
    try:
        names = dict(con.execute(
            "SELECT gm_code, naam FROM gemeente_jaar WHERE jaar = 2025").fetchall())
    finally:
        con.close()
    assert sorted(names[code] for code in groups["casusgemeenten 2020"].leden) == sorted(
        CASE_NAMES)
    assert {names[code] for code in groups["G4"].leden} == {
        "Amsterdam", "Rotterdam", "'s-Gravenhage", "Utrecht"}


def test_position_in_size_class_by_hand(settings: Settings, delivered: pd.DataFrame,
                                        breakdowns: pd.DataFrame) -> None:
    key = ["gm_code", "jaar", "document"]
    year = delivered[(delivered["jaar"] == 2024) & (delivered["document"] == "jaarrekening")]
    year = year[(year["inwoners"] >= 20_000) & (year["inwoners"] < 50_000)]
    overhead = breakdowns[(breakdowns["breakdown"] == "lasten_per_taakveld")
                          & (breakdowns["key1"] == "0.4")][[*key, "bedrag_x1000_eur"]]
    merged = year.merge(overhead, on=key, how="left").fillna({"bedrag_x1000_eur": 0})
    shares = (merged["bedrag_x1000_eur"] / merged["lasten"] * 100).to_numpy()
    codes = merged["gm_code"].to_numpy()[np.isfinite(shares)]
    shares = shares[np.isfinite(shares)]
    own = float(shares[codes == "GM0677"][0])
    result = api.profile(settings, "GM0677", 2024, "jaarrekening", peer_group="grootteklasse")
    row = result.posities.set_index("indicator").loc["overhead_pct"]
    assert row["n"] == len(shares)
    assert row["mediaan"] == pytest.approx(np.median(shares))
    assert row["percentiel"] == pytest.approx(100 * (shares < own).sum() / (len(shares) - 1))
    assert row["z"] == pytest.approx((own - shares.mean()) / shares.std(ddof=1))
    assert row["rang"] == 1 + (shares > own).sum()
    assert "GM0677" in set(result.peers["gm_code"]) and len(result.peers) >= len(shares)


def test_nearest_neighbours(settings: Settings) -> None:
    result = api.profile(settings, "GM0363", 2024, "jaarrekening", peer_group="knn")
    assert len(result.peers) == definitions().peers.k
    assert "GM0363" not in set(result.peers["gm_code"])
    assert {"GM0599", "GM0518"} <= set(result.peers["gm_code"])   # Rotterdam, Den Haag
    assert result.peers["afstand"].is_monotonic_increasing


def test_custom_group_and_member_list(settings: Settings) -> None:
    result = api.profile(settings, "Hulst", 2024, "jaarrekening",
                         peer_group="casusgemeenten 2020")
    assert len(result.peers) == 9
    assert any("hoort zelf niet bij deze groep" in note for note in result.toelichting)
    row = result.posities.set_index("indicator").loc["overhead_pct"]
    assert row["n"] == 10
    listed = api.profile(settings, "GM0677", 2024, "jaarrekening",
                         peer_group=["GM0678", "GM0654", "GM0664", "GM0687", "GM0703"])
    assert listed.posities.set_index("indicator").loc["overhead_pct", "n"] == 6


def test_stedelijkheid_from_the_snapshot(settings: Settings, data_dir: Path) -> None:
    classes = pd.read_csv(data_dir / "michielsd_begrotingsanalysetool/Brondata/"
                          "Gemeenteklassen/2024.csv", sep="\t")
    crosswalk = pd.read_csv(data_dir / "crosswalk/derived_naam_naar_gmcode.csv")
    codes = dict(crosswalk[crosswalk["methode"] == "name_match"][["naam", "gm_code"]]
                 .drop_duplicates().itertuples(index=False, name=None))
    hulst = classes[classes["Gemeenten"] == "Hulst"]["Stedelijkheid"].iloc[0]
    same = {codes[name] for name in classes[classes["Stedelijkheid"] == hulst]["Gemeenten"]}
    peers = api.peer_group_members(settings, "GM0677", 2024, "stedelijkheid")
    assert set(peers["gm_code"]) == same


def test_without_snapshot_directory_stedelijkheid_is_unavailable() -> None:
    structure = read_structure(None)
    assert not structure.available
    assert "snapshotmap" in (structure.reason or "")
    municipalities = pd.DataFrame({"gm_code": ["GM0001"], "jaar": [2024],
                                   "provincie_code": ["PV20"], "provincie_naam": ["Groningen"]})
    population = pd.DataFrame({"gm_code": ["GM0001"], "jaar": [2024], "inwoners": [12_000]})
    types = set(membership(municipalities, population, structure)["peer_type"])
    assert types == {"grootteklasse", "provincie"}
