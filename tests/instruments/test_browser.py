"""The whole flow in a real browser (headless Chromium), on SQLite and PostgreSQL:

beheerder gives two municipalities access and invites their coördinatoren; coördinator A invites
two respondents, runs an APK check; both respondents answer (one tries to submit too early); the
coördinator closes the round; the report shows the spread and the tasks at risk. The coördinator
of municipality B is refused at every step, and sees A only as published, aggregated scores.

Screenshots go to /tmp/schouders-screens/<backend>/.
"""

from __future__ import annotations

import socket
import statistics
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from schouders.instruments.cli import instruments_cli
from schouders.instruments.questionnaire import load_questionnaire

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "een-heel-lang-wachtwoord"
SCREENS = Path("/tmp/schouders-screens")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium not at /usr/bin/chromium"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def live_url(app):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        assert time.time() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture()
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


def contrast(foreground: str, background: str) -> float:
    def channels(css: str) -> list[float]:
        values = css[css.index("(") + 1:css.index(")")].split(",")[:3]
        return [int(v) / 255 for v in values]

    def luminance(css: str) -> float:
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                  for c in channels(css)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


class Flow:
    def __init__(self, browser, base: str, backend: str) -> None:
        self.browser = browser
        self.base = base
        self.screens = SCREENS / backend
        self.screens.mkdir(parents=True, exist_ok=True)
        self.refused_urls: list[str] = []

    def context(self):
        context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        return context.new_page()

    def shot(self, page, name: str, full_page: bool = True) -> None:
        page.screenshot(path=str(self.screens / f"{name}.png"), full_page=full_page)

    def check_page(self, page) -> None:
        """Accessibility basics on every page we visit: labels, a skip link, contrast."""
        unlabelled = page.evaluate("""() => [...document.querySelectorAll(
            'input:not([type=hidden]), select, textarea')]
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
            .map(el => el.name || el.id)""")
        assert unlabelled == [], f"{page.url}: inputs without a label: {unlabelled}"
        assert page.evaluate("document.documentElement.lang") == "nl"
        colors = page.evaluate("""() => {
            const s = el => el && getComputedStyle(el);
            const body = s(document.body), button = s(document.querySelector('main button'));
            const link = s(document.querySelector('main a'));
            return {text: body.color, bg: body.backgroundColor,
                    button: button && [button.color, button.backgroundColor],
                    link: link && link.color};
        }""")
        assert contrast(colors["text"], colors["bg"]) >= 7
        if colors["button"]:
            assert contrast(*colors["button"]) >= 4.5
        if colors["link"]:
            assert contrast(colors["link"], colors["bg"]) >= 4.5

    def login(self, page, email: str) -> None:
        page.goto(f"{self.base}/instrumenten/inloggen")
        self.check_page(page)
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.press("#password", "Enter")  # keyboard only
        page.wait_for_url(f"{self.base}/instrumenten/")

    def logout(self, page) -> None:
        page.click("text=Uitloggen")
        page.wait_for_url("**/inloggen?melding=uitgelogd")

    def accept_invite(self, page, link: str, name: str) -> None:
        page.goto(link)
        self.check_page(page)
        page.fill("#name", name)
        page.fill("#password", PASSWORD)
        page.fill("#password_repeat", PASSWORD)
        page.click("button:has-text('Account aanmaken')")
        page.wait_for_selector("text=Welkom! Uw account is klaar.")

    def outsider_is_refused(self, page, *urls: str, everything: bool = False) -> None:
        """The outsider tries the new pages of this step (or everything seen so far)."""
        self.refused_urls.extend(url for url in urls if url not in self.refused_urls)
        for url in self.refused_urls if everything else urls:
            response = page.goto(url)
            assert response is not None and response.status in (403, 404), (url, response.status)
            body = page.content()
            assert "GEHEIM" not in body and "Zelfevaluatie 2025" not in body, url


def answer_all(page, values: dict[str, int]) -> None:
    """The first three answers by clicking like a user; the rest in one go (speed)."""
    items = list(values.items())
    for code, value in items[:3]:
        page.check(f"#v_{code}_{value}")
    page.evaluate("ids => ids.forEach(id => { document.getElementById(id).checked = true; })",
                  [f"v_{code}_{value}" for code, value in items[3:]])


def factor_scores(values: dict[str, int], factor: str) -> float:
    q = load_questionnaire()
    scale = q.scale
    scored = [x.score(values[x.code], scale) for x in q.questions if x.factor == factor]
    return statistics.fmean(scored)


