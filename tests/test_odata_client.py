"""Unit tests of the OData client (and the Iv3 source's column handling) with tiny responses.

These use httpx.MockTransport: small hand-written pages that exercise one rule each. The
integration tests against the stand-in CBS server with real data are in test_cbs_standin.py.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from schouders.errors import DownloadError
from schouders.sources.cbs_iv3 import Iv3Source
from schouders.sources.odata import ODataClient

BASE = "https://cbs.example/odata"
Handler = Callable[[httpx.Request], httpx.Response]


def make_client(handler: Handler, **options: object) -> tuple[ODataClient, list[float]]:
    client = ODataClient(BASE, transport=httpx.MockTransport(handler), backoff=0.01,
                         **options)  # type: ignore[arg-type]
    delays: list[float] = []
    client._sleep = delays.append  # record back-off instead of sleeping
    return client, delays


def paged(pages: dict[str, dict], log: list[str]) -> Handler:
    """Serve fixed pages keyed by the request's query string ('' for the first page)."""

    def handler(request: httpx.Request) -> httpx.Response:
        query = request.url.query.decode()
        log.append(query)
        return httpx.Response(200, json=pages[query])

    return handler


def test_retries_5xx_then_succeeds_with_backoff() -> None:
    answers = [httpx.Response(503), httpx.Response(502), httpx.Response(200, json={"a": 1})]
    client, delays = make_client(lambda request: answers.pop(0))
    assert client.get_json("x") == {"a": 1}
    assert len(delays) == 2 and delays[1] > delays[0] > 0


def test_honours_retry_after_capped() -> None:
    answers = [httpx.Response(429, headers={"Retry-After": "3"}),
               httpx.Response(429, headers={"Retry-After": "3600"}),
               httpx.Response(200, json={})]
    client, delays = make_client(lambda request: answers.pop(0))
    client.get_json("x")
    assert delays[0] >= 3
    assert delays[1] == client.retry_after_cap


def test_malformed_json_is_retried() -> None:
    answers = [httpx.Response(200, content=b'{"value": [{"a": 1'), httpx.Response(200, json={})]
    client, delays = make_client(lambda request: answers.pop(0))
    assert client.get_json("x") == {}
    assert len(delays) == 1


def test_connection_errors_and_timeouts_are_retried() -> None:
    errors: list[Exception] = [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped"),
                               httpx.ConnectError("refused")]

    def handler(request: httpx.Request) -> httpx.Response:
        if errors:
            raise errors.pop(0)
        return httpx.Response(200, json={"ok": True})

    client, delays = make_client(handler)
    assert client.get_json("x") == {"ok": True}
    assert len(delays) == 3


def test_gives_up_after_max_retries_with_dutch_message() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(503, json={"error": {"code": "503", "message": "onderhoud"}})

    client, _ = make_client(handler, max_retries=3)
    with pytest.raises(DownloadError) as raised:
        client.get_json("tabel/Observations")
    assert len(calls) == 4
    text = str(raised.value)
    assert f"{BASE}/tabel/Observations" in text
    assert "HTTP 503" in text and "onderhoud" in text
    assert "probeer het later opnieuw" in text.lower()


def test_client_errors_fail_at_once() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(404, json={"error": {"code": "404", "message": "not found"}})

    client, _ = make_client(handler)
    with pytest.raises(DownloadError, match="HTTP 404") as raised:
        client.get_json("bestaatniet/Observations")
    assert len(calls) == 1
    assert "tabelcode" in str(raised.value)


def test_params_are_encoded_once_and_readably() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"value": []})

    client, _ = make_client(handler)
    client.fetch_all("t/Observations", {"$filter": "RegioS eq 'GM0014   '", "$count": "true"})
    assert seen == [f"{BASE}/t/Observations?$filter=RegioS%20eq%20'GM0014%20%20%20'&$count=true"]


def test_follows_v3_and_v4_next_links_absolute_and_relative() -> None:
    log: list[str] = []
    pages = {
        "": {"odata.count": "5", "value": [{"i": 1}, {"i": 2}],
             "odata.nextLink": f"{BASE}/t/Rows?$skiptoken=2"},
        "$skiptoken=2": {"value": [{"i": 3}, {"i": 4}], "@odata.nextLink": "Rows?$skip=4"},
        "$skip=4": {"value": [{"i": 5}]},
    }
    client, _ = make_client(paged(pages, log))
    progress: list[tuple[int, int | None]] = []
    rows = client.fetch_all("t/Rows", progress=lambda n, total: progress.append((n, total)))
    assert [row["i"] for row in rows] == [1, 2, 3, 4, 5]
    assert log == ["", "$skiptoken=2", "$skip=4"]
    assert progress == [(2, 5), (4, 5), (5, 5)]


