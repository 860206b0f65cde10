"""Every page answers in Dutch (and English), with JSON and CSV twins that carry the same data."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

PAGES = [
    "/",
    "/gemeente/GM0363",
    "/vergelijken?gemeenten=GM0363,GM0599",
    "/landelijk",
    "/indicatoren",
    "/indicator/overhead_pct",
    "/over",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_is_dutch_html_with_skip_link(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="nl"' in html
    assert 'href="#inhoud"' in html and 'id="inhoud"' in html
    assert "bron: CBS" in html.replace("Bron: CBS", "bron: CBS")


@pytest.mark.parametrize("path", PAGES)
def test_json_and_csv_twins(client: TestClient, path: str) -> None:
    base, _, query = path.partition("?")
    suffix = "" if base == "/" else base
    for fmt in ("json", "csv"):
        url = f"{suffix or '/'}.{fmt}" if suffix else f"/?format={fmt}"
        if query:
            url += ("&" if "?" in url else "?") + query
        response = client.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        if fmt == "json":
            assert response.headers["content-type"].startswith("application/json")
            assert "CBS" in response.json()["bron"]
        else:
            assert response.headers["content-type"].startswith("text/csv")
            assert "attachment" in response.headers["content-disposition"]
    # ?format= works the same as the suffix
    same = client.get(path + ("&" if query else "?") + "format=json")
    assert same.status_code == 200 and same.headers["content-type"].startswith("application/json")


def test_english_switch_sets_cookie(client: TestClient) -> None:
    response = client.get("/gemeente/GM0363?lang=en")
    assert '<html lang="en"' in response.text
    assert "Key figures" in response.text
    assert response.cookies.get("lang") == "en" or "lang=en" in response.headers["set-cookie"]
    client.cookies.set("lang", "en")
    follow = client.get("/over")
    assert '<html lang="en"' in follow.text and "Sources and retrieval dates" in follow.text
    client.cookies.clear()


def test_profile_json_has_positions_and_provenance(client: TestClient) -> None:
    url = "/gemeente/GM0363.json?jaar=2023&document=jaarrekening&peers=provincie"
    data = client.get(url).json()
    assert data["gemeente"]["naam"] == "Amsterdam"
    assert data["keuzes"]["jaar"] == 2023 and data["keuzes"]["peers"] == "provincie"
    assert "GM0599" not in data["groep"]["leden"] and "GM0392" in data["groep"]["leden"]
    rows = {row["indicator"]: row for row in data["kerncijfers"]}
    overhead = rows["overhead_pct"]
    assert 0 < overhead["waarde"] < 100
    assert overhead["document"] == "jaarrekening" and overhead["jaar"] == 2023
    assert overhead["bronnen"] == ["iv3_fact"] and overhead["formule"]
    assert 0 <= overhead["percentiel"] <= 100 and overhead["n"] > 5
    # deep link carries all state
    assert "peers=provincie" in data["keuzes"]["query"] and "jaar=2023" in data["keuzes"]["query"]


def test_real_prices_deflate_euro_indicators(client: TestClient) -> None:
    nominal = client.get("/gemeente/GM0363.json?jaar=2020").json()
    real = client.get("/gemeente/GM0363.json?jaar=2020&prijzen=reeel").json()
    value = {r["indicator"]: r["waarde"] for r in nominal["kerncijfers"]}
    deflated = {r["indicator"]: r["waarde"] for r in real["kerncijfers"]}
    assert deflated["lasten_per_inwoner"] > value["lasten_per_inwoner"]  # 2020 prices < 2025
    assert deflated["overhead_pct"] == pytest.approx(value["overhead_pct"])  # a ratio


def test_missing_delivery_is_ontbreekt_never_zero(client: TestClient) -> None:
    # Twenterand (a 2020 case municipality) delivered no jaarrekening for 2022.
    html = client.get("/gemeente/GM1700?jaar=2022&document=jaarrekening").text
    assert 'class="missing">ontbreekt' in html
    data = client.get("/gemeente/GM1700.json?jaar=2022&document=jaarrekening").json()
    assert data["levering"]["status"] == "ontbreekt"
    assert all(row["waarde"] is None and row["leeg"] == {"waarde": "ontbreekt"}
               for row in data["kerncijfers"])
    budget = {row["jaar"]: row for row in data["begroting_vs_jaarrekening"]}
    assert budget[2022]["jaarrekening"] is None
    assert budget[2022]["leeg"]["jaarrekening"] == "ontbreekt"
    assert budget[2022]["begroting"] > 0
    missing_trends = [row for row in data["trends"] if row["jaar"] == 2022]
    assert missing_trends and all(row["nominaal"] is None and row["leeg"]["nominaal"] ==
                                  "ontbreekt" for row in missing_trends)
    rows = list(csv.DictReader(io.StringIO(
        client.get("/gemeente/GM1700.csv?jaar=2022&document=jaarrekening").text)))
    positions = [row for row in rows if row["onderdeel"] == "positie"]
    assert positions and all(row["waarde"] == "" and row["status"] == "ontbreekt"
                             for row in positions)


@pytest.mark.parametrize("gm", ["GM1700", "GM0141", "GM0339", "GM0505", "GM0809", "GM1735",
                                "GM1961"])
def test_profile_numbers_are_numbers_where_a_delivery_is_missing(client: TestClient,
                                                                  gm: str) -> None:
    # Regression: these answered 500 on /api because 'ontbreekt' was written into number fields.
    for url in (f"/api/gemeenten/{gm}", f"/gemeente/{gm}.json"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        data = response.json()
        for row in data["trends"]:
            for key in ("nominaal", "reeel"):
                assert row[key] is None or isinstance(row[key], int | float), (url, row)
                if row[key] is None:
                    assert row["leeg"][key] in ("ontbreekt", "geen_prijsindex", "geen_waarde")
        assert any(row["leeg"].get("nominaal") == "ontbreekt" for row in data["trends"]), url


def test_named_peer_group_on_a_budget_year(client: TestClient) -> None:
    # Regression: peers=G4 answered 500 (indicators.api called _custom_members wrongly).
    response = client.get("/gemeente/GM0310?jaar=2025&document=begroting&peers=G4")
    assert response.status_code == 200, response.text[:300]
    data = client.get("/api/gemeenten/GM0310?jaar=2025&document=begroting&peers=G4").json()
    assert set(data["groep"]["leden"]) >= {"GM0363", "GM0599", "GM0518", "GM0344"}
    assert data["groep"]["aantal"] == 5  # the four cities plus De Bilt itself


def test_profile_marks_definitional_breaks(client: TestClient) -> None:
    data = client.get("/gemeente/GM0599.json").json()
    assert 2023 in [entry["jaar"] for entry in data["definitiebreuken"]]
    html = client.get("/gemeente/GM0599").text
    assert "Definitiebreuken" in html


def test_reference_year_harmonises_predecessors(client: TestClient) -> None:
    # Amsterdam absorbed Weesp in March 2022: on 2023 boundaries the 2019 total includes Weesp.
    own = client.get("/gemeente/GM0363.json?jaar=2019").json()
    merged = client.get("/gemeente/GM0363.json?jaar=2019&peiljaar=2023").json()
    total = {r["indicator"]: r["waarde"] for r in own["kerncijfers"]}
    summed = {r["indicator"]: r["waarde"] for r in merged["kerncijfers"]}
    assert merged["keuzes"]["peiljaar"] == 2023
    assert summed["lasten_per_inwoner"] != pytest.approx(total["lasten_per_inwoner"])


def test_unknown_code_gives_dutch_404_with_suggestions(client: TestClient) -> None:
    response = client.get("/gemeente/GM9999")
    assert response.status_code == 404
    assert "Gemeente niet gevonden" in response.text and "Bedoelde u" in response.text
    misspelt = client.get("/gemeente/amsterdm")
    assert misspelt.status_code == 404 and "/gemeente/GM0363" in misspelt.text
    api = client.get("/gemeente/GM9999.json")
    assert api.status_code == 404 and api.json()["suggesties"]


def test_names_and_short_codes_redirect_to_the_canonical_url(client: TestClient) -> None:
    for path in ("/gemeente/amsterdam", "/gemeente/gm363", "/gemeente/Den%20Haag"):
        response = client.get(path + "?jaar=2023", follow_redirects=False)
        assert response.status_code == 308
        assert response.headers["location"].startswith("/gemeente/GM")
        assert response.headers["location"].endswith("?jaar=2023")


def test_search_is_typo_tolerant_and_redirects_on_a_single_match(client: TestClient) -> None:
    response = client.get("/?q=amsterdm", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/gemeente/GM0363"
    both = client.get("/?q=Bergen")
    assert "GM0893" in both.text and "GM0373" in both.text
    data = client.get("/?format=json&q=sudwest fryslan").json()
    assert data["resultaten"][0]["gm_code"] == "GM1900"


def test_unmatched_search_shows_no_junk(client: TestClient) -> None:
    """'Qwertyvlietdorp' matches no municipality: the page says so and lists nothing (the
    partial-match fallback used to present Adorp, Niedorp and Erp as search results); a near
    miss without a search hit still gets honest suggestions."""
    data = client.get("/.json?q=Qwertyvlietdorp").json()
    assert data["resultaten"] == [] and data["suggesties"] == []
    html = client.get("/?q=Qwertyvlietdorp").text
    assert "Geen gemeente gevonden voor “Qwertyvlietdorp”." in html
    results = html.split('id="resultaten-kop"')[1].split("</section>")[0]
    assert "/gemeente/GM" not in results
    for junk in ("xyzzy", "123abc", "zzzzzzzzzz"):
        assert client.get(f"/.json?q={junk}").json()["suggesties"] == []
    near = client.get("/.json?q=Nergenshuizen").json()
    assert [m["naam"] for m in near["resultaten"]] == ["Enkhuizen"]


def test_compare_group_and_cap(client: TestClient) -> None:
    data = client.get("/vergelijken.json?groep=casusgemeenten%202020").json()
    assert len(data["gemeenten"]) == 9
    many = ",".join(f"GM{n:04d}" for n in (363, 599, 518, 344, 855, 392, 114, 1900, 542, 473, 678))
    response = client.get(f"/vergelijken?gemeenten={many}")
    assert response.status_code == 400 and "maximaal 10" in response.text
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/vergelijken.csv?gemeenten=GM0363,rotterdam").text)))
    assert {row["gm_code"] for row in rows} == {"GM0363", "GM0599"}


def test_api_compare_indicator_filters_the_table(client: TestClient, facts_2024) -> None:
    """/api/vergelijken?indicator=... gives that indicator only (before, the parameter changed
    the trend chart and the table still held every headline indicator). Amsterdam, jaarrekening
    2024: overhead 0.4 lasten / all lasten, from the warehouse."""
    query = "gemeenten=GM0363,GM0599&jaar=2024&document=jaarrekening"
    full = client.get(f"/api/vergelijken?{query}").json()
    assert len(full["tabel"]) > 5
    one = client.get(f"/api/vergelijken?{query}&indicator=overhead_pct").json()
    assert [row["indicator"] for row in one["tabel"]] == ["overhead_pct"]
    assert one["tabel"][0]["waarden"]["GM0363"] == pytest.approx(facts_2024["GM0363"])
    # an indicator outside the headline table is filtered to as well
    other = client.get(f"/api/vergelijken?{query}&indicator=loonsom_pct").json()
    assert [row["indicator"] for row in other["tabel"]] == ["loonsom_pct"]
    # the web page keeps its headline table (its select only picks the trend chart)
    page = client.get(f"/vergelijken.json?{query}&indicator=overhead_pct").json()
    assert len(page["tabel"]) == len(full["tabel"])


@pytest.fixture(scope="module")
def facts_2024(app) -> dict[str, float]:
    con = app.state.service.state.cursor()
    rows = con.execute("""
        SELECT gm_code,
               sum(bedrag) FILTER (WHERE taakveld = '0.4') * 100
               / sum(bedrag) FILTER (WHERE taakveld = '*')
        FROM iv3_fact WHERE jaar = 2024 AND document = 'jaarrekening' AND categorie = '*'
          AND kant = 'lasten' AND gm_code IN ('GM0363', 'GM0599') GROUP BY gm_code""").fetchall()
    return {gm: float(value) for gm, value in rows}


def test_national_picture_has_cpi_and_honest_map_notice(client: TestClient) -> None:
    data = client.get("/landelijk.json").json()
    series = {row["reeks"] for row in data["trends"]}
    assert {"lasten_totaal", "lasten_fysiek", "cpi"} <= series
    assert any(row["klasse"] is not None for row in data["trends"])
    # the default year (accounts 2024) has no boundaries in the snapshot: say so, no fake map
    assert data["verdeling"]["keuzes"]["jaar"] == 2024
    assert data["verdeling"]["kaart"]["beschikbaar"] is False
    assert data["kaartjaren"] == [2021, 2022, 2026]  # cartomap snapshot, SOURCES.md section 12
    html = client.get("/landelijk").text
    assert "geen gemeentegrenzen" in html and "Verdeling per provincie" in html


def test_national_map_is_drawn_from_real_boundaries(client: TestClient) -> None:
    data = client.get("/landelijk.json?jaar=2022").json()
    assert data["verdeling"]["kaart"] == {"beschikbaar": True, "jaar": 2022,
                                          "bron": data["verdeling"]["kaart"]["bron"]}
    html = client.get("/landelijk?jaar=2022").text
    assert 'id="kaart"' in html and '"geoshape"' in html


def test_indicator_page_definition_and_distribution(client: TestClient) -> None:
    html = client.get("/indicator/inhuur_pct").text
    for text in ("Formule", "Eenheid", "Richting", "Kanttekeningen", "Brontabellen"):
        assert text in html
    data = client.get("/indicator/inhuur_pct.json?jaar=2023").json()
    assert data["verdeling"]["samenvatting"]["met_waarde"] > 300
    assert client.get("/indicator/bestaat_niet").status_code == 404


def test_about_page_lists_sources_licence_and_citation(client: TestClient) -> None:
    html = client.get("/over").text
    assert "CC BY 4.0" in html and "86141NED" in html and "Citeer" in html
    data = client.get("/over.json").json()
    assert all(source["opgehaald_op"] for source in data["bronnen"])


def test_api_docs_page_lists_endpoints(client: TestClient) -> None:
    html = client.get("/api").text
    assert "/api/gemeenten/{gm_code}" in html and "/api/openapi.json" in html
    spec = client.get("/api/openapi.json").json()
    assert "/api/gemeenten/{gm_code}" in spec["paths"]
    assert "/gemeente/{code}" not in spec["paths"]  # pages are not part of the REST API


@pytest.mark.parametrize(
    "peers", ["auto", "stedelijkheid", "knn", "provincie", "alle", "casusgemeenten 2020"])
def test_every_peer_group_choice_works(client: TestClient, peers: str) -> None:
    data = client.get(f"/gemeente/GM0599.json?jaar=2024&peers={peers}").json()
    assert data["keuzes"]["peers"] == peers
    assert data["groep"]["aantal"] >= 5 and "GM0599" in data["groep"]["leden"]
    overhead = {row["indicator"]: row for row in data["kerncijfers"]}["overhead_pct"]
    assert overhead["n"] >= 4 and overhead["mediaan"] is not None


def test_signals_explain_themselves(client: TestClient) -> None:
    # Oldebroek: real physical-domain spending per inhabitant without grondexploitatie fell three
    # years in a row to 2024 (7.3 Afval from EUR 14.3 to 2.3 million). Lochem no longer fires:
    # its decline was in grondexploitatie (8.2), which the rule leaves out.
    data = client.get("/gemeente/GM0269.json?jaar=2024&document=jaarrekening").json()
    codes = {signal["code"] for signal in data["signalen"]}
    assert "negatieve_spiraal" in codes
    spiral = next(s for s in data["signalen"] if s["code"] == "negatieve_spiraal")
    assert "daalden" in spiral["uitleg"] and spiral["indicatoren"]
    html = client.get("/gemeente/GM0269?jaar=2024&document=jaarrekening").text
    assert "Negatieve spiraal in het fysieke domein" in html
    lochem = client.get("/gemeente/GM0262.json?jaar=2024&document=jaarrekening").json()
    assert "negatieve_spiraal" not in {signal["code"] for signal in lochem["signalen"]}


def test_too_small_peer_group_is_explained(client: TestClient) -> None:
    response = client.get("/gemeente/GM0599?jaar=2024&peers=G4")
    assert response.status_code == 400 and "minstens 5" in response.text


def test_recently_viewed_profiles_appear_on_the_start_page(app) -> None:
    with TestClient(app) as fresh:
        fresh.get("/gemeente/GM0599")
        fresh.get("/gemeente/GM0855")
        html = fresh.get("/").text
        assert "Recent bekeken" in html
        assert html.index("/gemeente/GM0855") < html.index("/gemeente/GM0599")
        fresh.cookies.set("recent", "GM0363.<script>.GM0599")
        assert "<script>" not in fresh.get("/").text.split("Recent bekeken")[1][:400]


def test_english_titles_and_error_messages(client: TestClient) -> None:
    page = client.get("/vergelijken?gemeenten=GM0363,GM0599&lang=en")
    assert "<title>Compare municipalities · Schouders</title>" in page.text
    missing = client.get("/gemeente/GM9999?lang=en")
    assert missing.status_code == 404 and "Unknown municipality: &#39;GM9999&#39;" in missing.text
    year = client.get("/landelijk?jaar=2010&lang=en")
    assert year.status_code == 400 and "No annual accounts for the year 2010." in year.text
    invalid = client.get("/gemeente/GM0363?jaar=1990&lang=en")
    assert invalid.status_code == 422 and "Invalid input: jaar:" in invalid.text
    assert "Check the values in the address bar" in invalid.text
    dutch = client.get("/gemeente/GM0363?jaar=1990&lang=nl")
    assert "jaar: moet minstens 2000 zijn" in dutch.text and "Input should" not in dutch.text
    api = client.get("/api/gemeenten/GM0363?jaar=1&lang=en").json()
    assert api["fout"].startswith("Ongeldige invoer")  # the API speaks Dutch field names and text


def test_profile_links_to_a_comparison_with_its_peer_group(client: TestClient) -> None:
    data = client.get("/gemeente/GM0363.json?jaar=2024&peers=provincie").json()
    members = [code for code in data["groep"]["leden"] if code != "GM0363"][:9]
    html = client.get("/gemeente/GM0363?jaar=2024&peers=provincie").text
    link = "/vergelijken?gemeenten=" + ",".join(["GM0363", *members])
    assert link in html
    compare = client.get(link + "&jaar=2024&document=jaarrekening&format=json")
    assert len(compare.json()["gemeenten"]) == min(10, len(members) + 1)


def test_wide_tables_scroll_inside_a_labelled_region(client: TestClient) -> None:
    many = "GM0363,GM0599,GM0518,GM0344,GM0014,GM0034,GM0080,GM0153,GM0193,GM0200"
    html = client.get(f"/vergelijken?gemeenten={many}&lang=nl").text
    region = 'role="region" tabindex="0" aria-label="Gemeenten vergelijken: jaarrekening'
    assert region in html
    for path in ("/gemeente/GM0363", "/indicatoren", "/api"):
        regions = re.findall(r'class="table-scroll" role="region"[^>]*>', client.get(path).text)
        assert regions and all("aria-label=\"Tabel\"" not in tag for tag in regions), path


@pytest.mark.parametrize("path", ["/gemeente/GM1700", "/vergelijken?gemeenten=GM0363,GM0599",
                                  "/landelijk", "/indicator/overhead_pct", "/over"])
def test_xlsx_twin_holds_the_csv_table(client: TestClient, path: str) -> None:
    import openpyxl

    base, _, query = path.partition("?")
    suffix = f"?{query}" if query else ""
    response = client.get(f"{base}.xlsx{suffix}")
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book["gegevens"].iter_rows(values_only=True))
    table = list(csv.reader(io.StringIO(client.get(f"{base}.csv{suffix}").text)))
    assert [str(cell) for cell in rows[0]] == table[0]
    assert len(rows) == len(table)
    assert "CBS" in str(next(book["bron"].iter_rows(min_row=2, values_only=True))[0])


def test_real_euro_chart_says_price_index_not_yet_available(app) -> None:
    """Amsterdam delivered its begroting 2026; the CPI of 2026 is not out (86141NED ends in
    2025). In real euros 2026 is 'prijsindex nog niet beschikbaar' (status geen_prijsindex),
    not 'ontbreekt'; the nominal chart has the value. A year without a delivery stays
    'ontbreekt'. Definitional-break labels are vertical, one per break year."""
    from schouders.web.pages.profile import specs

    model = app.state.service.profile("GM0363", jaar=2026, document="begroting")
    rows = [row for row in model.trends if row.jaar == 2026]
    assert rows and all(row.nominaal is not None and row.reeel is None for row in rows)
    assert {row.leeg.get("reeel") for row in rows} == {"geen_prijsindex"}
    charts = specs(model, "nl")["trends"]
    assert charts["reeel"]["datasets"]["gaps"] == [
        {"jaar": 2026, "tekst": "prijsindex nog niet beschikbaar"}]
    assert charts["nominaal"]["datasets"]["gaps"] == []
    assert specs(model, "en")["trends"]["reeel"]["datasets"]["gaps"][0]["tekst"] == (
        "price index not yet available")
    years = [mark["jaar"] for mark in charts["reeel"]["datasets"]["breaks"]]
    assert len(years) == len(set(years)) and {2023, 2025} <= set(years)
    label_layer = next(layer for layer in charts["reeel"]["layer"]
                       if layer.get("mark", {}).get("type") == "text"
                       and layer["encoding"].get("text", {}).get("field") == "kort")
    assert label_layer["mark"]["angle"] == 270
    # Twenterand has no jaarrekening 2022: in both charts that year is 'ontbreekt'
    twenterand = specs(app.state.service.profile("GM1700", jaar=2024, document="jaarrekening"),
                       "nl")["trends"]
    for key in ("nominaal", "reeel"):
        assert {"jaar": 2022, "tekst": "ontbreekt"} in twenterand[key]["datasets"]["gaps"]


def test_profile_header_counts_members_with_figures(client: TestClient, app) -> None:
    """Gilze en Rijen, jaarrekening 2024: its size class (20,000-50,000) has 182 members, of
    whom Loon op Zand (GM0809) delivered no jaarrekening 2024; every n is 181. The header said
    'tussen 182 gemeenten' next to ranks out of 181; now it says both."""
    data = client.get("/gemeente/GM0784.json?jaar=2024&document=jaarrekening").json()
    group = data["groep"]
    con = app.state.service.state.cursor()
    delivered = con.execute(
        "SELECT count(*) FROM iv3_levering WHERE jaar = 2024 AND document = 'jaarrekening' "
        "AND status = 'geleverd' AND gm_code IN (SELECT unnest(?))", [group["leden"]]
    ).fetchone()
    assert delivered is not None
    assert (group["aantal"], group["met_cijfers"], delivered[0]) == (182, 181, 181)
    assert "GM0809" in group["leden"]
    assert max(row["n"] for row in data["kerncijfers"]) == 181
    html = client.get("/gemeente/GM0784?jaar=2024&document=jaarrekening").text
    assert "Gilze en Rijen tussen 182 gemeenten" in html and "van wie 181 met cijfers" in html
