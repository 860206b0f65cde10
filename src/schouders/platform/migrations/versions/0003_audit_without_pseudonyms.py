"""Audit entries no longer tie a person to a respondent pseudonym.

Entries of ``round.respondent_added``, ``round.answers_saved`` and ``round.submitted`` used to
carry the respondent's label ("Respondent 2") next to the actor's e-mail address, and counts that
could be matched with the progress list. This revision removes those details from existing
entries (the act itself, who and when, stays).

Revision ID: 0003_audit_without_pseudonyms
Revises: 0002_audit_log_and_steering
Create Date: 2026-12-04
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003_audit_without_pseudonyms"
down_revision = "0002_audit_log_and_steering"
branch_labels = None
depends_on = None

ACTIONS = ("round.respondent_added", "round.answers_saved", "round.submitted")
PERSONAL_KEYS = ("respondent", "velden", "fouten")


def upgrade() -> None:
    audit = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("action", sa.String),
                     sa.column("details", sa.Text))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(audit.c.id, audit.c.details).where(audit.c.action.in_(ACTIONS))
    ).all()
    for row_id, details in rows:
        try:
            value = json.loads(details or "{}")
        except json.JSONDecodeError:
            value = {}
        if not isinstance(value, dict):
            value = {}
        kept = {k: v for k, v in value.items() if k not in PERSONAL_KEYS}
        connection.execute(
            audit.update().where(audit.c.id == row_id)
            .values(details=json.dumps(kept, ensure_ascii=False, sort_keys=True))
        )


def downgrade() -> None:
    pass  # the removed details are not restored
