"""Integration tests: the real Iv3 client against the stand-in CBS server, with real data.

The stand-in serves Iv3 rows rebuilt from the aggregated snapshot (see
``schouders.testing.cbs_standin.reconstruct_iv3_rows``); the expected values are read here
directly from the snapshot files, so the whole path (paging, padding, sentinel, measure choice)
is checked against the source. Faults are injected to test retries, loop detection, count checks
and resume.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest

from schouders.errors import DownloadError
from schouders.sources.cbs_iv3 import Iv3Source
from schouders.sources.odata import ODataClient
from schouders.testing.cbs_standin import CBSStandIn

PAGE = 5000
TABLE_2023 = "45063NED"
TABLE_2022 = "45059NED"
SUMMARY = "joeykurtosis_gemeentefinancien/iv3_summary_2017_2026.csv"


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[CBSStandIn]:
    with CBSStandIn(data_dir, page_size=PAGE) as cbs:
        yield cbs


@pytest.fixture
def cbs(server: CBSStandIn) -> Iterator[CBSStandIn]:
    server.reset()
    yield server
    server.reset()


def source(cbs: CBSStandIn, **options: float) -> Iv3Source:
    client = ODataClient(cbs.dataderden_url, backoff=0.01, **options)  # type: ignore[arg-type]
    return Iv3Source(client)


def download_2023(cbs: CBSStandIn, journal_dir: Path | None = None,
                  **options: float) -> pd.DataFrame:
    iv3 = source(cbs, **options)
    try:
        return iv3.download(TABLE_2023, 2023, ("begroting",), journal_dir=journal_dir)
    finally:
        iv3.client.close()


def typed(cbs: CBSStandIn) -> list[str]:
    return [r for r in cbs.requests if "/TypedDataSet" in r]


@pytest.fixture(scope="module")
def clean(server: CBSStandIn) -> tuple[pd.DataFrame, list[str]]:
    """A fault-free download of the 2023 begroting and the TypedDataSet requests it made."""
    server.reset()
    frame = download_2023(server)
    return frame, typed(server)


@pytest.fixture(scope="module")
def summary(data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(data_dir / SUMMARY, dtype={"verslagsoort": str, "gm_code": str})


def test_catalog_lookup_by_title(cbs: CBSStandIn) -> None:
    iv3 = source(cbs)
    assert iv3.find_table(2023).identifier == TABLE_2023
    assert iv3.find_table(2017).identifier == "45038NED"
    assert iv3.find_table(2026).title == "Gemeenten 2026 onbewerkte Iv3-data"
    with pytest.raises(DownloadError, match="Gemeenten 2016 onbewerkte Iv3-data"):
        iv3.find_table(2016)


def test_download_is_paged_complete_and_real(
    cbs: CBSStandIn, clean: tuple[pd.DataFrame, list[str]], summary: pd.DataFrame
) -> None:
    frame, requests = clean
    reported = source(cbs).client.get_json(
        f"ODataApi/OData/{TABLE_2023}/TypedDataSet",
        {"$filter": "Verslagsoort eq '2023X000'", "$inlinecount": "allpages", "$top": "1"})
    assert len(frame) == int(reported["odata.count"])
    assert len(requests) == math.ceil(len(frame) / PAGE) > 1
    assert sum("$skiptoken" not in r for r in requests) == 1

    assert frame["gm_code"].str.fullmatch(r"GM\d{4}").all()
    assert frame["taakveld"].str.fullmatch(r"\d\.(\d+)?").all()
    assert set(frame["document"]) == {"begroting"} and set(frame["jaar"]) == {2023}
    assert frame["gm_code"].nunique() == 342

    expected = summary[summary["verslagsoort"] == "2023X000"].set_index("gm_code")
    lasten = frame[frame["categorie"].str.startswith("L") & (frame["taakveld"] != "0.10")]
    per_gm = lasten.groupby("gm_code")["bedrag"].sum()
    assert abs(per_gm["GM0363"] - expected.loc["GM0363", "lasten"]) < 0.5
    assert (per_gm - expected["lasten"]).abs().max() < 0.5
    reserves = frame[frame["categorie"].str.startswith("L") & (frame["taakveld"] == "0.10")]
    reserve_per_gm = reserves.groupby("gm_code")["bedrag"].sum()
    assert (reserve_per_gm - expected["reserve_lasten"]).abs().max() < 0.5
    rijk = frame[(frame["taakveld"] == "0.7") & (frame["categorie"] == "B4.3.1")]
    assert (rijk.set_index("gm_code")["bedrag"] - expected["rijk"]).abs().max() < 0.5


def test_no_figure_rows_come_back_as_nan(cbs: CBSStandIn, summary: pd.DataFrame) -> None:
    missing = summary[(summary["lasten"] == 0) & (summary["verslagsoort"] == "2022X005")]
    assert "GM0141" in set(missing["gm_code"])  # Almelo delivered no jaarrekening 2022
    iv3 = source(cbs)
    frame = iv3.download(TABLE_2022, 2022, ("jaarrekening",))
    almelo = frame[frame["gm_code"] == "GM0141"]
    assert len(almelo) > 0 and almelo["bedrag"].isna().all()
    assert (frame["bedrag"] == -99998).sum() == 0
    empty = set(frame.loc[frame["bedrag"].isna(), "gm_code"])
    assert empty == set(missing["gm_code"])
    assert frame.loc[frame["gm_code"] == "GM0363", "bedrag"].notna().all()


def test_dimensions_are_padded_like_cbs(cbs: CBSStandIn) -> None:
    iv3 = source(cbs)
    gemeenten = {row["Key"]: row["Title"] for row in iv3.dimension(TABLE_2023, "Gemeenten")}
    assert gemeenten["GM0363   "] == "Amsterdam" and len(gemeenten) == 342
    keys = [row["Key"] for row in iv3.dimension(TABLE_2023, "TaakveldBalanspost")]
    assert "0.4   " in keys and "6.    " in keys and all(len(k) == 6 for k in keys)
    categorie = {row["Key"] for row in iv3.dimension(TABLE_2023, "Categorie")}
    assert {"L1.1", "B2.2.1", "L4", "B4.3.1"} <= categorie
    verslagsoort = [row["Key"] for row in iv3.dimension("45071NED", "Verslagsoort")]
    assert verslagsoort == ["2025X000"]  # the snapshot has no jaarrekening 2025
    with pytest.raises(DownloadError, match="2025X005"):
        iv3.download("45071NED", 2025, ("jaarrekening",))


def test_unknown_table_and_unsupported_query_fail_at_once(cbs: CBSStandIn) -> None:
    iv3 = source(cbs)
    with pytest.raises(DownloadError, match="HTTP 404"):
        iv3.dimension("99999NED", "Gemeenten")
    with pytest.raises(DownloadError, match="HTTP 400"):
        iv3.client.fetch_all(f"ODataApi/OData/{TABLE_2023}/TypedDataSet", {"$skip": "10"})
    assert len(cbs.requests) == 2


def test_relative_next_links(data_dir: Path, clean: tuple[pd.DataFrame, list[str]]) -> None:
    with CBSStandIn(data_dir, page_size=PAGE, relative_links=True) as other:
        frame = download_2023(other)
        assert len(typed(other)) == len(clean[1])
    pd.testing.assert_frame_equal(frame, clean[0])


# -- faults --------------------------------------------------------------------------------
def test_503_mid_download_recovers(cbs: CBSStandIn, clean: tuple[pd.DataFrame, list[str]]) -> None:
    fault = cbs.faults.add("TypedDataSet", "503", times=2, after_requests=2)
    frame = download_2023(cbs)
    assert fault.fired == 2
    pd.testing.assert_frame_equal(frame, clean[0])


def test_dropped_connection_recovers(
    cbs: CBSStandIn, clean: tuple[pd.DataFrame, list[str]]
) -> None:
    fault = cbs.faults.add("$skiptoken", "drop", times=1, after_requests=1)
    frame = download_2023(cbs)
    assert fault.fired == 1
    pd.testing.assert_frame_equal(frame, clean[0])


def test_malformed_page_is_retried(cbs: CBSStandIn, clean: tuple[pd.DataFrame, list[str]]) -> None:
    cbs.faults.add("$skiptoken", "malformed", times=2, after_requests=2)
    pd.testing.assert_frame_equal(download_2023(cbs), clean[0])


def test_malformed_page_that_stays_malformed_fails(cbs: CBSStandIn) -> None:
    cbs.faults.add("$skiptoken", "malformed", times=100)
    with pytest.raises(DownloadError, match="onleesbare JSON"):
        download_2023(cbs, max_retries=2)
    assert len(typed(cbs)) == 1 + 3


def test_429_honours_retry_after(cbs: CBSStandIn, clean: tuple[pd.DataFrame, list[str]]) -> None:
    cbs.faults.add("$skiptoken", "429", times=1)
    started = time.monotonic()
    frame = download_2023(cbs)
    assert time.monotonic() - started >= cbs.retry_after
    pd.testing.assert_frame_equal(frame, clean[0])


def test_slow_answer_times_out_and_is_retried(
    cbs: CBSStandIn, clean: tuple[pd.DataFrame, list[str]]
) -> None:
    cbs.slow_seconds = 1.0
    fault = cbs.faults.add("$skiptoken", "slow", times=1)
    frame = download_2023(cbs, timeout=0.3)
    assert fault.fired == 1
    pd.testing.assert_frame_equal(frame, clean[0])


def test_repeating_page_fails_instead_of_looping(cbs: CBSStandIn) -> None:
    cbs.faults.add("$skiptoken", "repeat", times=1000, after_requests=1)
    with pytest.raises(DownloadError, match="dezelfde pagina"):
        download_2023(cbs)
    assert len(typed(cbs)) == 3  # page 1, page 2, then the repeated page 2


def test_count_mismatch_fails(cbs: CBSStandIn) -> None:
    cbs.faults.add("$skiptoken", "short", times=1)
    with pytest.raises(DownloadError, match="Onvolledige download"):
        download_2023(cbs)


def test_page_answered_with_an_earlier_page_fails_even_when_the_count_is_met(
    cbs: CBSStandIn,
) -> None:
    """Attack probe: page 4 answers with page 1's rows (its own next link and count)."""
    fault = cbs.faults.add("$skiptoken", "stale", times=1, after_requests=2)
    with pytest.raises(DownloadError, match="dezelfde pagina"):
        download_2023(cbs)
    assert fault.fired == 1