def nl(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def test_full_flow_in_the_browser(browser, live_url, database_url, backend) -> None:
    flow = Flow(browser, live_url, backend)
    base = f"{live_url}/instrumenten"
    result = CliRunner().invoke(instruments_cli, [
        "gebruiker-toevoegen", "beheer@vng.example", "--naam", "Beheerder", "--beheerder",
        "--wachtwoord", PASSWORD, "--database-url", database_url])
    assert result.exit_code == 0, result.output

    # 1. the beheerder gives Twenterand and Kapelle access and invites their coördinatoren
    admin = flow.context()
    flow.login(admin, "beheer@vng.example")
    admin.goto(f"{base}/beheer")
    flow.check_page(admin)
    flow.shot(admin, "00-beheer")
    links = {}
    for code, name, email in (("GM1700", "Twenterand", "coord@twenterand.example"),
                              ("GM0678", "Kapelle", "coord@kapelle.example")):
        admin.goto(f"{base}/beheer")
        admin.fill("#gm_code", code)
        admin.fill("input[name=name]", name)
        admin.fill("#email", email)
        admin.click("button:has-text('Toegang geven')")
        admin.wait_for_selector("h1:has-text('Uitnodiging aangemaakt')")
        flow.check_page(admin)
        links[code] = admin.input_value("#uitnodigingslink")
        if code == "GM1700":
            flow.shot(admin, "01-beheer-uitnodiging")
    flow.logout(admin)

    # 2. both coördinatoren accept; the one from Kapelle is our outsider
    coord = flow.context()
    flow.accept_invite(coord, links["GM1700"], "Coördinator Twenterand")
    outsider = flow.context()
    flow.accept_invite(outsider, links["GM0678"], "Coördinator Kapelle")
    flow.outsider_is_refused(outsider, f"{base}/gemeente/GM1700",
                             f"{base}/gemeente/GM1700/taken")

    # 3. coördinator A starts a round with two opgaven and invites three respondents (scores are
    #    shown from three, so that no respondent can compute another's answers)
    coord.goto(f"{base}/gemeente/GM1700")
    flow.check_page(coord)
    coord.fill("#round_title", "Zelfevaluatie 2025")
    coord.fill("#round_opgaven", "Warmtetransitie gebouwde omgeving\nWoningbouwopgave")
    coord.click("button:has-text('Ronde aanmaken')")
    coord.wait_for_selector("text=De ronde is aangemaakt")
    round_url = coord.url.split("?")[0]
    round_id = round_url.rstrip("/").rsplit("/", 1)[1]
    invite_links = []
    for email in ("resp1@twenterand.example", "resp2@twenterand.example",
                  "resp3@twenterand.example"):
        coord.goto(round_url)
        coord.fill("#invite_email", email)
        coord.click("button:has-text('Uitnodiging maken')")
        coord.wait_for_selector("h1:has-text('Uitnodiging aangemaakt')")
        invite_links.append(coord.input_value("#uitnodigingslink"))
    coord.goto(round_url)
    flow.check_page(coord)
    flow.shot(coord, "02-ronde-coordinator")
    flow.outsider_is_refused(
        outsider, round_url, f"{round_url}/invullen", f"{round_url}/rapport",
        f"{round_url}/export", f"{round_url}/vergelijking",
        f"{base}/api/rondes/{round_id}", f"{base}/api/rondes/{round_id}/scores",
        f"{base}/api/rondes/{round_id}/export", f"{base}/api/gemeenten/GM1700/rondes")

    # 4. coördinator A runs the APK check for Milieu & Mobiliteit
    coord.goto(f"{base}/gemeente/GM1700")
    coord.fill("#apk_title", "APK 2025 fysiek domein")
    coord.check("label:has-text('Milieu & Mobiliteit') input")
    coord.click("button:has-text('Toets starten')")
    coord.wait_for_selector("text=De APK-toets is gestart")
    apk_url = coord.url.split("?")[0]
    flow.check_page(coord)
    codes = coord.eval_on_selector_all("input[name$='_version']",
                                       "els => els.map(e => e.name.slice(2, -8))")
    assert "mm-bodem" in codes and len(codes) >= 10
    risky = {"mm-bodem": ("nee", "hoog"), "mm-externe-veiligheid": ("deels", "hoog"),
             "mm-geluid-actieplan": ("ja", "midden")}
    for code, (capacity, risk) in risky.items():  # the risky tasks through the real controls
        coord.select_option(f"#t_{code}_in_view", "ja")
        coord.fill(f"#t_{code}_owner", "Team VTH")
        coord.select_option(f"#t_{code}_capacity_ok", capacity)
        coord.select_option(f"#t_{code}_risk_level", risk)
    coord.select_option("#t_mm-bodem_at_distance", "omgevingsdienst")
    coord.select_option("#t_mm-bodem_distance_governed", "nee")
    values = {}
    for code in codes:  # everything else in one go
        defaults = {"in_view": "ja", "owner": "Team VTH", "capacity_ok": "ja",
                    "expertise_ok": "ja", "at_distance": "nee", "risk_level": "laag"}
        for name, value in defaults.items():
            if code in risky and name in ("in_view", "owner", "capacity_ok", "risk_level"):
                continue
            if code == "mm-bodem" and name == "at_distance":
                continue
            values[f"t_{code}_{name}"] = value
    coord.evaluate("vals => Object.entries(vals).forEach(([id, v]) => "
                   "{ document.getElementById(id).value = v; })", values)
    coord.fill("#t_mm-bodem_remarks", "GEHEIM: bodemspecialist vertrekt in het voorjaar")
    coord.evaluate("window.scrollTo(0, 0)")
    flow.shot(coord, "03-apk-invullen", full_page=False)
    coord.click("button:has-text('Opslaan en afronden')")
    coord.wait_for_selector("text=De APK-toets is afgerond")
    flow.check_page(coord)
    risk_table = coord.locator("#risico ~ .tabelrol").first
    first_risk = risk_table.locator("tbody tr th").first.inner_text()
    assert first_risk.startswith("Bodem")
    flow.shot(coord, "04-apk-rapport")
    check_id = apk_url.rstrip("/").rsplit("/", 1)[1]
    flow.outsider_is_refused(outsider, apk_url, f"{apk_url}/rapport",
                             f"{base}/api/apk/{check_id}", f"{base}/api/apk/{check_id}/rapport")

    coord.goto(f"{base}/gemeente/GM1700")
    flow.shot(coord, "04b-gemeente")

    # 5. respondent 1 tries to submit too early, then answers everything with 1
    q = load_questionnaire()
    low = {x.code: 1 for x in q.questions}
    high = {x.code: 5 for x in q.questions}
    mid = {x.code: 3 for x in q.questions}
    r1 = flow.context()
    flow.accept_invite(r1, invite_links[0], "Respondent Een")
    assert "/invullen" in r1.url
    flow.check_page(r1)
    r1.check("#v_hb-01_1")
    r1.click("button:has-text('Indienen')")
    summary = r1.wait_for_selector(".foutsamenvatting")
    assert f"zijn {len(q.questions) - 1 + 2 + 2 * 4} problemen" in summary.inner_text()
    assert r1.is_checked("#v_hb-01_1")  # the valid answer is still there
    flow.shot(r1, "05-invullen-met-fouten", full_page=False)
    r1.locator("#p0_dominant").scroll_into_view_if_needed()
    flow.shot(r1, "05b-sturingsperspectieven", full_page=False)
    answer_all(r1, low)
    r1.check("#p0_dominant_npm")
    r1.check("#p1_dominant_nw")
    for code in ("pa", "nw", "mv"):
        r1.check(f"#p0_{code}_2")
    for code in ("pa", "npm", "mv"):
        r1.check(f"#p1_{code}_3")
    r1.fill("#pc0", "GEHEIM: de warmtevisie ligt stil")
    r1.click("button:has-text('Indienen')")
    r1.wait_for_selector("text=Dank u wel: uw antwoorden zijn ingediend.")

    # 6. respondent 2 saves a draft first, using the keyboard for one answer
    r2 = flow.context()
    flow.accept_invite(r2, invite_links[1], "Respondent Twee")
    r2.focus("#v_hb-01_5")
    r2.keyboard.press("Space")
    assert r2.is_checked("#v_hb-01_5")
    r2.click("button:has-text('Opslaan als concept')")
    r2.wait_for_selector("text=Uw antwoorden zijn opgeslagen als concept.")
    r2.goto(f"{round_url}/invullen")
    assert r2.is_checked("#v_hb-01_5")
    answer_all(r2, high)
    r2.check("#p0_dominant_npm")
    r2.check("#p1_dominant_pa")
    for code in ("pa", "nw", "mv"):
        r2.check(f"#p0_{code}_2")
    for code in ("npm", "nw", "mv"):
        r2.check(f"#p1_{code}_4")
    r2.click("button:has-text('Indienen')")
    r2.wait_for_selector("text=Dank u wel: uw antwoorden zijn ingediend.")
    flow.outsider_is_refused(outsider, f"{round_url}/invullen", f"{round_url}/rapport",
                             f"{base}/api/rondes/{round_id}/mijn-antwoorden")

    # 6b. respondent 3 answers the middle of the scale, then reads the start page in English
    r3 = flow.context()
    flow.accept_invite(r3, invite_links[2], "Respondent Drie")
    answer_all(r3, mid)
    r3.check("#p0_dominant_npm")
    r3.check("#p1_dominant_mv")
    for code in ("pa", "nw", "mv"):
        r3.check(f"#p0_{code}_2")
    for code in ("pa", "npm", "nw"):
        r3.check(f"#p1_{code}_3")
    r3.click("button:has-text('Indienen')")
    r3.wait_for_selector("text=Dank u wel: uw antwoorden zijn ingediend.")
    r3.goto(f"{base}/?lang=en")
    r3.wait_for_selector("h2:has-text('Your municipalities')")
    flow.shot(r3, "06b-respondent-engels")

    # 7. the coördinator closes the round; the report shows spread and tasks at risk
    coord.goto(round_url)
    assert coord.locator("td:has-text('ingediend')").count() == 3
    coord.click("button:has-text('Ronde sluiten')")  # without confirming: nothing happens
    coord.wait_for_selector("#bevestigen-fout")
    assert coord.locator("td:has-text('ingediend')").count() == 3
    coord.check("#bevestigen")
    coord.click("button:has-text('Ronde sluiten')")
    coord.wait_for_selector("text=De ronde is gesloten. Het rapport staat klaar.")
    flow.check_page(coord)
    for factor, name in (("hulpbronnen", "Hulpbronnen"), ("motivatie", "Motivatie"),
                         ("samenwerking", "Samenwerking")):
        lo, hi = factor_scores(low, factor), factor_scores(high, factor)
        middle = factor_scores(mid, factor)
        row = coord.inner_text(f"#factoren + .tabelrol tr:has(th:text-is('{name}'))")
        cells = row.split("\t")
        assert cells[1].strip() == "3", row  # n
        assert cells[2].strip() == nl((lo + middle + hi) / 3), row  # mean
        assert cells[4].strip() == nl(lo) and cells[5].strip() == nl(hi), row  # min, max
        assert cells[6].strip() == nl(statistics.stdev([lo, middle, hi])), row  # sd
        assert cells[7].strip() == nl((hi - lo) / 2), row  # IQR of three values (inclusive)
        assert "uiteenlopend" in row
    main = coord.inner_text("main")
    assert "Dominant volgens de meerderheid: New Public Management." in main  # all three chose npm
    assert "Geen meerderheid voor één dominant perspectief" in main  # nw, pa and mv
    assert "Taken met risico" in coord.content()
    apk_rows = coord.locator("#apk ~ .tabelrol").first.locator("tbody").inner_text()
    assert apk_rows.splitlines()[0].startswith("Bodem") and "hoog" in apk_rows
    flow.shot(coord, "06-rapport")
    coord.click("button:has-text('Scores delen met andere gemeenten')")
    coord.wait_for_selector("text=De scores van deze ronde zijn gedeeld met andere gemeenten.")

    # 8. the outsider is still refused everywhere, and sees A only in the comparison
    flow.outsider_is_refused(outsider, f"{round_url}/rapport", everything=True)
    outsider.goto(f"{base}/gemeente/GM0678")
    outsider.fill("#round_title", "Kapelle 2025")
    outsider.click("button:has-text('Ronde aanmaken')")
    outsider.wait_for_selector("text=De ronde is aangemaakt")
    outsider.click("text=Vergelijken met andere gemeenten")
    outsider.wait_for_selector("h1:has-text('Vergelijking')")
    flow.check_page(outsider)
    table = outsider.inner_text("table")
    assert "Twenterand" in table and "Zelfevaluatie 2025" in table
    assert nl((factor_scores(low, "hulpbronnen") + factor_scores(mid, "hulpbronnen")
               + factor_scores(high, "hulpbronnen")) / 3) in table
    assert "GEHEIM" not in outsider.content()
    flow.shot(outsider, "07-vergelijking-buitenstaander")

    # keyboard: the first Tab lands on the skip link
    outsider.keyboard.press("Tab")
    assert outsider.evaluate("document.activeElement.className") == "skip-link"
