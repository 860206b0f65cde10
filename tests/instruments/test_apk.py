"""APK beleid en wettelijk kader: checks, conflicts, completeness and the report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from schouders.errors import SchoudersError
from schouders.instruments import apk
from schouders.instruments.models import ApkAnswer, ApkCheck
from schouders.instruments.register import load_register
from schouders.platform.errors import FieldErrors
from schouders.platform.models import utcnow

from .conftest import GM_A, csrf_from, login, viewer_of

MM_TASKS = [t.code for t in load_register().tasks if t.domain == "milieu_mobiliteit"]


def start_check(db, world, title: str = "APK 2025", domains=("milieu_mobiliteit",),
                now=None) -> int:
    coord = viewer_of(db, world.ids["coord_a"])
    with db.transaction() as session:
        return apk.create_check(session, coord, GM_A, title, list(domains), now=now).id


def fill_all(db, world, check_id: int, risks: dict[str, str], default: str = "laag",
             now=None) -> None:
    coord = viewer_of(db, world.ids["coord_a"])
    with db.transaction() as session:
        check = session.get(ApkCheck, check_id)
        updates = {}
        for row in apk.answers_of(session, check):
            risk = risks.get(row.task_code, default)
            updates[row.task_code] = apk.TaskUpdate({
                "in_view": "nee" if risk == "niet-in-beeld" else "ja",
                "owner": "Afdeling VTH", "capacity_ok": "nee" if risk == "hoog" else "ja",
                "expertise_ok": "ja", "at_distance": "omgevingsdienst",
                "distance_governed": "nee" if risk == "hoog" else "ja",
                "risk_level": "midden" if risk == "niet-in-beeld" else risk,
            }, row.version)
        result = apk.save_check(session, coord, check, updates, now=now)
        assert result.errors == {} and result.conflicts == []
        assert apk.finalize_check(session, coord, check, now=now) == {}


def test_check_contains_register_and_own_tasks_of_chosen_domains(db, world) -> None:
    coord = viewer_of(db, world.ids["coord_a"])
    with db.transaction() as session:
        apk.add_custom_task(session, coord, GM_A, {
            "name": "Toezicht op evenemententerrein", "domain": "milieu_mobiliteit",
            "roles": "handhaver", "obligation": "bevoegdheid",
            "legal_basis": "Algemene plaatselijke verordening, art. 2:25"})
        apk.add_custom_task(session, coord, GM_A, {
            "name": "Lokaal jongerenwerk", "domain": "sociaal_domein", "roles": "dienstverlener",
            "obligation": "afspraak"})
    check_id = start_check(db, world)
    with db.transaction() as session:
        rows = apk.answers_of(session, session.get(ApkCheck, check_id))
    codes = [r.task_code for r in rows]
    assert codes == [*MM_TASKS, "eigen-1"]
    own = rows[-1]
    assert own.custom and own.task_legal_basis == "Algemene plaatselijke verordening, art. 2:25"
    riolering = next(r for r in rows if r.task_code == "mm-riolering-afvalwater")
    assert "Omgevingswet, art. 2.16" in riolering.task_legal_basis


def test_invalid_input_and_stale_versions(db, world) -> None:
    check_id = start_check(db, world)
    coord = viewer_of(db, world.ids["coord_a"])
    with db.transaction() as session:
        check = session.get(ApkCheck, check_id)
        result = apk.save_check(session, coord, check, {
            "mm-afval": apk.TaskUpdate({"in_view": "misschien", "owner": "Team afval",
                                        "risk_level": "hoog"}, 0),
            "mm-bodem": apk.TaskUpdate({"remarks": "x" * 2001}, 0),
        })
    assert result.errors == {
        "t_mm-afval_in_view": "Ongeldige keuze voor in beeld.",
        "t_mm-bodem_remarks": "Houd opmerkingen korter dan 2000 tekens.",
    }
    assert result.saved == 1  # owner and risk of mm-afval were valid and saved
    # a colleague saved mm-afval (version 0 -> 1); a save based on version 0 is a conflict
    with db.transaction() as session:
        check = session.get(ApkCheck, check_id)
        stale = apk.save_check(session, coord, check, {
            "mm-afval": apk.TaskUpdate({"risk_level": "laag"}, 0),
            "mm-geluid-actieplan": apk.TaskUpdate({"risk_level": "midden"}, 0),
        })
    assert stale.conflicts == ["mm-afval"] and stale.saved == 1
    with db.transaction() as session:
        row = session.scalar(select(ApkAnswer).where(ApkAnswer.check_id == check_id,
                                                     ApkAnswer.task_code == "mm-afval"))
        assert (row.risk_level, row.owner, row.version) == ("hoog", "Team afval", 1)


def test_finalize_requires_answers_per_task(db, world) -> None:
    check_id = start_check(db, world)
    coord = viewer_of(db, world.ids["coord_a"])
    with db.transaction() as session:
        check = session.get(ApkCheck, check_id)
        apk.save_check(session, coord, check, {
            "mm-afval": apk.TaskUpdate({"in_view": "ja", "at_distance": "gr"}, 0)})
        errors = apk.finalize_check(session, coord, check)
    assert errors["t_mm-afval_owner"].endswith("wie is eigenaar?")
    assert errors["t_mm-afval_risk_level"].endswith("kies een risico.")
    assert "t_mm-afval_distance_governed" in errors
    assert "t_mm-bodem_in_view" in errors
    assert len([k for k in errors if k.endswith("_in_view")]) == len(MM_TASKS) - 1


def test_report_puts_risks_first_and_compares_with_previous_check(db, world) -> None:
    earlier = utcnow() - timedelta(days=365)
    first = start_check(db, world, "APK 2024", now=earlier)
    fill_all(db, world, first, {"mm-afval": "hoog", "mm-bodem": "midden"}, now=earlier)
    second = start_check(db, world, "APK 2025")
    fill_all(db, world, second, {"mm-bodem": "hoog", "mm-geluid-actieplan": "niet-in-beeld",
                                 "mm-parkeren": "midden"})
    with db.transaction() as session:
        report = apk.build_report(session, session.get(ApkCheck, second))
    assert report.previous is not None and report.previous.id == first
    order = [r.answer.task_code for r in report.at_risk]
    assert order[0] == "mm-bodem"  # hoog first
    assert set(order) == {"mm-bodem", "mm-geluid-actieplan", "mm-parkeren"}
    bodem = report.at_risk[0]
    assert (bodem.change, bodem.previous_risk) == ("verslechterd", "midden")
    assert bodem.reasons == ["capaciteit onvoldoende", "sturing op afstand niet geregeld"]
    geluid = next(r for r in report.at_risk if r.answer.task_code == "mm-geluid-actieplan")
    assert geluid.reasons[0] == "niet in beeld"
    afval = next(r for r in report.others if r.answer.task_code == "mm-afval")
    assert (afval.change, afval.previous_risk) == ("verbeterd", "hoog")
    assert report.counts["hoog"] == 1 and report.counts["midden"] == 2
    assert report.counts["verslechterd"] == 3 and report.counts["verbeterd"] == 1
    assert report.counts["niet_in_beeld"] == 1


def test_report_counts_every_task_without_an_owner(db, world) -> None:
    """A task that is not in view has no owner either; the report counted only tasks in view
    ("0 taken zonder eigenaar" while the "niet in beeld" tasks had none)."""
    check_id = start_check(db, world)
    coord = viewer_of(db, world.ids["coord_a"])
    with db.transaction() as session:
        check = session.get(ApkCheck, check_id)
        result = apk.save_check(session, coord, check, {
            "mm-afval": apk.TaskUpdate({"in_view": "nee"}, 0),
            "mm-bodem": apk.TaskUpdate({"in_view": "nee", "owner": "  "}, 0),
            "mm-parkeren": apk.TaskUpdate({"in_view": "ja", "owner": "Team parkeren"}, 0),
        })
        assert result.errors == {}
        report = apk.build_report(session, check)
    owners = [r.answer.owner for r in [*report.at_risk, *report.others]]
    ownerless = sum(1 for owner in owners if not (owner or "").strip())
    assert report.counts["niet_in_beeld"] == 2
    assert report.counts["zonder_eigenaar"] == ownerless == report.counts["taken"] - 1


def test_finalized_check_is_read_only(db, world) -> None:
    check_id = start_check(db, world)
    fill_all(db, world, check_id, {})
    coord = viewer_of(db, world.ids["coord_a"])
    with pytest.raises(SchoudersError, match="afgerond"), db.transaction() as session:
        apk.save_check(session, coord, session.get(ApkCheck, check_id),
                       {"mm-afval": apk.TaskUpdate({"risk_level": "hoog"}, 1)})


def test_custom_task_validation(db, world) -> None:
    coord = viewer_of(db, world.ids["coord_a"])
    with pytest.raises(FieldErrors) as error, db.transaction() as session:
        apk.add_custom_task(session, coord, GM_A, {"name": "", "domain": "x", "roles": "",
                                                   "obligation": "moet"})
    assert set(error.value.errors) == {"name", "domain", "roles", "obligation"}


def test_apk_pages_over_http(app, db, world) -> None:
    check_id = start_check(db, world, "APK via web")
    client = login(app, world.email("coord_a"))
    page = client.get(f"/instrumenten/apk/{check_id}")
    assert page.status_code == 200
    assert page.text.count("<legend>") >= len(MM_TASKS)
    # a save with a stale version is reported as a conflict, the rest is saved
    with db.transaction() as session:
        row = session.scalar(select(ApkAnswer).where(ApkAnswer.check_id == check_id,
                                                     ApkAnswer.task_code == "mm-afval"))
        row.risk_level, row.version = "midden", row.version + 1  # a colleague's change
    response = client.post(f"/instrumenten/apk/{check_id}", data={
        "csrf_token": csrf_from(page.text), "actie": "opslaan",
        "t_mm-afval_version": "0", "t_mm-afval_risk_level": "laag",
        "t_mm-bodem_version": "0", "t_mm-bodem_risk_level": "hoog",
        "t_mm-bodem_in_view": "nee",
    })
    assert response.status_code == 409
    assert "Iemand anders heeft intussen 1 taak gewijzigd" in response.text
    with db.transaction() as session:
        rows = {r.task_code: r.risk_level for r in apk.answers_of(
            session, session.get(ApkCheck, check_id))}
    assert rows["mm-afval"] == "midden" and rows["mm-bodem"] == "hoog"
    # finalizing an incomplete check lists what is missing
    response = client.post(f"/instrumenten/apk/{check_id}/afronden",
                           data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 400 and "is de taak in beeld?" in response.text
    report = client.get(f"/instrumenten/apk/{check_id}/rapport")
    assert report.status_code == 200 and "nog niet afgerond" in report.text
    api = client.get(f"/instrumenten/api/apk/{check_id}/rapport").json()
    assert api["taken_met_risico"][0]["code"] == "mm-bodem"


def test_own_tasks_over_http(app, world) -> None:
    client = login(app, world.email("coord_a"))
    path = f"/instrumenten/gemeente/{GM_A}/taken"
    page = client.get(path)
    assert page.status_code == 200
    assert page.text.count("<tr><th scope=\"row\">") == len(load_register().tasks)
    invalid = client.post(path, data={"csrf_token": csrf_from(page.text), "name": "",
                                      "domain": "milieu_mobiliteit", "obligation": "plicht"})
    assert invalid.status_code == 400
    assert "Geef de taak een naam" in invalid.text and "Kies ten minste één rol." in invalid.text
    valid = client.post(path, data={"csrf_token": csrf_from(page.text),
                                    "name": "Handhaving kapverbod", "domain": "ruimte_wonen",
                                    "roles": ["handhaver", "dienstverlener"],
                                    "obligation": "bevoegdheid",
                                    "legal_basis": "Omgevingsplan, regels over bomen"},
                        follow_redirects=False)
    assert valid.status_code == 303
    listed = client.get(path).text
    assert "Handhaving kapverbod" in listed and "Omgevingsplan, regels over bomen" in listed


def test_concurrent_saves_of_one_task_never_lose_a_change(db, world) -> None:
    """Two coördinatoren save the same task, both based on the version they loaded: one change
    is stored, the other is reported as a conflict; never are both "saved" with one lost."""
    import threading

    coord = viewer_of(db, world.ids["coord_a"])
    for attempt in range(4):  # repeat: races do not show up every time
        check_id = start_check(db, world, title=f"APK gelijktijdig {attempt}")
        barrier = threading.Barrier(4)
        results: list[apk.ApkSaveResult] = []
        errors: list[BaseException] = []

        def worker(field: str, value: str, barrier=barrier, results=results, errors=errors,
                   check_id=check_id) -> None:
            try:
                barrier.wait(timeout=30)
                with db.transaction() as session:
                    check = apk.get_check(session, coord, check_id, lock=True)
                    results.append(apk.save_check(session, coord, check, {
                        "mm-afval": apk.TaskUpdate({field: value}, 0)}))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=args) for args in (
            ("owner", "Team afval"), ("risk_level", "hoog"), ("remarks", "Let op"),
            ("capacity_ok", "nee"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert sorted(r.saved for r in results) == [0, 0, 0, 1]
        assert sum(len(r.conflicts) for r in results) == 3
        with db.transaction() as session:
            row = session.scalar(select(ApkAnswer).where(ApkAnswer.check_id == check_id,
                                                         ApkAnswer.task_code == "mm-afval"))
            assert row is not None and row.version == 1
            stored = [row.owner, row.risk_level, row.remarks, row.capacity_ok]
            assert sum(value is not None for value in stored) == 1