def test_next_link_to_another_host_is_refused(cbs: CBSStandIn) -> None:
    cbs.faults.add("TypedDataSet", "offhost_next", times=1)
    with pytest.raises(DownloadError, match="buiten de ingestelde CBS-dienst") as raised:
        download_2023(cbs)
    assert "127.0.0.2" in str(raised.value)
    assert len(typed(cbs)) == 1  # the foreign link is never requested


def test_redirect_to_another_host_is_refused(cbs: CBSStandIn) -> None:
    cbs.faults.add("$skiptoken", "redirect_offhost", times=1)
    with pytest.raises(DownloadError, match=r"doorverwijzing.*buiten de ingestelde"):
        download_2023(cbs)


def test_redirect_loop_fails_with_a_download_error(
    cbs: CBSStandIn, clean: tuple[pd.DataFrame, list[str]]
) -> None:
    cbs.faults.add("$skiptoken", "redirect_loop", times=1000)
    started = time.monotonic()
    with pytest.raises(DownloadError, match="Te veel doorverwijzingen"):
        download_2023(cbs)
    assert time.monotonic() - started < 10


def test_garbage_gzip_body_is_retried_then_a_download_error(
    cbs: CBSStandIn, clean: tuple[pd.DataFrame, list[str]]
) -> None:
    once = cbs.faults.add("$skiptoken", "gzip_garbage", times=1)
    pd.testing.assert_frame_equal(download_2023(cbs), clean[0])
    assert once.fired == 1
    cbs.reset()
    cbs.faults.add("$skiptoken", "gzip_garbage", times=100)
    with pytest.raises(DownloadError, match="gecomprimeerd"):
        download_2023(cbs, max_retries=1)


