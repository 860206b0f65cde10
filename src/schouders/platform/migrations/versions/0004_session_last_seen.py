"""When a session was last used (written at most every few minutes, not on every request).

Revision ID: 0004_session_last_seen
Revises: 0003_audit_without_pseudonyms
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from schouders.platform.models import UTCDateTime

revision = "0004_session_last_seen"
down_revision = "0003_audit_without_pseudonyms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_sessions") as batch:
        batch.add_column(sa.Column("last_seen_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("login_sessions") as batch:
        batch.drop_column("last_seen_at")
