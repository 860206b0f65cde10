"""Export and import of rounds (JSON), and the command line."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from schouders.instruments.cli import instruments_cli
from schouders.instruments.exchange import ImportRejected, export_round, import_round, parse_export
from schouders.instruments.models import Answer, PerspectiveAnswer, Respondent, Round
from schouders.instruments.questionnaire import load_questionnaire
from schouders.instruments.reports import round_scores
from schouders.instruments.visitatie import (
    AnswerForm,
    close_round,
    create_round,
    ensure_respondent,
    save_answers,
)
from schouders.platform.audit import CLI
from schouders.platform.db import Database
from schouders.platform.migrate import head_revision, upgrade
from schouders.platform.models import User

from .conftest import GM_A, fresh_database_url, viewer_of

QUESTIONS = load_questionnaire().questions


def closed_round(db, world) -> int:
    coord = viewer_of(db, world.ids["coord_a"])
    with db.transaction() as session:
        round_ = create_round(session, coord, GM_A, "Export", "Jeugdhulp")
        for who, value in (("resp_a1", 2), ("resp_a2", 5)):
            respondent = ensure_respondent(session, round_, world.ids[who], actor=coord)
            form = AnswerForm(values={q.code: str(value) for q in QUESTIONS},
                              comments={"hb-01": f"opmerking {who}"},
                              dominant={"Jeugdhulp": "mv"},
                              served={"Jeugdhulp": {"pa": "3", "npm": "wn", "nw": "4"}})
            assert save_answers(session, round_, respondent, form, submit=True,
                                actor=coord).submitted
        close_round(session, coord, round_)
        return round_.id


def counts(db: Database) -> tuple[int, int, int, int]:
    with db.transaction() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))  # type: ignore
                     for model in (Round, Respondent, Answer, PerspectiveAnswer))


def test_export_import_roundtrip_gives_identical_scores(db, world, backend, tmp_path) -> None:
    round_id = closed_round(db, world)
    with db.transaction() as session:
        round_ = session.get(Round, round_id)
        data = export_round(session, round_, actor=CLI)
        original = round_scores(session, round_)
    text = json.dumps(data)
    assert "example.nl" not in text  # no e-mail addresses of respondents
    assert [r["label"] for r in data["respondenten"]] == ["Respondent 1", "Respondent 2"]

    with fresh_database_url(backend, tmp_path) as url:
        target = Database(url)
        try:
            upgrade(target)
            with target.transaction() as session:
                imported = import_round(session, parse_export(text), CLI)
                imported_id = imported.id
            with target.transaction() as session:
                copy_scores = round_scores(session, session.get(Round, imported_id))
                again = export_round(session, session.get(Round, imported_id))
        finally:
            target.dispose()
    assert [f.spread for f in copy_scores.factors] == [f.spread for f in original.factors]
    assert copy_scores.perspectives == original.perspectives
    for key in ("gemeente", "ronde", "respondenten"):
        assert again[key] == data[key]


MALFORMED = [
    ("{niet json", "geen geldige JSON"),
    (lambda d: d.pop("ronde"), "ontbrekend veld 'ronde'"),
    (lambda d: d["ronde"].update(status="klaar"), "kies uit 'open', 'gesloten'"),
    (lambda d: d["respondenten"][0]["antwoorden"][0].update(waarde="4"),
     "moet een geheel getal of null zijn, niet '4'"),
    (lambda d: d["respondenten"][0]["antwoorden"][0].update(extra=1), "onbekend veld 'extra'"),
    (lambda d: d["ronde"].update(status="open", gepubliceerd_op="2025-12-01T10:00:00+00:00"),
     "alleen een gesloten ronde kan gedeeld zijn"),
    (lambda d: d.update(formaatversie=99), "formaatversie"),
    (lambda d: d["gemeente"].update(code="0363"), "gemeente/code"),
    (lambda d: d["ronde"].update(vragenlijst_versie="1999.9"), "niet beschikbaar"),
    (lambda d: d["respondenten"][1]["antwoorden"][0].update(waarde=7), "buiten de schaal"),
    (lambda d: d["respondenten"][1]["antwoorden"].append({"vraag": "xx-99", "waarde": 3}),
     "onbekende vraag 'xx-99'"),
    (lambda d: d["respondenten"][1].update(label="Respondent 1"), "label komt dubbel voor"),
    (lambda d: d["respondenten"][1]["sturing"][0].update(opgave="Iets anders"),
     "hoort niet bij de ronde"),
    (lambda d: d["respondenten"][1]["sturing"][0].update(dominant="xyz"),
     "onbekend perspectief 'xyz'"),
    (lambda d: d["ronde"].update(gesloten_op="gisteren"), "datum"),
]


@pytest.mark.parametrize(("change", "reason"), MALFORMED)
def test_malformed_import_is_rejected_with_reason_and_writes_nothing(
    db, world, change, reason
) -> None:
    round_id = closed_round(db, world)
    with db.transaction() as session:
        data = export_round(session, session.get(Round, round_id))
    data["ronde"]["uid"] = "andere-ronde"  # otherwise it would be refused as a duplicate
    if isinstance(change, str):
        text = change
    else:
        broken = copy.deepcopy(data)
        change(broken)
        text = json.dumps(broken)
    before = counts(db)
    with pytest.raises(ImportRejected) as error, db.transaction() as session:
        import_round(session, parse_export(text), CLI)
    assert reason in str(error.value)
    assert counts(db) == before


def test_import_twice_is_refused(db, world) -> None:
    round_id = closed_round(db, world)
    with db.transaction() as session:
        data = export_round(session, session.get(Round, round_id))
    before = counts(db)
    with pytest.raises(ImportRejected, match="bestaat al"), db.transaction() as session:
        import_round(session, data, CLI)
    assert counts(db) == before


def test_cli_end_to_end(tmp_path: Path, backend: str, monkeypatch) -> None:
    runner = CliRunner()
    with fresh_database_url(backend, tmp_path) as url:
        common = ["--database-url", url]
        result = runner.invoke(instruments_cli, ["init-db", *common])
        assert result.exit_code == 0, result.output
        assert head_revision() in result.output

        result = runner.invoke(instruments_cli, [
            "gebruiker-toevoegen", "Beheer@Example.nl", "--naam", "Beheer", "--beheerder",
            "--wachtwoord", "een-lang-wachtwoord", *common])
        assert result.exit_code == 0, result.output
        result = runner.invoke(instruments_cli, [
            "gebruiker-toevoegen", "coord@example.nl", "--gemeente", "gm1700",
            "--wachtwoord", "een-lang-wachtwoord", *common])
        assert result.exit_code == 1 and "Geef ook --gemeentenaam op" in result.output
        result = runner.invoke(instruments_cli, [
            "gebruiker-toevoegen", "coord@example.nl", "--gemeente", "gm1700",
            "--gemeentenaam", "Twenterand", "--wachtwoord", "kort", *common])
        assert result.exit_code == 1 and "Controleer de gemarkeerde velden" in result.output
        result = runner.invoke(instruments_cli, [
            "gebruiker-toevoegen", "coord@example.nl", "--gemeente", "gm1700",
            "--gemeentenaam", "Twenterand", "--rol", "coordinator", *common],
            input="een-lang-wachtwoord\neen-lang-wachtwoord\n")
        assert result.exit_code == 0, result.output
        assert "coordinator in GM1700" in result.output

        db = Database(url)
        try:
            with db.transaction() as session:
                emails = set(session.scalars(select(User.email)))
                coord = session.scalar(select(User).where(User.email == "coord@example.nl"))
                coord_id = coord.id
            assert emails == {"beheer@example.nl", "coord@example.nl"}
            viewer = viewer_of(db, coord_id)
            with db.transaction() as session:
                round_ = create_round(session, viewer, GM_A, "Via CLI")
                respondent = ensure_respondent(session, round_, coord_id, actor=viewer)
                save_answers(session, round_, respondent,
                             AnswerForm(values={"hb-01": "4"}), submit=False, actor=viewer)
                round_id = round_.id
        finally:
            db.dispose()

        target = tmp_path / "uit" / "ronde.json"
        result = runner.invoke(instruments_cli, ["ronde-exporteren", str(round_id), str(target),
                                                 *common])
        assert result.exit_code == 0, result.output
        exported = json.loads(target.read_text(encoding="utf-8"))
        assert exported["respondenten"][0]["antwoorden"] == [
            {"vraag": "hb-01", "waarde": 4, "weet_niet": False, "toelichting": None}]

        result = runner.invoke(instruments_cli, ["ronde-exporteren", "999", str(target),
                                                 *common])
        assert result.exit_code == 1 and "Ronde 999 bestaat niet" in result.output

        broken = tmp_path / "kapot.json"
        broken.write_text(target.read_text(encoding="utf-8")[:200], encoding="utf-8")
        result = runner.invoke(instruments_cli, ["ronde-importeren", str(broken), *common])
        assert result.exit_code == 1 and "geen geldige JSON" in result.output

        result = runner.invoke(instruments_cli, ["ronde-importeren", str(target), *common])
        assert result.exit_code == 1 and "bestaat al" in result.output

    with fresh_database_url(backend, tmp_path) as other:
        result = runner.invoke(instruments_cli, ["ronde-importeren", str(target),
                                                 "--database-url", other])
        assert result.exit_code == 0, result.output
        assert "GM1700" in result.output and "1 respondenten" in result.output
