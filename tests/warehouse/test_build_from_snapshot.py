"""The warehouse built from the real snapshot holds what the source files hold."""

from __future__ import annotations

import csv
import math
from collections import Counter
from pathlib import Path

import pytest


def test_every_municipality_of_every_year_is_present(con, data_dir: Path) -> None:
    path = data_dir / "joeykurtosis_gemeentefinancien" / "gemeenten_per_jaar_2010_2026.csv"
    with path.open(encoding="utf-8") as handle:
        expected = Counter(int(r["jaar"]) for r in csv.DictReader(handle) if int(r["jaar"]) >= 2017)
    got = dict(con.execute("SELECT jaar, count(*) FROM gemeente_jaar GROUP BY jaar").fetchall())
    assert got == dict(expected)
    assert got[2025] == 342
    assert got[2017] == 388


def test_total_lasten_equals_the_snapshot_summary(con, summary_value) -> None:
    for gm, jaar, document in [
        ("GM0363", 2023, "jaarrekening"),
        ("GM0014", 2019, "begroting"),
        ("GM1900", 2026, "begroting"),
    ]:
        (value,) = con.execute(
            "SELECT bedrag FROM iv3_fact WHERE gm_code=? AND jaar=? AND document=? "
            "AND taakveld='*' AND categorie='*' AND kant='lasten'",
            [gm, jaar, document],
        ).fetchone()
        assert value == summary_value(gm, jaar, document, "lasten")


def test_per_taakveld_lasten_sum_to_the_total(con, breakdown_rows) -> None:
    """Amsterdam, jaarrekening 2023: the taakveld amounts in the source add up to our total."""
    source_sum = sum(
        float(r["bedrag_x1000_eur"])
        for r in breakdown_rows
        if r["gm_code"] == "GM0363"
        and r["jaar"] == "2023"
        and r["verslagsoort"] == "2023X005"
        and r["breakdown"] == "lasten_per_taakveld"
    )
    stored = con.execute(
        "SELECT sum(bedrag) FROM iv3_fact WHERE gm_code='GM0363' AND jaar=2023 "
        "AND document='jaarrekening' AND categorie='*' AND kant='lasten' AND taakveld LIKE '%.%' "
        "AND taakveld NOT IN ('0.10', '0.11')"
    ).fetchone()[0]
    total = con.execute(
        "SELECT bedrag FROM iv3_fact WHERE gm_code='GM0363' AND jaar=2023 "
        "AND document='jaarrekening' AND taakveld='*' AND categorie='*' AND kant='lasten'"
    ).fetchone()[0]
    assert stored == pytest.approx(source_sum)
    assert total == pytest.approx(source_sum, abs=1.0)


def test_overhead_taakveld_of_hulst_matches_the_source(con, breakdown_rows) -> None:
    source = next(
        float(r["bedrag_x1000_eur"])
        for r in breakdown_rows
        if r["gm_code"] == "GM0677"
        and r["verslagsoort"] == "2025X000"
        and r["breakdown"] == "lasten_per_taakveld"
        and r["key1"] == "0.4"
    )
    stored = con.execute(
        "SELECT bedrag FROM iv3_fact WHERE gm_code='GM0677' AND jaar=2025 AND document='begroting' "
        "AND taakveld='0.4' AND categorie='*' AND kant='lasten'"
    ).fetchone()[0]
    assert stored == source


def test_all_zero_delivery_is_missing_not_zero(con, summary_value) -> None:
    """Almelo delivered an all-zero jaarrekening 2022 to CBS: that is missing data."""
    assert summary_value("GM0141", 2022, "jaarrekening", "lasten") == 0
    status, reden = con.execute(
        "SELECT status, reden FROM iv3_levering WHERE gm_code='GM0141' AND jaar=2022 "
        "AND document='jaarrekening'"
    ).fetchone()
    assert status == "ontbreekt"
    assert "nullen" in reden
    facts = con.execute(
        "SELECT count(*) FROM iv3_fact WHERE gm_code='GM0141' AND jaar=2022 "
        "AND document='jaarrekening'"
    ).fetchone()[0]
    assert facts == 0


