"""Smoke test: every municipality of every year x every page x html / .json / /api.

No 500 anywhere, numbers are numbers (never the word 'ontbreekt' in a number field, never NaN),
an empty value always says why, and a choice that has no data answers 400 with a Dutch hint.
The combinations come from the real warehouse, not from a hand-picked list.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow

EMPTY_REASONS = {"ontbreekt", "geen_prijsindex", "geen_waarde", "niet_van_toepassing"}
NUMBER_FIELDS = {"waarde", "mediaan", "percentiel", "z_score", "nominaal", "reeel", "begroting",
                 "jaarrekening", "verschil_pct", "mutatie_pct", "minimum", "maximum", "v"}
HTML_JUNK = (">nan<", ">None<", "NaN", ">inf<", "Traceback")


def walk(value: Any, field: str = "") -> Iterator[tuple[str, Any]]:
    """(field name, scalar) for every scalar in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "leeg":
                yield from (("leeg", reason) for reason in item.values())
            else:
                yield from walk(item, key)
    elif isinstance(value, list):
        if value and all(type(item) is float for item in value):
            yield field, value  # a list of numbers (e.g. groep_waarden) checked in one go
        else:
            for item in value:
                yield from walk(item, field)
    else:
        yield field, value


def check_numbers(data: Any, where: str) -> None:
    for field, value in walk(data):
        if field == "leeg":
            assert value in EMPTY_REASONS, (where, value)
        elif isinstance(value, list):
            assert all(math.isfinite(item) for item in value), (where, field)
        elif field in NUMBER_FIELDS:
            assert value is None or isinstance(value, int | float), (where, field, value)
            if isinstance(value, float):
                assert math.isfinite(value), (where, field, value)


def get_ok(client: TestClient, url: str, check: bool = True) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    if "json" in response.headers["content-type"]:
        data = response.json()
        if check:
            check_numbers(data, url)
        return data
    if response.headers["content-type"].startswith("text/html"):
        for junk in HTML_JUNK:
            assert junk not in response.text, (url, junk)
    return response.text


def three_forms(client: TestClient, page: str, api: str | None, query: str) -> Any:
    """The page as HTML, its .json twin and (when there is one) the /api route: same data."""
    suffix = f"?{query}" if query else ""
    get_ok(client, page + suffix)
    twin = get_ok(client, page + ".json" + suffix)
    if api is not None:
        assert get_ok(client, api + suffix, check=False) == twin, (page, query)
    return twin


@pytest.fixture(scope="module")
def client(app) -> Iterator[TestClient]:
    """A client of its own: the English requests here set a language cookie that must not
    leak into the session client other test modules share."""
    with TestClient(app, raise_server_exceptions=False) as own:
        yield own


@pytest.fixture(scope="module")
def facts(app) -> dict[str, Any]:
    con = app.state.service.state.cursor()
    pairs = con.execute("SELECT gm_code, jaar FROM gemeente_jaar ORDER BY jaar, gm_code"
                        ).fetchall()
    years = {document: [row[0] for row in con.execute(
        "SELECT DISTINCT jaar FROM iv3_levering WHERE document = ? AND status = 'geleverd' "
        "ORDER BY jaar", [document]).fetchall()] for document in ("begroting", "jaarrekening")}
    latest = max(jaar for _, jaar in pairs)
    gone = [row[0] for row in con.execute(
        "SELECT gm_code FROM gemeente WHERE laatste_jaar IS NOT NULL ORDER BY gm_code"
    ).fetchall()]
    return {"pairs": pairs, "years": years, "latest": latest, "gone": gone}


# one test per year, so pytest-xdist can spread the ~3,500 profiles over its workers
YEARS = range(2015, 2031)


def test_every_year_with_data_is_covered(facts) -> None:
    years = {jaar for _, jaar in facts["pairs"]}
    assert years <= set(YEARS), sorted(years - set(YEARS))
    assert len(facts["pairs"]) > 3000


@pytest.mark.parametrize("jaar", YEARS)
def test_profile_of_every_municipality_in_every_year(client: TestClient, facts,
                                                     jaar: int) -> None:
    document = "jaarrekening" if jaar in facts["years"]["jaarrekening"] else "begroting"
    codes = [gm for gm, year in facts["pairs"] if year == jaar]
    if jaar not in facts["years"][document]:
        pytest.skip(f"no Iv3 document for {jaar} in this snapshot")
    for gm in codes:
        data = three_forms(client, f"/gemeente/{gm}", f"/api/gemeenten/{gm}",
                           f"jaar={jaar}&document={document}")
        assert data["keuzes"]["jaar"] == jaar and data["gemeente"]["gm_code"] == gm
        delivered = data["levering"]["status"] == "geleverd"
        for row in data["kerncijfers"]:
            if not delivered:
                assert row["waarde"] is None and row["leeg"]["waarde"] == "ontbreekt"
            elif row["waarde"] is None:
                assert row["leeg"]["waarde"] in EMPTY_REASONS
    assert len(codes) > 300


