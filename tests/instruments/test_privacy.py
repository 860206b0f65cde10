"""Answers are never attributable to a person by anyone but that person (docs/instruments.md,
"Privacy"): the audit log records acts without pseudonyms, the web export holds aggregates only,
and every aggregate needs MIN_RESPONDENTS_FOR_SCORES respondents in a closed round."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from schouders.instruments.config import MIN_RESPONDENTS_FOR_SCORES
from schouders.instruments.models import Round
from schouders.instruments.questionnaire import load_questionnaire
from schouders.instruments.visitatie import (
    AnswerForm,
    close_round,
    create_round,
    ensure_respondent,
    save_answers,
)
from schouders.platform.accounts import set_membership
from schouders.platform.errors import FieldErrors
from schouders.platform.models import AuditEntry, Invite, Membership, User

from .conftest import GM_A, csrf_from, login, viewer_of

QUESTIONS = load_questionnaire().questions


def round_with(db, world, respondents: dict[str, dict[str, str]], *, close: bool) -> int:
    """A round of GM_A where each respondent submitted ``answers`` (question -> raw value)."""
    coord = viewer_of(db, world.ids["coord_a"])
    viewers = {who: viewer_of(db, world.ids[who]) for who in respondents}
    with db.transaction() as session:
        round_ = create_round(session, coord, GM_A, "Privacy")
        for who, answers in respondents.items():
            respondent = ensure_respondent(session, round_, world.ids[who], actor=coord)
            result = save_answers(session, round_, respondent, AnswerForm(values=answers),
                                  submit=True, actor=viewers[who])
            assert result.submitted, result.errors
        if close:
            close_round(session, coord, round_)
        return round_.id


def everything(value: str) -> dict[str, str]:
    return {q.code: value for q in QUESTIONS}


def test_the_threshold_is_three() -> None:
    # with two, each respondent computes the other's answer from the mean and their own
    assert MIN_RESPONDENTS_FOR_SCORES == 3


def test_a_draft_save_is_audited_without_the_pseudonym(app, db, world) -> None:
    coord = viewer_of(db, world.ids["coord_a"])
    with db.transaction() as session:
        round_ = create_round(session, coord, GM_A, "Voorjaar")
        ensure_respondent(session, round_, world.ids["resp_a1"], actor=coord)
        round_id = round_.id
    respondent = login(app, world.email("resp_a1"))
    token = respondent.get("/instrumenten/api/sessie").json()["csrf_token"]
    saved = respondent.put(f"/instrumenten/api/rondes/{round_id}/mijn-antwoorden",
                           json={"antwoorden": {"hb-01": 2}}, headers={"X-CSRF-Token": token})
    assert saved.status_code == 200, saved.text
    with db.transaction() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "round")
                                  ).all()
    saves = [e for e in entries if e.action == "round.answers_saved"]
    assert [e.actor for e in saves] == [world.email("resp_a1")]  # the act is audited ...
    assert all("Respondent" not in e.details for e in entries)  # ... without the pseudonym
    for reader in ("coord_a", "analist_a"):
        page = login(app, world.email(reader)).get(f"/instrumenten/gemeente/{GM_A}/auditlog")
        assert page.status_code == 200
        assert "antwoorden opgeslagen" in page.text and world.email("resp_a1") in page.text
        assert "Respondent 1" not in page.text


def test_export_is_aggregates_only_and_refused_for_an_open_round(app, db, world) -> None:
    three = {"resp_a1": everything("1"), "resp_a2": everything("3"), "resp_a3": everything("5")}
    open_id = round_with(db, world, three, close=False)
    client = login(app, world.email("coord_a"))
    for path in (f"/instrumenten/ronde/{open_id}/export",
                 f"/instrumenten/api/rondes/{open_id}/export"):
        refused = client.get(path)
        assert refused.status_code == 409 and "Respondent" not in refused.text
    closed_id = round_with(db, world, three, close=True)
    export = client.get(f"/instrumenten/ronde/{closed_id}/export")
    assert export.status_code == 200
    data = export.json()
    assert data["formaat"] == "schouders-visitatie-scores" and data["drempel"] == 3
    assert "respondenten" in data and "Respondent" not in export.text
    assert all("antwoorden" not in str(key) for key in data)
    question = data["vragen"][0]["spreiding"]
    assert (question["n"], question["min"], question["max"]) == (3, 1.0, 5.0)


def test_two_respondents_see_no_aggregate_they_could_subtract(app, db, world) -> None:
    round_id = round_with(db, world, {"resp_a1": everything("2"), "resp_a2": everything("4")},
                          close=True)
    respondent = login(app, world.email("resp_a1"))
    scores = respondent.get(f"/instrumenten/api/rondes/{round_id}/scores").json()
    assert scores["respondenten"] == 2 and scores["zichtbaar"] is False
    assert all(f["spreiding"] is None for f in scores["factoren"])
    assert all(q["spreiding"] is None for q in scores["vragen"])
    report = respondent.get(f"/instrumenten/ronde/{round_id}/rapport")
    assert report.status_code == 200 and "3,00" not in report.text
    coord = login(app, world.email("coord_a"))
    assert coord.get(f"/instrumenten/ronde/{round_id}/export").status_code == 409


def test_an_aggregate_over_fewer_than_three_answers_is_left_out(app, db, world) -> None:
    """Three submitted, but two said 'weet niet' on hb-01: that question's figure would be one
    person's answer."""
    answers = {who: everything("4") for who in ("resp_a1", "resp_a2", "resp_a3")}
    answers["resp_a1"]["hb-01"] = "wn"
    answers["resp_a2"]["hb-01"] = "wn"
    answers["resp_a3"]["hb-01"] = "1"
    round_id = round_with(db, world, answers, close=True)
    scores = login(app, world.email("coord_a")).get(
        f"/instrumenten/api/rondes/{round_id}/scores").json()
    assert scores["zichtbaar"] is True
    by_code = {q["code"]: q for q in scores["vragen"]}
    assert by_code["hb-01"]["spreiding"] is None
    assert by_code["hb-02"]["spreiding"]["n"] == 3
    assert next(f for f in scores["factoren"] if f["code"] == "hulpbronnen")["spreiding"]["n"] == 3