def test_trickling_server_is_cut_off_by_the_deadline(
    cbs: CBSStandIn, clean: tuple[pd.DataFrame, list[str]]
) -> None:
    """Each piece arrives well within the read time-out, but the whole answer would take
    minutes: the per-request deadline cuts it off and the request is retried."""
    cbs.trickle_seconds = 0.05
    once = cbs.faults.add("$skiptoken", "trickle", times=1)
    started = time.monotonic()
    pd.testing.assert_frame_equal(download_2023(cbs, deadline=1.0, timeout=5.0), clean[0])
    assert once.fired == 1 and time.monotonic() - started < 15
    cbs.reset()
    cbs.faults.add("$skiptoken", "trickle", times=100)
    started = time.monotonic()
    with pytest.raises(DownloadError, match="deadline"):
        download_2023(cbs, deadline=0.5, timeout=5.0, max_retries=1)
    assert time.monotonic() - started < 10


def test_a_whole_download_is_bounded_by_its_deadline(cbs: CBSStandIn) -> None:
    """Every page trickles just within the per-request deadline; the download as a whole
    is stopped by the per-download deadline instead of running for hours."""
    cbs.trickle_seconds = 0.02
    cbs.faults.add("TypedDataSet", "trickle", times=1000)
    started = time.monotonic()
    with pytest.raises(DownloadError, match="deadline per download"):
        download_2023(cbs, deadline=0.3, download_deadline=1.5, timeout=5.0)
    assert time.monotonic() - started < 8


