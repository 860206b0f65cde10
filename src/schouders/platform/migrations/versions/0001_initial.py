"""Initial schema: accounts, sessions, invites, APK checks and visitatie rounds.

Revision ID: 0001_initial
Revises:
Create Date: 2025-12-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from schouders.platform.models import UTCDateTime

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "municipalities",
        sa.Column("gm_code", sa.String(6), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("gm_code", name="pk_municipalities"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("gm_code", sa.String(6), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_memberships"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_memberships_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["gm_code"], ["municipalities.gm_code"],
            name="fk_memberships_gm_code_municipalities",
        ),
        sa.UniqueConstraint("user_id", "gm_code", name="uq_memberships_user_id_gm_code"),
    )
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_sessions"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_login_sessions_user_id_users", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("token_hash", name="uq_login_sessions_token_hash"),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("attempted_at", UTCDateTime(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempts"),
    )
    op.create_index("ix_login_attempts_email", "login_attempts", ["email"])
    op.create_table(
        "app_secrets",
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_app_secrets"),
    )
    op.create_table(
        "apk_custom_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gm_code", sa.String(6), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("domain", sa.String(40), nullable=False),
        sa.Column("dossier", sa.String(200), nullable=False),
        sa.Column("roles", sa.String(100), nullable=False),
        sa.Column("obligation", sa.String(20), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_apk_custom_tasks"),
        sa.ForeignKeyConstraint(
            ["gm_code"], ["municipalities.gm_code"],
            name="fk_apk_custom_tasks_gm_code_municipalities",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name="fk_apk_custom_tasks_created_by_users"
        ),
        sa.UniqueConstraint("gm_code", "code", name="uq_apk_custom_tasks_gm_code_code"),
    )
    op.create_table(
        "apk_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("gm_code", sa.String(6), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("register_version", sa.String(40), nullable=False),
        sa.Column("domains", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finalized_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_apk_checks"),
        sa.ForeignKeyConstraint(
            ["gm_code"], ["municipalities.gm_code"], name="fk_apk_checks_gm_code_municipalities"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name="fk_apk_checks_created_by_users"
        ),
        sa.UniqueConstraint("uid", name="uq_apk_checks_uid"),
    )
    op.create_index("ix_apk_checks_gm_code", "apk_checks", ["gm_code"])
    op.create_table(
        "apk_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("task_code", sa.String(40), nullable=False),
        sa.Column("task_name", sa.String(300), nullable=False),
        sa.Column("task_domain", sa.String(40), nullable=False),
        sa.Column("task_legal_basis", sa.Text(), nullable=False),
        sa.Column("custom", sa.Boolean(), nullable=False),
        sa.Column("in_view", sa.String(10), nullable=True),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("capacity_ok", sa.String(10), nullable=True),
        sa.Column("expertise_ok", sa.String(10), nullable=True),
        sa.Column("at_distance", sa.String(40), nullable=True),
        sa.Column("distance_governed", sa.String(10), nullable=True),
        sa.Column("risk_level", sa.String(10), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_apk_answers"),
        sa.ForeignKeyConstraint(
            ["check_id"], ["apk_checks.id"], name="fk_apk_answers_check_id_apk_checks",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name="fk_apk_answers_updated_by_users"
        ),
        sa.UniqueConstraint("check_id", "task_code", name="uq_apk_answers_check_id_task_code"),
    )
    # Revision 1 still recorded publication as a boolean; 0002 replaces it with published_at.
    op.create_table(
        "visitatie_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("gm_code", sa.String(6), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("questionnaire_version", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_visitatie_rounds"),
        sa.ForeignKeyConstraint(
            ["gm_code"], ["municipalities.gm_code"],
            name="fk_visitatie_rounds_gm_code_municipalities",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name="fk_visitatie_rounds_created_by_users"
        ),
        sa.UniqueConstraint("uid", name="uq_visitatie_rounds_uid"),
    )
    op.create_index("ix_visitatie_rounds_gm_code", "visitatie_rounds", ["gm_code"])
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("gm_code", sa.String(6), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_invites"),
        sa.ForeignKeyConstraint(
            ["gm_code"], ["municipalities.gm_code"], name="fk_invites_gm_code_municipalities"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["visitatie_rounds.id"], name="fk_invites_round_id_visitatie_rounds"
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_invites_created_by_users"),
        sa.ForeignKeyConstraint(["used_by"], ["users.id"], name="fk_invites_used_by_users"),
        sa.UniqueConstraint("token_hash", name="uq_invites_token_hash"),
    )
    op.create_table(
        "visitatie_respondents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_visitatie_respondents"),
        sa.ForeignKeyConstraint(
            ["round_id"], ["visitatie_rounds.id"],
            name="fk_visitatie_respondents_round_id_visitatie_rounds", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_visitatie_respondents_user_id_users"
        ),
        sa.UniqueConstraint(
            "round_id", "user_id", name="uq_visitatie_respondents_round_id_user_id"
        ),
        sa.UniqueConstraint("round_id", "label", name="uq_visitatie_respondents_round_id_label"),
    )
    op.create_table(
        "visitatie_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("question_code", sa.String(40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("dont_know", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_visitatie_answers"),
        sa.ForeignKeyConstraint(
            ["respondent_id"], ["visitatie_respondents.id"],
            name="fk_visitatie_answers_respondent_id_visitatie_respondents", ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "respondent_id", "question_code",
            name="uq_visitatie_answers_respondent_id_question_code",
        ),
    )


def downgrade() -> None:
    for table in (
        "visitatie_answers",
        "visitatie_respondents",
        "invites",
        "visitatie_rounds",
        "apk_answers",
        "apk_checks",
        "apk_custom_tasks",
        "app_secrets",
        "login_attempts",
        "login_sessions",
        "memberships",
        "users",
        "municipalities",
    ):
        op.drop_table(table)