def test_profile_with_other_choices_for_every_current_municipality(client: TestClient,
                                                                   facts) -> None:
    latest = facts["latest"]
    current = [gm for gm, jaar in facts["pairs"] if jaar == latest]
    budget_year = max(facts["years"]["begroting"])
    too_small = 0
    for number, gm in enumerate(current):
        peers = ("provincie", "grootteklasse", "knn", "alle", "stedelijkheid")[number % 5]
        query = f"jaar={budget_year}&document=begroting&prijzen=reeel&peers={peers}"
        response = client.get(f"/api/gemeenten/{gm}?{query}")
        if response.status_code == 400:
            # an explicitly chosen peer group can be too small (the four cities of 250,000+):
            # that is a clear refusal with a way out, on every form of the page
            body = response.json()
            assert "peergroep" in body["fout"] and "Kies" in body["hint"], body
            assert client.get(f"/gemeente/{gm}?{query}").status_code == 400
            too_small += 1
            continue
        three_forms(client, f"/gemeente/{gm}", f"/api/gemeenten/{gm}", query)
    assert too_small < 10
    # on harmonised boundaries (peiljaar), a sample per province is enough: same code path
    for gm in current[::17]:
        three_forms(client, f"/gemeente/{gm}", f"/api/gemeenten/{gm}",
                    f"peiljaar={latest}&prijzen=reeel&lang=en")


def test_profile_of_every_dissolved_municipality(client: TestClient, facts) -> None:
    assert len(facts["gone"]) > 30
    for gm in facts["gone"]:
        data = three_forms(client, f"/gemeente/{gm}", f"/api/gemeenten/{gm}", "")
        assert data["gemeente"]["bestaat"] is False


def test_unavailable_choice_is_a_clear_400(client: TestClient, facts) -> None:
    missing_year = max(facts["years"]["begroting"])
    if missing_year in facts["years"]["jaarrekening"]:
        pytest.skip("every budget year also has accounts")
    for url in (f"/gemeente/GM0363.json?jaar={missing_year}&document=jaarrekening",
                f"/api/gemeenten/GM0363?jaar={missing_year}&document=jaarrekening"):
        response = client.get(url)
        assert response.status_code == 400
        assert "jaarrekening" in response.json()["fout"] and response.json()["hint"]


def test_compare_every_municipality_in_every_year(client: TestClient, facts) -> None:
    by_year: dict[int, list[str]] = {}
    for gm, jaar in facts["pairs"]:
        by_year.setdefault(jaar, []).append(gm)
    for jaar, codes in by_year.items():
        document = "jaarrekening" if jaar in facts["years"]["jaarrekening"] else "begroting"
        if jaar not in facts["years"][document]:
            continue
        for start in range(0, len(codes), 10):
            batch = ",".join(codes[start:start + 10])
            data = three_forms(client, "/vergelijken", "/api/vergelijken",
                               f"gemeenten={batch}&jaar={jaar}&document={document}")
            assert [m["gm_code"] for m in data["gemeenten"]] == codes[start:start + 10]
    for groep in ("G4", "casusgemeenten 2020"):
        query = f"groep={groep}&prijzen=reeel&indicator=overhead_pct"
        twin = three_forms(client, "/vergelijken", None, query)
        # the API's indicator filters the table; everything else is the page's model
        api = get_ok(client, f"/api/vergelijken?{query}", check=False)
        assert [row["indicator"] for row in api["tabel"]] == ["overhead_pct"]
        assert api["tabel"] == [row for row in twin["tabel"]
                                if row["indicator"] == "overhead_pct"]
        assert {**api, "tabel": None} == {**twin, "tabel": None}


def test_every_indicator_in_every_year(client: TestClient, facts) -> None:
    codes = [item["code"] for item in get_ok(client, "/api/indicatoren")]
    assert len(codes) > 40
    for code in codes:
        for document, years in facts["years"].items():
            for jaar in years:
                data = three_forms(client, f"/indicator/{code}", f"/api/indicatoren/{code}",
                                   f"jaar={jaar}&document={document}")
                summary = data["verdeling"]["samenvatting"]
                assert summary["met_waarde"] + summary["zonder_waarde"] == summary["gemeenten"]
        three_forms(client, f"/indicator/{code}", f"/api/indicatoren/{code}", "prijzen=reeel")


def test_national_picture_for_every_document_year_and_indicator(client: TestClient,
                                                                facts) -> None:
    codes = [item["code"] for item in get_ok(client, "/api/indicatoren")]
    for document, years in facts["years"].items():
        for jaar in years:
            three_forms(client, "/landelijk", "/api/landelijk",
                        f"document={document}&jaar={jaar}")
        for code in codes:
            three_forms(client, "/landelijk", "/api/landelijk",
                        f"document={document}&indicator={code}&prijzen=reeel&lang=en")
