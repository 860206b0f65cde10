"""The web app in headless Chromium: pages load, charts draw real marks, search, peer choice,
CSV download, keyboard use, and axe-core finds no serious or critical accessibility problems.

Screenshots go to $SCHOUDERS_SCREENSHOTS (or a temporary directory) for people to look at.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
PAGES = {
    "start": "/",
    "profiel": "/gemeente/GM0363?jaar=2024&document=jaarrekening",
    "profiel-ontbreekt": "/gemeente/GM1700?jaar=2022&document=jaarrekening",
    "vergelijken": "/vergelijken?groep=casusgemeenten%202020",
    "landelijk": "/landelijk",
    "indicator": "/indicator/overhead_pct",
    "indicatoren": "/indicatoren",
    "over": "/over",
    "api": "/api",
    "niet-gevonden": "/gemeente/GM9999",
    "engels": "/gemeente/GM0599?lang=en",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("no Chromium at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get("SCHOUDERS_SCREENSHOTS")
    path = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture()
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True,
                                  base_url=live_server.url)
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda m: tab.problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: tab.problems.append(str(error)))
    yield tab
    context.close()


def wait_for_charts(tab) -> tuple[int, int]:
    total = tab.locator("[data-spec]").count()
    if total:
        tab.wait_for_function(
            "() => [...document.querySelectorAll('[data-spec]')].every("
            "e => e.dataset.rendered === 'true' || e.classList.contains('chart-failed'))",
            timeout=30_000)
    failed = tab.locator(".chart-failed").count()
    return total, failed


@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_and_charts_draw_marks(page, shots: Path, name: str) -> None:
    response = page.goto(PAGES[name])
    assert response is not None
    assert response.status == (404 if name == "niet-gevonden" else 200)
    total, failed = wait_for_charts(page)
    assert failed == 0
    if total:
        # every chart has an SVG with real marks (paths, symbols, rects, lines), not just axes
        marks = page.evaluate(
            "() => [...document.querySelectorAll('[data-spec]')].map(e => e.querySelectorAll("
            "'g.role-mark path, g.role-mark line, g.role-mark rect, g.role-mark text').length)")
        assert all(count > 0 for count in marks), marks
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    csp = [text for text in page.problems if "Content Security Policy" in text]
    assert not csp, csp
    assert not [text for text in page.problems if "404" not in text], page.problems


def test_search_with_a_typo_by_keyboard(page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.get_by_label("Zoek een gemeente").fill("amsterdm")
    page.get_by_label("Zoek een gemeente").press("Enter")
    page.wait_for_url("**/gemeente/GM0363")
    assert "Amsterdam" in page.locator("h1").inner_text()


def test_change_peer_group_keeps_state_in_the_url(page, shots: Path) -> None:
    page.goto("/gemeente/GM0855?jaar=2023&document=jaarrekening")
    page.get_by_label("Vergelijkingsgroep").select_option("provincie")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url("**peers=provincie**")
    assert "jaar=2023" in page.url and "document=jaarrekening" in page.url
    assert "Noord-Brabant" in page.locator("#kerncijfers-kop + p").inner_text()
    wait_for_charts(page)
    page.screenshot(path=str(shots / "profiel-provincie.png"), full_page=False)


def test_download_csv_twin(page) -> None:
    page.goto("/gemeente/GM0363?jaar=2024")
    with page.expect_download() as info:
        page.locator("a[data-download=csv]").click()
    download = info.value
    assert download.suggested_filename.startswith("profiel-GM0363")
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and rows[0]["gm_code"] == "GM0363"
    assert {"positie", "trend", "begroting_vs_jaarrekening"} <= {r["onderdeel"] for r in rows}


def test_table_fallback_opens_by_keyboard(page) -> None:
    page.goto("/gemeente/GM0363")
    summary = page.locator("#trend-nominaal summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("#trend-nominaal details").get_attribute("open") is not None
    assert page.locator("#trend-nominaal table tbody tr").count() > 10


@pytest.mark.parametrize("name", ["start", "profiel-ontbreekt", "vergelijken", "landelijk",
                                  "indicator", "over", "api", "niet-gevonden"])
def test_axe_finds_no_serious_violations(browser, live_server, name: str) -> None:
    # A separate context that bypasses the CSP, only so axe itself can be injected.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True,
                                  base_url=live_server.url)
    tab = context.new_page()
    try:
        tab.goto(PAGES[name])
        wait_for_charts(tab)
        tab.add_script_tag(path=str(AXE))
        result = tab.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})")
    finally:
        context.close()
    serious = [
        (violation["id"], violation["help"], [node["target"] for node in violation["nodes"][:3]])
        for violation in result["violations"] if violation["impact"] in ("serious", "critical")
    ]
    assert not serious, serious


OVERFLOW = (
    "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_wide_compare_table_scrolls_inside_its_region(browser, live_server, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  base_url=live_server.url)
    tab = context.new_page()
    try:
        tab.goto("/vergelijken?gemeenten=GM0363,GM0599,GM0518,GM0344,GM0014,GM0034,GM0080,"
                 "GM0153,GM0193,GM0200")
        wait_for_charts(tab)
        assert tab.evaluate(OVERFLOW) <= 0  # the page itself never scrolls sideways
        region = tab.locator("section[aria-labelledby=tabel-kop] .table-scroll")
        assert region.get_attribute("role") == "region" and region.get_attribute("aria-label")
        assert region.evaluate("e => e.scrollWidth > e.clientWidth")
        region.focus()
        tab.keyboard.press("ArrowRight")
        tab.wait_for_function(
            "() => document.querySelector('section[aria-labelledby=tabel-kop] .table-scroll')"
            ".scrollLeft > 0", timeout=5_000)
    finally:
        context.close()


@pytest.mark.parametrize("name", ["start", "profiel", "vergelijken", "landelijk", "indicator",
                                  "over", "api", "engels"])
def test_pages_fit_a_phone_screen(browser, live_server, shots: Path, name: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  base_url=live_server.url)
    tab = context.new_page()
    try:
        tab.goto(PAGES[name])
        wait_for_charts(tab)
        assert tab.evaluate(OVERFLOW) <= 0
        tab.screenshot(path=str(shots / f"{name}-390.png"), full_page=False)
    finally:
        context.close()