def test_scores_of_an_open_round_are_not_shown(app, db, world) -> None:
    """Comparing the scores before and after one more submission would give that answer away."""
    round_id = round_with(db, world, {w: everything("3") for w in ("resp_a1", "resp_a2",
                                                                   "resp_a3")}, close=False)
    scores = login(app, world.email("coord_a")).get(
        f"/instrumenten/api/rondes/{round_id}/scores").json()
    assert scores["respondenten"] == 3 and scores["zichtbaar"] is False
    with db.transaction() as session:
        assert session.get(Round, round_id).status == "open"


def test_the_beheerder_cannot_make_himself_coordinator(app, db, world) -> None:
    """The documented rule "beheerder: geen antwoorden" holds even when he invites himself."""
    admin = login(app, world.email("beheerder"))
    page = admin.get("/instrumenten/beheer")
    refused = admin.post("/instrumenten/beheer/uitnodigingen", data={
        "csrf_token": csrf_from(page.text), "invite_gm_code": GM_A, "role": "coordinator",
        "email": world.email("beheerder")}, follow_redirects=False)
    assert refused.status_code == 400 and "beheerders zien geen antwoorden" in refused.text
    with db.transaction() as session:
        assert session.scalars(select(Invite).where(
            Invite.email == world.email("beheerder"))).all() == []
        admin_user = session.get(User, world.ids["beheerder"])
        with pytest.raises(FieldErrors):
            set_membership(session, admin_user, GM_A, "coordinator")


def test_a_beheerder_membership_from_an_old_database_grants_nothing(app, db, world) -> None:
    round_id = round_with(db, world, {w: everything("3") for w in ("resp_a1", "resp_a2",
                                                                   "resp_a3")}, close=True)
    with db.transaction() as session:  # as an older version allowed
        session.add(Membership(user_id=world.ids["beheerder"], gm_code=GM_A,
                               role="coordinator"))
    admin = login(app, world.email("beheerder"))
    for path in (f"/instrumenten/ronde/{round_id}/rapport", f"/instrumenten/ronde/{round_id}",
                 f"/instrumenten/api/rondes/{round_id}/scores",
                 f"/instrumenten/ronde/{round_id}/export", f"/instrumenten/gemeente/{GM_A}"):
        assert admin.get(path).status_code == 404, path
    assert viewer_of(db, world.ids["beheerder"]).roles == {}