def test_count_mismatch_fails_loudly() -> None:
    pages = {"": {"@odata.count": 3, "value": [{"i": 1}], "@odata.nextLink": f"{BASE}/t?p=2"},
             "p=2": {"@odata.count": 3, "value": [{"i": 2}]}}
    client, _ = make_client(paged(pages, []))
    with pytest.raises(DownloadError, match=r"2 rijen ontvangen.*3 rijen"):
        client.fetch_all("t")


def test_next_link_loop_is_detected() -> None:
    log: list[str] = []
    pages = {"": {"value": [{"i": 1}], "@odata.nextLink": f"{BASE}/t?p=2"},
             "p=2": {"value": [{"i": 2}], "@odata.nextLink": f"{BASE}/t?p=2"}}
    client, _ = make_client(paged(pages, log))
    with pytest.raises(DownloadError, match="dezelfde pagina"):
        client.fetch_all("t")
    assert log == ["", "p=2"]


def test_identical_page_under_new_link_is_detected() -> None:
    pages = {"": {"value": [{"i": 1}], "@odata.nextLink": f"{BASE}/t?p=2"},
             "p=2": {"value": [{"i": 1}], "@odata.nextLink": f"{BASE}/t?p=3"}}
    client, _ = make_client(paged(pages, []))
    with pytest.raises(DownloadError, match="dezelfde pagina"):
        client.fetch_all("t")


def test_journal_resumes_after_failure_and_is_removed(tmp_path: Path) -> None:
    log: list[str] = []
    pages = {"": {"value": [{"i": 1}], "@odata.nextLink": f"{BASE}/t?p=2"},
             "p=2": {"value": [{"i": 2}], "@odata.nextLink": f"{BASE}/t?p=3"},
             "p=3": {"value": [{"i": 3}]}}
    failing = {"on": True}

    def handler(request: httpx.Request) -> httpx.Response:
        if failing["on"] and request.url.query == b"p=3":
            log.append("fail")
            return httpx.Response(503)
        return paged(pages, log)(request)

    client, _ = make_client(handler, max_retries=1)
    with pytest.raises(DownloadError):
        client.fetch_all("t", journal_dir=tmp_path)
    journal = next(tmp_path.iterdir())
    saved = sorted(p.name for p in journal.iterdir())
    assert saved == ["page-000001.json", "page-000002.json", "request.json"]
    assert json.loads((journal / "page-000002.json").read_text())["next"] == f"{BASE}/t?p=3"

    failing["on"] = False
    log.clear()
    progress: list[tuple[int, int | None]] = []
    rows = client.fetch_all("t", journal_dir=tmp_path,
                            progress=lambda n, total: progress.append((n, total)))
    assert [row["i"] for row in rows] == [1, 2, 3]
    assert log == ["p=3"]  # pages 1 and 2 came from the journal
    assert progress == [(2, None), (3, None)]
    assert list(tmp_path.iterdir()) == []


def test_journal_is_per_request(tmp_path: Path) -> None:
    log: list[str] = []
    pages = {"a=1": {"value": [{"i": 1}]}, "a=2": {"value": [{"i": 2}]}}
    client, _ = make_client(paged(pages, log))
    assert client.fetch_all("t", {"a": "1"}, journal_dir=tmp_path) == [{"i": 1}]
    assert client.fetch_all("t", {"a": "2"}, journal_dir=tmp_path) == [{"i": 2}]


def test_non_collection_answer_is_an_error() -> None:
    client, _ = make_client(lambda request: httpx.Response(200, json={"Identifier": "x"}))
    with pytest.raises(DownloadError, match="value"):
        client.fetch_all("t/Properties")


