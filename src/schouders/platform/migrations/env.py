"""Alembic environment for the instruments database; run through schouders.instruments.migrate."""

from __future__ import annotations

from alembic import context

from schouders.instruments.models import Base

ADVISORY_LOCK_KEY = 7_420_171  # serialises concurrent upgrades of one PostgreSQL database

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Run migrations with 'schouders instrumenten init-db' or "
        "schouders.instruments.migrate.upgrade(), which pass a connection."
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
if connection.dialect.name == "postgresql":
    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})")
with context.begin_transaction():
    context.run_migrations()