def test_dimensions_and_catalogue_are_downloaded_with_a_count(cbs: CBSStandIn) -> None:
    iv3 = source(cbs)
    try:
        iv3.find_table(2023)
        iv3.dimension(TABLE_2023, "Gemeenten")
    finally:
        iv3.client.close()
    assert all("$inlinecount=allpages" in request for request in cbs.requests)
    cbs.reset()
    cbs.faults.add("Gemeenten", "short", times=1)
    iv3 = source(cbs)
    try:
        with pytest.raises(DownloadError, match="Onvolledige download"):
            iv3.dimension(TABLE_2023, "Gemeenten")
    finally:
        iv3.client.close()


def test_persistent_503_then_resume_without_page_one(
    cbs: CBSStandIn, clean: tuple[pd.DataFrame, list[str]], tmp_path: Path
) -> None:
    pages = len(clean[1])
    cbs.faults.add("TypedDataSet", "503", times=1000, after_requests=3)
    with pytest.raises(DownloadError) as raised:
        download_2023(cbs, journal_dir=tmp_path, max_retries=2)
    assert "probeer het later opnieuw" in str(raised.value).lower()
    assert "HTTP 503 (Service Unavailable)" in str(raised.value)
    journals = list(tmp_path.iterdir())
    assert len(journals) == 1 and len(list(journals[0].glob("page-*.json"))) == 3

    cbs.reset()
    frame = download_2023(cbs, journal_dir=tmp_path)
    resumed = typed(cbs)
    assert all("$skiptoken" in r for r in resumed)  # page 1 is not requested again
    assert len(resumed) == pages - 3
    assert resumed[0] == clean[1][3]
    pd.testing.assert_frame_equal(frame, clean[0])
    assert list(tmp_path.iterdir()) == []


def test_standin_command_line(data_dir: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "schouders.testing.cbs_standin", "--data-dir", str(data_dir),
         "--port", "0"],
        stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        second = process.stdout.readline()
        dataderden = first.split()[-1]
        datasets = second.split()[-1]
        assert dataderden.startswith("http://127.0.0.1:")
        assert datasets == f"{dataderden}/odata/v1/CBS"
        answer = httpx.get(f"{datasets}/86141NED/Properties", timeout=10).json()
        assert answer["Identifier"] == "86141NED"
        assert answer["@odata.context"].startswith(datasets)
    finally:
        process.terminate()
        process.wait(timeout=10)