# -- Iv3Source: column names of older tables, measure fallback, table lookup ------------------
def iv3_handler(properties: list[str], rows: list[dict], titles: list[str]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/ODataCatalog/Tables"):
            return httpx.Response(200, json={"value": [
                {"Identifier": f"4500{i}NED", "Title": t, "Modified": "2020-01-01T00:00:00"}
                for i, t in enumerate(titles)]})
        if path.endswith("/DataProperties"):
            return httpx.Response(200, json={"value": [{"Key": key} for key in properties]})
        if path.endswith("/Verslagsoort"):
            return httpx.Response(200, json={"value": [{"Key": "2016X000", "Title": "Begroting"}]})
        if path.endswith("/TypedDataSet"):
            assert "Verslagsoort eq '2016X000'" in request.url.params["$filter"]
            return httpx.Response(200, json={"odata.count": str(len(rows)), "value": rows})
        return httpx.Response(404)

    return handler


def test_iv3_older_column_names_and_value_fallback() -> None:
    properties = ["Gemeenten", "Verslagsoort", "FunctieKostenplaatsBalanspost", "Categorie",
                  "k_1stePlaatsing_1", "k_2dePlaatsing_2"]

    def row(gm: str, value1: float | None, value2: float | None) -> dict:
        return {"Gemeenten": gm, "FunctieKostenplaatsBalanspost": "310   ",
                "Categorie": "L1.1", "k_1stePlaatsing_1": value1, "k_2dePlaatsing_2": value2}

    rows = [row("GM0014   ", 10.0, 12.0), row("GM0034   ", 10.0, None),
            row("GM0037   ", 7.0, -99998), row("GM0047   ", -99998, -99998),
            row("GM0050   ", None, None)]
    client, _ = make_client(iv3_handler(properties, rows, []))
    frame = Iv3Source(client).download("45031NED", 2016, ("begroting",))
    assert list(frame.columns) == ["gm_code", "jaar", "document", "taakveld", "categorie",
                                   "bedrag"]
    assert frame["gm_code"].tolist() == ["GM0014", "GM0034", "GM0037", "GM0047", "GM0050"]
    assert frame["taakveld"].unique().tolist() == ["310"]
    values = frame["bedrag"].tolist()
    assert values[:3] == [12.0, 10.0, 7.0]
    assert math.isnan(values[3]) and math.isnan(values[4])


def test_iv3_missing_document_and_unknown_layout() -> None:
    properties = ["Gemeenten", "TaakveldBalanspost", "Categorie", "k_1ePlaatsing_1",
                  "k_2ePlaatsing_2"]
    client, _ = make_client(iv3_handler(properties, [], []))
    with pytest.raises(DownloadError, match="2016X005"):
        Iv3Source(client).download("45031NED", 2016, ("jaarrekening",))
    client, _ = make_client(iv3_handler(["Gemeenten", "Categorie"], [], []))
    with pytest.raises(DownloadError, match="taakveld-dimensie"):
        Iv3Source(client).download("45031NED", 2016)


def test_iv3_find_table_matches_title_exactly() -> None:
    titles = ["Provincies 2023 onbewerkte Iv3-data", "gemeenten  2023 ONBEWERKTE iv3-data ",
              "Gemeenten 2023 onbewerkte Iv3-data (oud)"]
    client, _ = make_client(iv3_handler([], [], titles))
    table = Iv3Source(client).find_table(2023)
    assert table.identifier == "45001NED"
    with pytest.raises(DownloadError, match="Provincies 2023 onbewerkte Iv3-data"):
        Iv3Source(client).find_table(2030)


def test_a_row_key_arriving_twice_across_pages_is_refused() -> None:
    """Page 2 repeats one row of page 1 and the total count still matches."""
    log: list[str] = []
    pages = {
        "": {"odata.count": "4", "value": [{"ID": 1, "v": "a"}, {"ID": 2, "v": "b"}],
             "odata.nextLink": f"{BASE}/T?$skiptoken=2"},
        "$skiptoken=2": {"odata.count": "4", "value": [{"ID": 3, "v": "c"}, {"ID": 1, "v": "a"}]},
    }
    client, _ = make_client(paged(pages, log))
    with pytest.raises(DownloadError, match="twee keer"):
        client.fetch_all("T", key=("ID",))
    client, _ = make_client(paged(pages, log))
    with pytest.raises(DownloadError, match="twee keer"):
        client.fetch_all("T")  # without a key: identical whole rows


def test_redirect_within_the_service_is_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/old"):
            return httpx.Response(301, headers={"Location": f"{BASE}/new"})
        return httpx.Response(200, json={"value": [{"a": 1}]})

    client, _ = make_client(handler)
    assert client.fetch_all("old") == [{"a": 1}]


def test_a_path_outside_the_service_root_on_the_same_host_is_refused() -> None:
    client, _ = make_client(lambda request: httpx.Response(200, json={
        "value": [{"a": 1}], "@odata.nextLink": "https://cbs.example/elders/T?$skip=1"}))
    with pytest.raises(DownloadError, match="buiten de ingestelde CBS-dienst"):
        client.fetch_all("T")
