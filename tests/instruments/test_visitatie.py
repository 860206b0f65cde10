"""Visitatie rounds: drafts, validation per field, submission, closing, and concurrent saves."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from schouders.errors import SchoudersError
from schouders.instruments.models import Answer, Respondent, Round
from schouders.instruments.questionnaire import load_questionnaire
from schouders.instruments.reports import round_scores
from schouders.instruments.visitatie import (
    AnswerForm,
    close_round,
    create_round,
    ensure_respondent,
    save_answers,
    set_published,
)
from schouders.platform.db import Database

from .conftest import GM_A, csrf_from, login, viewer_of

QUESTIONS = load_questionnaire().questions


def make_round(db, world, opgaven: str = "") -> tuple[int, dict[str, int]]:
    coord = viewer_of(db, world.ids["coord_a"])
    with db.transaction() as session:
        round_ = create_round(session, coord, GM_A, "Zelfevaluatie", opgaven)
        respondents = {
            who: ensure_respondent(session, round_, world.ids[who], actor=coord).id
            for who in ("resp_a1", "resp_a2")
        }
        return round_.id, respondents


def save(db, round_id: int, respondent_id: int, form: AnswerForm, submit: bool):
    with db.transaction() as session:
        round_ = session.get(Round, round_id)
        respondent = session.get(Respondent, respondent_id)
        return save_answers(session, round_, respondent, form, submit=submit, actor=_actor())


def _actor():
    from schouders.platform.audit import Actor

    return Actor(None, "test")


def test_partial_and_invalid_answers_are_kept_as_draft_with_messages(db, world) -> None:
    round_id, respondents = make_round(db, world)
    form = AnswerForm(values={"hb-01": "4", "hb-02": "9", "hb-03": "wn", "hb-04": "vier",
                              "bestaat-niet": "3"},
                      comments={"hb-01": "Kaders zijn helder", "hb-05": "x" * 2001})
    result = save(db, round_id, respondents["resp_a1"], form, submit=False)
    assert not result.submitted
    assert result.errors == {
        "v_hb-02": "Ongeldig antwoord; kies 1 tot 5 of 'weet niet'.",
        "v_hb-04": "Ongeldig antwoord; kies 1 tot 5 of 'weet niet'.",
        "v_bestaat-niet": "Onbekende vraag 'bestaat-niet'.",
        "c_hb-05": "Houd de toelichting korter dan 2000 tekens.",
    }
    with db.transaction() as session:
        rows = {a.question_code: (a.value, a.dont_know, a.comment) for a in session.scalars(
            select(Answer).where(Answer.respondent_id == respondents["resp_a1"]))}
        status = session.get(Respondent, respondents["resp_a1"]).status
    assert rows == {"hb-01": (4, False, "Kaders zijn helder"), "hb-03": (None, True, None)}
    assert status == "concept"


def test_submit_requires_every_question_and_opgave(db, world) -> None:
    round_id, respondents = make_round(db, world, "Woningbouwopgave\nKlimaatadaptatie")
    rid = respondents["resp_a1"]
    first_half = {q.code: "3" for q in QUESTIONS[:20]}
    result = save(db, round_id, rid, AnswerForm(values=first_half), submit=True)
    assert not result.submitted
    missing_questions = {k for k in result.errors if k.startswith("v_")}
    assert missing_questions == {f"v_{q.code}" for q in QUESTIONS[20:]}
    assert result.errors["p0_dominant"] == "Kies het dominante perspectief voor 'Woningbouwopgave'."
    assert "p1_dominant" in result.errors and "p1_pa" in result.errors
    # the first half was stored anyway
    with db.transaction() as session:
        count = session.scalar(select(func.count(Answer.id)).where(Answer.respondent_id == rid))
    assert count == 20

    rest = AnswerForm(values={q.code: "wn" for q in QUESTIONS[20:]},
                      dominant={"Woningbouwopgave": "nw", "Klimaatadaptatie": "pa"},
                      served={"Woningbouwopgave": {"pa": "2", "npm": "3", "mv": "wn"},
                              "Klimaatadaptatie": {"npm": "4", "nw": "4"}})
    result = save(db, round_id, rid, rest, submit=True)
    assert result.errors == {"p1_mv": "Geef aan in welke mate dit perspectief tot zijn recht komt."}
    rest.served["Klimaatadaptatie"]["mv"] = "1"
    result = save(db, round_id, rid, rest, submit=True)
    assert result.submitted and result.errors == {}
    with db.transaction() as session:
        respondent = session.get(Respondent, rid)
        assert respondent.status == "ingediend" and respondent.submitted_at is not None


def test_closed_round_refuses_changes_and_publication_needs_three(db, world) -> None:
    round_id, respondents = make_round(db, world)
    coord = viewer_of(db, world.ids["coord_a"])
    full = AnswerForm(values={q.code: "4" for q in QUESTIONS})
    assert save(db, round_id, respondents["resp_a1"], full, submit=True).submitted
    with db.transaction() as session:
        round_ = session.get(Round, round_id)
        with pytest.raises(SchoudersError, match="gesloten ronde"):
            set_published(session, coord, round_, True)
        close_round(session, coord, round_)
    with pytest.raises(SchoudersError, match="vanaf 3 ingediende"), db.transaction() as session:
        set_published(session, coord, session.get(Round, round_id), True)
    with pytest.raises(SchoudersError, match="gesloten"):
        save(db, round_id, respondents["resp_a2"], full, submit=False)


def run_concurrent_saves(url: str, round_id: int, respondent_id: int, value: int,
                         barrier) -> None:
    """One respondent saving every answer, in its own engine (like another app process)."""
    database = Database(url)
    try:
        barrier.wait(timeout=30)
        form = AnswerForm(values={q.code: str(value) for q in QUESTIONS},
                          comments={q.code: f"r{respondent_id}" for q in QUESTIONS[:5]})
        with database.transaction() as session:
            round_ = session.get(Round, round_id)
            respondent = session.get(Respondent, respondent_id)
            result = save_answers(session, round_, respondent, form, submit=True,
                                  actor=_actor())
            assert result.submitted, result.errors
    finally:
        database.dispose()


def check_both_kept(db, round_id: int, respondents: dict[str, int]) -> None:
    with db.transaction() as session:
        for who, value in (("resp_a1", 2), ("resp_a2", 5)):
            rows = session.scalars(select(Answer).where(
                Answer.respondent_id == respondents[who])).all()
            assert len(rows) == len(QUESTIONS), who
            assert {a.value for a in rows} == {value}, who
            assert session.get(Respondent, respondents[who]).status == "ingediend"
        scores = round_scores(session, session.get(Round, round_id))
    hulpbronnen = scores.factor("hulpbronnen")
    # both submissions count, but two answers are too few to show an aggregate of
    assert scores.respondents == 2 and hulpbronnen is not None and hulpbronnen.spread is None


def test_two_respondents_saving_at_once_in_threads(db, world, database_url) -> None:
    round_id, respondents = make_round(db, world)
    for _ in range(3):  # repeat: races do not show up every time
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def worker(who: str, value: int, barrier=barrier, errors=errors) -> None:
            try:
                run_concurrent_saves(database_url, round_id, respondents[who], value, barrier)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=("resp_a1", 2)),
                   threading.Thread(target=worker, args=("resp_a2", 5))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        check_both_kept(db, round_id, respondents)


def test_two_respondents_saving_at_once_in_processes(db, world, database_url) -> None:
    round_id, respondents = make_round(db, world)
    worker = Path(__file__).with_name("concurrent_worker.py")
    start_at = time.time() + 3.0  # both processes are up and connected by then
    processes = [
        subprocess.Popen([sys.executable, str(worker), database_url, str(round_id),
                          str(respondents[who]), str(value), str(start_at)],
                         stderr=subprocess.PIPE, text=True)
        for who, value in (("resp_a1", 2), ("resp_a2", 5))
    ]
    outcomes = [(p.wait(timeout=90), p.stderr.read() if p.stderr else "") for p in processes]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    check_both_kept(db, round_id, respondents)


def test_fill_in_over_http_shows_messages_per_field(app, db, world) -> None:
    round_id, _ = make_round(db, world, "Woningbouwopgave")
    client = login(app, world.email("resp_a1"))
    page = client.get(f"/instrumenten/ronde/{round_id}/invullen")
    assert page.status_code == 200
    # every radio button and comment field has a label
    assert page.text.count('<label for="v_') == len(QUESTIONS) * 6
    assert page.text.count('<label for="c_') == len(QUESTIONS)
    response = client.post(f"/instrumenten/ronde/{round_id}/invullen",
                           data={"csrf_token": csrf_from(page.text), "actie": "indienen",
                                 "v_hb-01": "5", "v_hb-02": "12"})
    assert response.status_code == 400
    assert "Ongeldig antwoord; kies 1 tot 5" in response.text
    assert 'href="#v_hb-02"' in response.text and 'id="v_hb-02"' in response.text
    assert "Beantwoord deze vraag, of kies &#39;weet niet&#39;." in response.text
    assert 'value="5" checked' in response.text  # the valid answer was kept
    mine = client.get(f"/instrumenten/api/rondes/{round_id}/mijn-antwoorden").json()
    assert mine["antwoorden"] == {"hb-01": 5} and mine["status"] == "concept"


def test_closing_a_round_over_http_needs_confirmation(app, db, world) -> None:
    round_id, _ = make_round(db, world)
    client = login(app, world.email("coord_a"))
    page = client.get(f"/instrumenten/ronde/{round_id}")
    token = csrf_from(page.text)
    url = f"/instrumenten/ronde/{round_id}/sluiten"
    refused = client.post(url, data={"csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 400 and 'id="bevestigen-fout"' in refused.text
    assert "2 respondenten hebben nog niet ingediend" in refused.text
    with db.transaction() as session:
        assert session.get(Round, round_id).status == "open"
    done = client.post(url, data={"csrf_token": token, "bevestigen": "ja"},
                       follow_redirects=False)
    assert done.status_code == 303
    with db.transaction() as session:
        assert session.get(Round, round_id).status == "gesloten"
