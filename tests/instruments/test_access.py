"""Access rules, tried on every route: users of municipality B, anonymous visitors and the
platform administrator never read A's unpublished answers, and cannot change A's data."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from schouders.instruments import apk
from schouders.instruments.models import ApkAnswer, Round
from schouders.instruments.visitatie import (
    AnswerForm,
    close_round,
    create_round,
    ensure_respondent,
    save_answers,
    set_published,
)
from schouders.platform.invites import create_invite
from schouders.platform.models import AuditEntry, Invite

from .conftest import GM_A, GM_B, PASSWORD, csrf_from, instrument_routes, login, viewer_of

SECRETS = ("GEHEIM-A-TOELICHTING", "GEHEIM-A-OPEN", "GEHEIM-A-ONGEPUBLICEERD",
           "GEHEIM-APK-A", "GEHEIM-TAAK-A", "GEHEIM-A-STURING")


def full_answers(base: int, comment: str | None = None) -> AnswerForm:
    from schouders.instruments.questionnaire import load_questionnaire

    q = load_questionnaire()
    form = AnswerForm(values={x.code: str(base) for x in q.questions})
    if comment:
        form.comments["hb-03"] = comment
    return form


def seed_municipality_a(db, world) -> dict[str, int | str]:
    coord = viewer_of(db, world.ids["coord_a"])
    ids: dict[str, int | str] = {}
    with db.transaction() as session:
        # closed + published round, with a comment that must never leave municipality A
        published = create_round(session, coord, GM_A, "Ronde A gedeeld", "Woningbouwopgave")
        for who, base in (("resp_a1", 2), ("resp_a2", 4), ("resp_a3", 3)):
            respondent = ensure_respondent(session, published, world.ids[who], actor=coord)
            form = full_answers(base, "GEHEIM-A-TOELICHTING" if who == "resp_a1" else None)
            form.dominant["Woningbouwopgave"] = "nw"
            form.served["Woningbouwopgave"] = {"pa": "2", "npm": "3", "mv": "2"}
            form.perspective_comments["Woningbouwopgave"] = "GEHEIM-A-STURING"
            result = save_answers(session, published, respondent, form, submit=True, actor=coord)
            assert result.submitted, result.errors
        close_round(session, coord, published)
        set_published(session, coord, published, True)
        # closed but not published
        private = create_round(session, coord, GM_A, "GEHEIM-A-ONGEPUBLICEERD")
        for who in ("resp_a1", "resp_a2", "resp_a3"):
            respondent = ensure_respondent(session, private, world.ids[who], actor=coord)
            save_answers(session, private, respondent, full_answers(3), submit=True, actor=coord)
        close_round(session, coord, private)
        # open round
        open_round = create_round(session, coord, GM_A, "GEHEIM-A-OPEN")
        respondent = ensure_respondent(session, open_round, world.ids["resp_a1"], actor=coord)
        save_answers(session, open_round, respondent, full_answers(5), submit=False, actor=coord)
        # APK check with a custom task and a remark
        apk.add_custom_task(session, coord, GM_A, {
            "name": "GEHEIM-TAAK-A", "domain": "milieu_mobiliteit", "roles": "handhaver",
            "obligation": "bevoegdheid"})
        check = apk.create_check(session, coord, GM_A, "APK A", ["milieu_mobiliteit"])
        apk.save_check(session, coord, check, {"mm-afval": apk.TaskUpdate(
            {"in_view": "ja", "owner": "Team", "risk_level": "hoog",
             "remarks": "GEHEIM-APK-A"}, 0)})
        invite = create_invite(session, coord, GM_A, "respondent", "later@example.nl")
        ids.update(published=published.id, private=private.id, open=open_round.id,
                   check=check.id, token=invite.token, user=world.ids["resp_a1"])
    return ids


def param_sets(ids: dict[str, int | str]) -> list[dict[str, str]]:
    return [
        {"gm_code": GM_A, "round_id": str(round_id), "check_id": str(ids["check"]),
         "token": str(ids["token"]), "user_id": str(ids["user"])}
        for round_id in (ids["published"], ids["private"], ids["open"])
    ]


POST_DATA = {
    "title": "Overname", "opgaven": "X", "email": "indringer@example.nl", "role": "respondent",
    "publiceren": "nee", "actie": "indienen", "v_hb-01": "5", "apk_title": "Overname",
    "domains": "milieu_mobiliteit", "name": "Taak", "domain": "milieu_mobiliteit",
    "roles": "handhaver", "obligation": "plicht", "t_mm-afval_risk_level": "laag",
    "t_mm-afval_version": "1", "password": "verkeerd-wachtwoord",
}
# Routes that are not about a municipality's data: public pages, own session, admin pages.
NEUTRAL = {
    "instr_home", "instr_login", "instr_login_post", "instr_logout",
    "instr_api_docs", "instr_api_openapi",
    "instr_api_register", "instr_api_questionnaire", "instr_api_session", "instr_api_published",
    "instr_invite", "instr_invite_post",
    "instr_admin", "instr_admin_audit", "instr_admin_municipality_post",
    "instr_admin_invite_post", "instr_admin_password_post", "instr_admin_active_post",
    "instr_account", "instr_account_password_post",
}


def assert_refused(response, where: str) -> None:
    status = response.status_code
    assert status in (303, 401, 403, 404), (where, status, response.text[:300])
    if status == 303:
        assert response.headers["location"].startswith("/instrumenten/inloggen"), where


def test_outsiders_are_refused_on_every_route(app, db, world) -> None:
    ids = seed_municipality_a(db, world)
    outsiders = {
        "coord_b": login(app, world.email("coord_b")),
        "resp_b": login(app, world.email("resp_b")),
        "beheerder": login(app, world.email("beheerder")),
        "anoniem": TestClient(app),
    }
    tokens = {who: csrf_from(client.get("/instrumenten/inloggen" if who == "anoniem"
                                        else "/instrumenten/").text)
              for who, client in outsiders.items()}
    routes = instrument_routes(app)
    assert len(routes) >= 40
    checked = 0
    for who, client in outsiders.items():
        done: set[tuple[str, str]] = set()
        for params in param_sets(ids):
            for template, route in routes:
                if route.name in ("instr_logout", "instr_invite_post", "instr_login_post"):
                    continue  # logging in or out, or using a capability link, is not access to A
                path = template.format(**params)
                for method in sorted(route.methods - {"HEAD"}):
                    if (method, path) in done:
                        continue
                    done.add((method, path))
                    where = f"{who} {method} {path}"
                    if method == "GET":
                        response = client.get(path, follow_redirects=False)
                    elif method == "PUT":
                        response = client.put(path, json={"antwoorden": {"hb-01": 1}},
                                              headers={"X-CSRF-Token": tokens[who]})
                    else:
                        response = client.post(path, data={"csrf_token": tokens[who],
                                                           **POST_DATA},
                                               follow_redirects=False)
                    checked += 1
                    for secret in SECRETS:
                        assert secret not in response.text, (where, secret)
                    if route.name in NEUTRAL:
                        continue
                    assert_refused(response, where)
    assert checked > 200

    # nothing of A was changed by the outsiders
    with db.transaction() as session:
        assert session.scalar(select(func.count(Round.id)).where(Round.gm_code == GM_A)) == 3
        statuses = dict(session.execute(select(Round.id, Round.status)).all())
        assert statuses[ids["open"]] == "open" and statuses[ids["published"]] == "gesloten"
        published = session.get(Round, ids["published"])
        assert published is not None and published.published_at is not None
        row = session.scalar(select(ApkAnswer).where(ApkAnswer.check_id == ids["check"],
                                                     ApkAnswer.task_code == "mm-afval"))
        assert row is not None and (row.risk_level, row.version) == ("hoog", 1)
        outsider_emails = [world.email(w) for w in ("coord_b", "resp_b")]
        touched = session.scalars(select(AuditEntry).where(
            AuditEntry.gm_code == GM_A, AuditEntry.actor.in_(outsider_emails))).all()
        assert touched == []
        outsider_ids = [world.ids["coord_b"], world.ids["resp_b"]]
        foreign_invites = session.scalars(select(Invite).where(
            Invite.gm_code == GM_A, Invite.created_by.in_(outsider_ids))).all()
        assert foreign_invites == []


def test_published_scores_are_shared_but_answers_are_not(app, db, world) -> None:
    ids = seed_municipality_a(db, world)
    coord_b = viewer_of(db, world.ids["coord_b"])
    with db.transaction() as session:
        own = create_round(session, coord_b, GM_B, "Ronde B")
        own_id = own.id
    client = login(app, world.email("coord_b"))
    page = client.get(f"/instrumenten/ronde/{own_id}/vergelijking")
    assert page.status_code == 200
    assert "Twenterand" in page.text and "Ronde A gedeeld" in page.text
    # respondent means per factor: 2.0, 4.0 and 3.0 before mirroring; the published row: 3,00
    assert "3,00" in page.text
    api = client.get("/instrumenten/api/vergelijking").json()
    assert [row["naam"] for row in api] == ["Twenterand"]
    spread = api[0]["factoren"]["hulpbronnen"]
    assert spread["n"] == 3 and spread["min"] < spread["max"]
    for secret in SECRETS:
        assert secret not in page.text and secret not in str(api)
    # after withdrawing publication, nothing of A is visible any more
    coord_a = viewer_of(db, world.ids["coord_a"])
    with db.transaction() as session:
        set_published(session, coord_a, session.get(Round, ids["published"]), False)
    assert client.get("/instrumenten/api/vergelijking").json() == []
    assert "Twenterand" not in client.get(f"/instrumenten/ronde/{own_id}/vergelijking").text


def test_roles_within_the_municipality(app, db, world) -> None:
    ids = seed_municipality_a(db, world)
    analist = login(app, world.email("analist_a"))
    page = analist.get(f"/instrumenten/gemeente/{GM_A}")
    assert page.status_code == 200 and "GEHEIM-A-OPEN" in page.text  # own municipality
    token = csrf_from(page.text)
    create = analist.post(f"/instrumenten/gemeente/{GM_A}/rondes",
                          data={"csrf_token": token, "title": "Niet mijn taak"},
                          follow_redirects=False)
    assert create.status_code == 403
    assert analist.get(f"/instrumenten/ronde/{ids['open']}/invullen").status_code == 403
    apk_page = analist.get(f"/instrumenten/apk/{ids['check']}")  # read-only for the analist
    assert apk_page.status_code == 200 and "GEHEIM-APK-A" in apk_page.text
    assert "<select" not in apk_page.text and "Opslaan" not in apk_page.text
    tasks = analist.get(f"/instrumenten/gemeente/{GM_A}/taken")
    assert "GEHEIM-TAAK-A" in tasks.text and "Taak toevoegen" not in tasks.text
    progress = analist.get(f"/instrumenten/ronde/{ids['open']}")
    assert "Respondent 1" in progress.text and "Ronde sluiten" not in progress.text
    # the export holds aggregates only: no answers, comments or labels of respondents
    export = analist.get(f"/instrumenten/ronde/{ids['published']}/export")
    assert export.status_code == 200 and export.json()["formaat"] == "schouders-visitatie-scores"
    assert export.json()["factoren"][0]["spreiding"]["n"] == 3
    assert "GEHEIM-A-TOELICHTING" not in export.text and "Respondent" not in export.text
    assert "GEHEIM-A-STURING" not in export.text
    # an open round cannot be exported at all (aggregates would change per submission)
    assert analist.get(f"/instrumenten/ronde/{ids['open']}/export").status_code == 409
    assert analist.get(f"/instrumenten/api/rondes/{ids['open']}/export").json()["status"] == 409

    resp_a2 = login(app, world.email("resp_a2"))
    # a respondent reads only their own answers ...
    mine = resp_a2.get(f"/instrumenten/api/rondes/{ids['published']}/mijn-antwoorden").json()
    assert "GEHEIM-A-TOELICHTING" not in str(mine) and mine["antwoorden"]["hb-01"] == 4
    # ... cannot export, see progress, or the report of a round that is still open
    assert resp_a2.get(f"/instrumenten/ronde/{ids['published']}/export").status_code == 403
    assert resp_a2.get(f"/instrumenten/api/rondes/{ids['published']}").status_code == 403
    assert resp_a2.get(f"/instrumenten/ronde/{ids['open']}").status_code == 403  # not invited
    resp_a1 = login(app, world.email("resp_a1"))
    assert resp_a1.get(f"/instrumenten/ronde/{ids['open']}/rapport").status_code == 403
    # but does see the report of a closed round they took part in
    report = resp_a2.get(f"/instrumenten/ronde/{ids['published']}/rapport")
    assert report.status_code == 200 and "Per factor" in report.text
    assert "Taken met risico" not in report.text  # APK results are for coördinator/analist
    assert resp_a2.get(f"/instrumenten/apk/{ids['check']}").status_code == 403


@pytest.mark.parametrize("who", ["coord_b", "beheerder"])
def test_audit_log_of_a_is_not_readable_by_others(app, db, world, who) -> None:
    seed_municipality_a(db, world)
    client = login(app, world.email(who))
    assert client.get(f"/instrumenten/gemeente/{GM_A}/auditlog").status_code in (403, 404)
    if who == "beheerder":
        # the administrator's audit view shows who changed what, but not the answers
        text = client.get("/instrumenten/beheer/auditlog").text
        assert "APK-antwoorden gewijzigd" in text
        assert "GEHEIM-APK-A" not in text and re.search(r"gewijzigd: [a-z_, ]+", text)


def test_password_is_never_echoed(app, world) -> None:
    client = TestClient(app)
    page = client.get("/instrumenten/inloggen")
    response = client.post("/instrumenten/inloggen",
                           data={"email": world.email("coord_a"), "password": PASSWORD + "x",
                                 "csrf_token": csrf_from(page.text)})
    assert PASSWORD not in response.text
