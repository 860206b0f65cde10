"""The CBS OData v4 source (population, CPI, government price, code list) against the stand-in.

The stand-in serves the real captured CBS responses; expected values are read directly from the
derived CSV files of the snapshot (or quoted from SOURCES.md).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from schouders.errors import DownloadError
from schouders.sources.cbs_opendata import OpenDataSource, parse_herindelingen
from schouders.sources.odata import ODataClient
from schouders.testing.cbs_standin import CBSStandIn

V4 = "checkdecijfers_cbs_odata_v4"
PAGE = 1000


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[CBSStandIn]:
    with CBSStandIn(data_dir, page_size=PAGE) as cbs:
        yield cbs


@pytest.fixture
def cbs(server: CBSStandIn) -> Iterator[CBSStandIn]:
    server.reset()
    yield server
    server.reset()


@pytest.fixture
def opendata(cbs: CBSStandIn) -> Iterator[OpenDataSource]:
    with ODataClient(cbs.datasets_url, backoff=0.01) as client:
        yield OpenDataSource(client)


@pytest.fixture(scope="module")
def codes(server: CBSStandIn) -> pd.DataFrame:
    with ODataClient(server.datasets_url, backoff=0.01) as client:
        return OpenDataSource(client).municipal_codes()


def test_population_matches_snapshot(
    cbs: CBSStandIn, opendata: OpenDataSource, data_dir: Path, tmp_path: Path
) -> None:
    progress: list[tuple[int, int | None]] = []
    frame = opendata.population(journal_dir=tmp_path,
                                progress=lambda n, total: progress.append((n, total)))
    with open(data_dir / V4 / "derived_03759ned_bevolking_NL_PV_GM_2019plus.csv",
              encoding="utf-8") as stream:
        derived = [row for row in csv.DictReader(stream) if row["RegioS"].startswith("GM")]
    amsterdam = next(r for r in derived if r["RegioS"] == "GM0363" and r["jaar"] == "2025")
    got = frame[(frame["gm_code"] == "GM0363") & (frame["jaar"] == 2025)]["inwoners"]
    assert got.tolist() == [int(float(amsterdam["bevolking_1_januari"]))]
    assert frame[frame["jaar"] == 2025]["gm_code"].nunique() == 342
    assert frame["gm_code"].str.fullmatch(r"GM\d{4}").all()
    expected = {(r["RegioS"], int(r["jaar"])): int(float(r["bevolking_1_januari"]))
                for r in derived if r["bevolking_1_januari"]}
    assert dict(zip(zip(frame["gm_code"], frame["jaar"], strict=True), frame["inwoners"],
                    strict=True)) == expected
    observations = [r for r in cbs.requests if "/Observations" in r]
    assert len(observations) == math.ceil(progress[-1][0] / PAGE) > 1  # paged
    assert progress[-1][0] == progress[-1][1]  # count checked against @odata.count
    assert list(tmp_path.iterdir()) == []  # journal removed after success


def test_cpi(opendata: OpenDataSource) -> None:
    cpi = opendata.cpi().set_index("jaar")["cpi"]
    assert cpi[2017] == pytest.approx(75.62)
    assert cpi[2022] == pytest.approx(90.29)
    assert cpi[2024] == pytest.approx(96.90)
    assert cpi[2025] == pytest.approx(100.0)
    assert cpi.index.min() == 2010


def test_government_consumption_price(opendata: OpenDataSource) -> None:
    price = opendata.government_consumption_price().set_index("jaar")["mutatie_pct"]
    assert price.to_dict() == pytest.approx(
        {2020: 2.1, 2021: 3.1, 2022: 5.5, 2023: 6.1, 2024: 5.6, 2025: 3.3})


def test_municipal_codes(codes: pd.DataFrame) -> None:
    assert len(codes) == 835 and codes["gm_code"].is_unique
    assert list(codes.columns) == ["gm_code", "gm_naam", "provincie_code", "description"]
    row = codes.set_index("gm_code").loc["GM0363"]
    assert row["gm_naam"] == "Amsterdam" and row["provincie_code"] == "PV27"
    assert codes["provincie_code"].dropna().str.fullmatch(r"PV\d{2}").all()
    assert codes["provincie_code"].isna().sum() == 1  # GM0997, group OVERIG


def test_herindelingen_equal_derived_csv(codes: pd.DataFrame, data_dir: Path) -> None:
    parsed = parse_herindelingen(codes)
    derived = pd.read_csv(data_dir / V4 / "derived_herindelingen_opheffingen.csv",
                          dtype={"datum": str, "soort": str, "oude_gm_code": str,
                                 "oude_gm_naam": str, "nieuwe_gm_code": str,
                                 "nieuwe_gm_naam": str})
    assert list(parsed.columns) == list(derived.columns)

    def pairs(frame: pd.DataFrame) -> set[tuple[str, str, str]]:
        rows = frame[(frame["soort"] == "opheffing")
                     & frame["datum"].str[:4].between("2017", "2023")]
        return set(zip(rows["datum"], rows["oude_gm_code"], rows["nieuwe_gm_code"], strict=True))

    assert pairs(parsed) == pairs(derived) and len(pairs(parsed)) > 50

    littenseradiel = parsed[(parsed["oude_gm_code"] == "GM0140")]
    assert len(littenseradiel) == 3 and set(littenseradiel["datum"]) == {"2018-01-01"}
    assert littenseradiel["aandeel_inwoners"].sum() == pytest.approx(1.0, abs=1e-3)

    # The full table is reproduced: every row and value (the parser's ordering may differ)
    key = ["datum", "soort", "oude_gm_code", "nieuwe_gm_code"]
    left = parsed.sort_values(key, ignore_index=True)
    right = derived.sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_v4_filters_and_errors(cbs: CBSStandIn, opendata: OpenDataSource) -> None:
    client = opendata.client
    rows = client.fetch_all("03759ned/Observations", {
        "$filter": "Measure eq 'M000352' and (RegioS eq 'GM0363' or RegioS eq 'NL01') "
                   "and not (Perioden lt '2025JJ00')",
        "$select": "RegioS,Perioden,Value", "$count": "true"})
    assert {(r["RegioS"], r["Perioden"]) for r in rows} == {
        ("GM0363", "2025JJ00"), ("GM0363", "2026JJ00"), ("NL01", "2025JJ00"),
        ("NL01", "2026JJ00")}
    assert set(rows[0]) == {"RegioS", "Perioden", "Value"}
    top = client.fetch_all("86141NED/Observations",
                           {"$filter": "substringof('JJ',Perioden)", "$top": "2500",
                            "$skip": "7"})
    assert len(top) == 16 * 7 - 7  # 16 annual periods x 7 measures, skipping 7
    catalog = client.fetch_all("Datasets", {"$filter": "startswith(Identifier,'8614')"})
    assert [row["Identifier"] for row in catalog] == ["86141NED"]
    dimensions = client.get_json("03759ned/Dimensions")
    assert all(d["CodesUrl"].startswith(cbs.datasets_url) for d in dimensions["value"])

    with pytest.raises(DownloadError, match="HTTP 404"):
        client.fetch_all("00000xyz/Observations")
    with pytest.raises(DownloadError, match="HTTP 400"):
        client.fetch_all("03759ned/Observations", {"$filter": "Value add 1"})
    with pytest.raises(DownloadError, match="HTTP 400"):
        client.fetch_all("03759ned/Observations", {"$filter": "Unknown eq 'x'"})


def test_v4_repeat_and_resume(cbs: CBSStandIn, opendata: OpenDataSource, tmp_path: Path) -> None:
    clean = opendata.population()
    cbs.reset()
    cbs.faults.add("$skip=", "503", times=100, after_requests=1)
    opendata.client.max_retries = 1
    with pytest.raises(DownloadError):
        opendata.population(journal_dir=tmp_path)
    cbs.reset()
    resumed = opendata.population(journal_dir=tmp_path)
    assert all("$skip=" in r for r in cbs.requests)
    pd.testing.assert_frame_equal(resumed, clean)
    cbs.faults.add("$skip=", "repeat", times=100)
    with pytest.raises(DownloadError, match="dezelfde pagina"):
        opendata.population()


def test_municipal_code_list_is_checked_against_its_count(
    cbs: CBSStandIn, opendata: OpenDataSource
) -> None:
    """Attack probe: RegioSCodes cut short. The client asks for $count and checks it."""
    cbs.faults.add("RegioSCodes", "short", times=1)
    with pytest.raises(DownloadError, match="Onvolledige download"):
        opendata.municipal_codes()
    assert all("$count=true" in r for r in cbs.requests if "RegioSCodes" in r)


def test_observation_ids_arriving_twice_are_refused(
    cbs: CBSStandIn, opendata: OpenDataSource
) -> None:
    cbs.faults.add("Observations", "stale", times=1, after_requests=1)
    with pytest.raises(DownloadError, match="dezelfde pagina"):
        opendata.population()