def test_absent_begroting_2025_is_recorded_as_missing(con, summary_rows) -> None:
    delivered = {r["gm_code"] for r in summary_rows if r["jaar"] == "2025"}
    missing = {
        row[0]
        for row in con.execute(
            "SELECT gm_code FROM iv3_levering WHERE jaar=2025 AND document='begroting' "
            "AND status='ontbreekt'"
        ).fetchall()
    }
    existing = {
        row[0]
        for row in con.execute("SELECT gm_code FROM gemeente_jaar WHERE jaar=2025").fetchall()
    }
    assert missing == existing - delivered
    assert len(missing) == 4


def test_population_matches_cbs_03759ned(con, data_dir: Path) -> None:
    path = (
        data_dir
        / "checkdecijfers_cbs_odata_v4"
        / "derived_03759ned_bevolking_NL_PV_GM_2019plus.csv"
    )
    with path.open(encoding="utf-8") as handle:
        cbs = {
            (r["RegioS"], int(r["jaar"])): float(r["bevolking_1_januari"])
            for r in csv.DictReader(handle)
            if r["RegioS"].startswith("GM")
        }
    stored = dict(
        ((gm, jaar), inw)
        for gm, jaar, inw in con.execute(
            "SELECT gm_code, jaar, inwoners FROM bevolking WHERE jaar >= 2019"
        ).fetchall()
    )
    assert stored.keys() == cbs.keys()
    assert all(stored[key] == cbs[key] for key in cbs)
    assert stored[("GM0363", 2025)] == cbs[("GM0363", 2025)]


def test_price_indices_come_from_cbs(con) -> None:
    cpi = dict(con.execute("SELECT jaar, waarde FROM prijsindex WHERE reeks='cpi'").fetchall())
    assert cpi[2017] == 75.62  # SOURCES.md, CBS 86141NED
    assert cpi[2024] == 96.9
    assert cpi[2025] == 100.0
    gov = dict(
        con.execute(
            "SELECT jaar, waarde FROM prijsindex WHERE reeks='overheidsconsumptie'"
        ).fetchall()
    )
    assert gov[2019] == 100.0
    assert gov[2022] / gov[2021] == pytest.approx(1.055)  # CBS 85880NED: +5.5 % in 2022


def test_codes_provinces_and_provenance(con) -> None:
    name, province = con.execute(
        "SELECT naam, provincie_naam FROM gemeente_jaar WHERE gm_code='GM0677' AND jaar=2025"
    ).fetchone()
    assert (name, province) == ("Hulst", "Zeeland")
    assert con.execute("SELECT count(*) FROM gemeente").fetchone()[0] == 835
    rows = con.execute("SELECT bron, rijen, sha256 FROM herkomst").fetchall()
    assert {"iv3_summary_2017_2026.csv", "derived_herindelingen_opheffingen.csv"} <= {
        r[0] for r in rows
    }
    assert all(r[1] > 0 and len(r[2]) == 64 for r in rows)


def test_definitional_breaks_record_the_2023_taakveld_change(con) -> None:
    breaks = con.execute(
        "SELECT code, soort, oud, nieuw FROM definitiebreuk "
        "WHERE codelijst='taakveld' AND jaar=2023"
    ).fetchall()
    assert ("6.2", "hernoemd", "Wijkteams", "Toegang en eerstelijnsvoorzieningen") in breaks
    assert any(code.startswith("6.71") and soort == "nieuw" for code, soort, _, _ in breaks)
    system = con.execute(
        "SELECT count(*) FROM definitiebreuk WHERE soort='nieuw stelsel' AND jaar=2017"
    ).fetchone()[0]
    assert system == 1


def test_balance_totals_for_2023_match_cbs_71231ned(con) -> None:
    """SOURCES.md: the balance totals 2023 were checked against CBS 71231ned (104,309 mln EUR)."""
    total = con.execute(
        "SELECT sum(balanstotaal) FROM iv3_balans WHERE jaar=2023 AND document='jaarrekening'"
    ).fetchone()[0]
    assert math.isclose(total / 1000, 104_309, rel_tol=0.001)
