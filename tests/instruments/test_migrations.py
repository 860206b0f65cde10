"""Migrations: the migrated schema equals the models, and upgrading keeps every answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from schouders.instruments.models import (
    Base,  # platform and instrument tables
    Round,
)
from schouders.instruments.reports import round_scores
from schouders.platform.db import Database
from schouders.platform.migrate import current_revision, head_revision, upgrade


def test_migrated_schema_matches_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        upgrade(db)
        upgrade(db)  # idempotent
        assert current_revision(db) == head_revision()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        db.dispose()


T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC).replace(tzinfo=None)
T1 = datetime(2024, 4, 1, 17, 0, tzinfo=UTC).replace(tzinfo=None)


def seed_revision_1(connection: sa.Connection) -> dict[str, int]:
    """Data as the first schema version stored it (raw SQL: the models are at head)."""
    def insert(table: str, **values: object) -> int:
        columns = ", ".join(values)
        params = ", ".join(f":{k}" for k in values)
        result = connection.execute(
            sa.text(f"INSERT INTO {table} ({columns}) VALUES ({params}) RETURNING id"), values
        )
        return int(result.scalar_one())

    connection.execute(sa.text(
        "INSERT INTO municipalities (gm_code, name, created_at) "
        "VALUES ('GM1700', 'Twenterand', :t)"
    ), {"t": T0})
    user = insert("users", email="coord@example.nl", name="Coord", password_hash="x",
                  is_admin=False, active=True, created_at=T0)
    insert("memberships", user_id=user, gm_code="GM1700", role="coordinator", created_at=T0)
    published = insert("visitatie_rounds", uid="r-published", gm_code="GM1700", title="2023",
                       questionnaire_version="2025.1", status="gesloten", published=True,
                       created_by=user, created_at=T0, closed_at=T1)
    private = insert("visitatie_rounds", uid="r-private", gm_code="GM1700", title="2024",
                     questionnaire_version="2025.1", status="open", published=False,
                     created_by=user, created_at=T1, closed_at=None)
    answers = 0
    for round_id in (published, private):
        for number, base in ((1, 2), (2, 4), (3, 3)):
            respondent = insert("visitatie_respondents", round_id=round_id, user_id=None,
                                label=f"Respondent {number}", status="ingediend",
                                submitted_at=T1, updated_at=T1)
            for index, code in enumerate(("hb-01", "hb-03", "mo-01", "sw-01")):
                insert("visitatie_answers", respondent_id=respondent, question_code=code,
                       value=min(5, base + index % 2), dont_know=False,
                       comment=f"toelichting {round_id}-{number}-{code}", updated_at=T1)
                answers += 1
    check = insert("apk_checks", uid="c-1", gm_code="GM1700", title="APK 2024",
                   register_version="2025.2", domains=json.dumps(["milieu_mobiliteit"]),
                   status="afgerond", created_by=user, created_at=T0, finalized_at=T1)
    insert("apk_answers", check_id=check, task_code="mm-afval", task_name="Afval",
           task_domain="milieu_mobiliteit", task_legal_basis="Wet milieubeheer, art. 10.21",
           custom=False, in_view="ja", owner="Team afval", risk_level="hoog", version=3)
    return {"published": published, "private": private, "answers": answers, "check": check}


def test_upgrade_from_revision_1_keeps_every_answer(database_url: str) -> None:
    db = Database(database_url)
    try:
        upgrade(db, "0001_initial")
        assert current_revision(db) == "0001_initial"
        with db.engine.begin() as connection:
            seeded = seed_revision_1(connection)
            before = connection.execute(sa.text(
                "SELECT respondent_id, question_code, value, comment FROM visitatie_answers "
                "ORDER BY respondent_id, question_code")).all()
        assert len(before) == seeded["answers"] == 24

        upgrade(db)

        assert current_revision(db) == head_revision()
        with db.engine.connect() as connection:
            after = connection.execute(sa.text(
                "SELECT respondent_id, question_code, value, comment FROM visitatie_answers "
                "ORDER BY respondent_id, question_code")).all()
            rounds = connection.execute(sa.text(
                "SELECT uid, published_at, closed_at, opgaven FROM visitatie_rounds ORDER BY id"
            )).all()
            columns = {c["name"] for c in sa.inspect(connection).get_columns("visitatie_rounds")}
            respondents = connection.execute(
                sa.text("SELECT count(*) FROM visitatie_respondents")).scalar_one()
            apk_row = connection.execute(sa.text(
                "SELECT risk_level, owner, version FROM apk_answers")).one()
            tables = set(sa.inspect(connection).get_table_names())
        assert after == before  # every answer, value and comment survives
        assert respondents == 6
        assert "published" not in columns and "published_at" in columns
        published, private = rounds
        assert published.uid == "r-published" and published.published_at is not None
        assert private.uid == "r-private" and private.published_at is None
        assert published.opgaven == "[]"
        assert tuple(apk_row) == ("hoog", "Team afval", 3)
        assert {"audit_log", "visitatie_perspective_answers"} <= tables

        # and the upgraded data is usable by the application
        with db.transaction() as session:
            round_ = session.scalar(sa.select(Round).where(Round.uid == "r-published"))
            assert round_ is not None
            # published_at is the old closing time, as a timezone-aware UTC timestamp
            assert round_.published_at == T1.replace(tzinfo=UTC)
            scores = round_scores(session, round_)
        assert scores.respondents == 3
        hulpbronnen = scores.factor("hulpbronnen")
        assert hulpbronnen is not None and hulpbronnen.spread is not None
        # respondent 1: hb-01=2, hb-03=3 -> 2.5; 2: 4, 5 -> 4.5; 3: 3, 4 -> 3.5
        assert (hulpbronnen.spread.minimum, hulpbronnen.spread.maximum) == (2.5, 4.5)
    finally:
        db.dispose()


def test_upgrade_removes_pseudonyms_from_the_audit_log(database_url: str) -> None:
    """Revision 0003: old audit entries tied an e-mail address to "Respondent N"."""
    db = Database(database_url)
    try:
        upgrade(db, "0002_audit_log_and_steering")
        with db.engine.begin() as connection:
            for action, details in (
                ("round.answers_saved", {"respondent": "Respondent 1", "velden": 3, "fouten": 0}),
                ("round.respondent_added", {"respondent": "Respondent 1"}),
                ("round.created", {"titel": "Voorjaar"}),
            ):
                connection.execute(sa.text(
                    "INSERT INTO audit_log (at, actor_id, actor, gm_code, action, object_type, "
                    "object_id, details) VALUES (:at, 1, 'r@example.nl', 'GM1700', :action, "
                    "'round', '1', :details)"),
                    {"at": T1, "action": action, "details": json.dumps(details)})
        upgrade(db)
        with db.engine.connect() as connection:
            rows = dict(connection.execute(sa.text(
                "SELECT action, details FROM audit_log")).all())
        assert json.loads(rows["round.answers_saved"]) == {}
        assert json.loads(rows["round.respondent_added"]) == {}
        assert json.loads(rows["round.created"]) == {"titel": "Voorjaar"}  # untouched
    finally:
        db.dispose()
