"""Audit log, steering-perspective answers and a publication timestamp for rounds.

- ``audit_log``: who changed what.
- ``visitatie_perspective_answers`` and ``visitatie_rounds.opgaven``: per chosen opgave, the
  dominant NSOB steering perspective and how well the others are served.
- ``visitatie_rounds.published`` (boolean) becomes ``published_at`` (timestamp). Rounds that were
  published keep being published: their ``published_at`` is set to their ``closed_at`` (or their
  ``created_at`` when they were never closed).

Revision ID: 0002_audit_log_and_steering
Revises: 0001_initial
Create Date: 2025-12-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from schouders.platform.models import UTCDateTime

revision = "0002_audit_log_and_steering"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("gm_code", sa.String(6), nullable=True),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("object_id", sa.String(60), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_gm_code", "audit_log", ["gm_code"])

    op.create_table(
        "visitatie_perspective_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("opgave", sa.String(200), nullable=False),
        sa.Column("dominant", sa.String(10), nullable=True),
        sa.Column("served", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_visitatie_perspective_answers"),
        sa.ForeignKeyConstraint(
            ["respondent_id"], ["visitatie_respondents.id"],
            name="fk_visitatie_perspective_answers_respondent",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "respondent_id", "opgave",
            name="uq_visitatie_perspective_answers_respondent_id_opgave",
        ),
    )

    with op.batch_alter_table("visitatie_rounds") as batch:
        batch.add_column(sa.Column("opgaven", sa.Text(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("published_at", UTCDateTime(), nullable=True))
    rounds = sa.table(
        "visitatie_rounds",
        sa.column("published", sa.Boolean()),
        sa.column("published_at", sa.DateTime()),
        sa.column("closed_at", sa.DateTime()),
        sa.column("created_at", sa.DateTime()),
    )
    op.execute(
        rounds.update()
        .where(rounds.c.published == sa.true())
        .values(published_at=sa.func.coalesce(rounds.c.closed_at, rounds.c.created_at))
    )
    with op.batch_alter_table("visitatie_rounds") as batch:
        batch.drop_column("published")
        batch.alter_column("opgaven", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("visitatie_rounds") as batch:
        batch.add_column(
            sa.Column("published", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    rounds = sa.table(
        "visitatie_rounds",
        sa.column("published", sa.Boolean()),
        sa.column("published_at", sa.DateTime()),
    )
    op.execute(
        rounds.update().where(rounds.c.published_at.is_not(None)).values(published=sa.true())
    )
    with op.batch_alter_table("visitatie_rounds") as batch:
        batch.drop_column("published_at")
        batch.drop_column("opgaven")
    op.drop_table("visitatie_perspective_answers")
    op.drop_index("ix_audit_log_gm_code", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
