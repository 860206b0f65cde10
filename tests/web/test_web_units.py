"""Small parts of the web layer: translations, number formats, chart data, geometry, server."""

from __future__ import annotations

import ast
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from schouders.service.codes import normalise_gm_code
from schouders.web import charts
from schouders.web.i18n import ENGLISH, Translator
from schouders.web.server import default_workers

WEB = Path(__file__).resolve().parents[2] / "src" / "schouders" / "web"
TEMPLATE_CALL = re.compile(r"""\bt\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def translatable_texts() -> set[str]:
    found: set[str] = set()
    for path in WEB.rglob("*.html"):
        for match in TEMPLATE_CALL.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) if match.group(1) is not None else match.group(2))
    for path in WEB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "t" and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.add(node.args[0].value)
    return found


def test_every_ui_text_has_an_english_translation() -> None:
    texts = translatable_texts()
    assert len(texts) > 100
    missing = sorted(text for text in texts if text not in ENGLISH)
    assert not missing, missing


def test_numbers_follow_the_language() -> None:
    nl, en = Translator("nl"), Translator("en")
    assert nl.number(1234567.891, 1) == "1.234.567,9"
    assert en.number(1234567.891, 1) == "1,234,567.9"
    assert nl.value(12.345, "%") == "12,3\u00a0%"
    assert nl.value(2.5e9, "EUR") == "€\u00a02,50\u00a0mld"
    assert nl.value(None, "%") == "–" and nl.value(float("nan"), "EUR/inw") == "–"
    assert en.value("ontbreekt", "%") == "missing"


def test_gm_codes_are_normalised_strictly() -> None:
    assert normalise_gm_code("gm363") == "GM0363"
    assert normalise_gm_code("0363") == "GM0363"
    assert normalise_gm_code("GM0363' OR 1=1") is None
    assert normalise_gm_code("GM12345") is None


def test_missing_year_is_a_gap_in_the_line_never_zero() -> None:
    series = [{"jaar": 2021, "reeks": "a", "v": 10.0}, {"jaar": 2022, "reeks": "a", "v": None},
              {"jaar": 2023, "reeks": "a", "v": 12.0}]
    spec = charts.trend("nl", "EUR/inw", "t", "Domein", "beschrijving", series, [])
    points = spec["datasets"]["series"]
    assert [p["jaar"] for p in points] == [2021, 2023]
    assert points[0]["seg"] != points[1]["seg"]  # the line breaks at 2022
    assert spec["datasets"]["gaps"] == [{"jaar": 2022, "tekst": "ontbreekt"}]
    assert spec["description"] == "beschrijving"
    assert spec["$schema"].endswith("vega-lite/v5.json")


def test_chart_templates_are_not_shared_between_requests() -> None:
    first = charts.strip("nl", "%", "a", [{"v": 1, "naam": "x"}], 1.0, None)
    second = charts.strip("nl", "%", "b", [], None, {"v": 2, "naam": "y"})
    assert first["datasets"]["peers"] and not second["datasets"]["peers"]
    assert first["description"] == "a" and second["description"] == "b"


def test_choropleth_spec_from_a_feature_collection() -> None:
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"gm_code": "GM0363"},
         "geometry": {"type": "Polygon", "coordinates": [[[4.8, 52.3], [5.0, 52.3],
                                                          [5.0, 52.4], [4.8, 52.3]]]}}]}
    spec = charts.choropleth("nl", "%", "kaart", collection, [{"gm_code": "GM0363", "v": 1.0,
                                                                "naam": "Amsterdam"}])
    assert spec["mark"]["type"] == "geoshape" and spec["datasets"]["shapes"]


def test_default_workers_uses_several_processes() -> None:
    assert 2 <= default_workers() <= 4


def test_serve_runs_several_uvicorn_workers(tmp_path: Path) -> None:
    """``serve`` starts uvicorn with worker processes; without a warehouse every worker still
    answers, and says how to build one (the benchmark runs it with data)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    code = (
        "from schouders.config import load_settings; from schouders.web.server import serve; "
        f"serve(load_settings(home={str(tmp_path)!r}), '127.0.0.1', {port}, 2, "
        "log_level='warning')"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("schouders serve did not start")
        for _ in range(4):  # several requests, likely served by both workers
            page = httpx.get(f"http://127.0.0.1:{port}/gemeente/GM0363", timeout=30)
            assert page.status_code == 503 and "schouders build" in page.text
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_worker_listening_socket_gives_connections_tcp_nodelay() -> None:
    """With several workers the listening socket is bound by us (via uvicorn's config); accepted
    connections must get TCP_NODELAY, or every keep-alive response waits on a delayed ACK."""
    import asyncio

    from schouders.web.server import TcpNoDelayConfig

    listener = TcpNoDelayConfig("schouders.web.server:app_factory", factory=True,
                                host="127.0.0.1", port=0).bind_socket()
    assert listener.proto == socket.IPPROTO_TCP
    accepted: list[int] = []

    class Record(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def accept_one() -> None:
        server = await asyncio.get_running_loop().create_server(Record, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if accepted:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()

    asyncio.run(accept_one())
    assert accepted and accepted[0] != 0
