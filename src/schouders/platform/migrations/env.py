"""Alembic environment of the Schouders database; run through schouders.platform.migrate.

Running revisions needs no models. Comparing the schema with the models (autogenerate, and the
test that checks them) passes the full metadata in ``config.attributes["target_metadata"]``, so the
platform does not import the instruments that add tables to it.
"""

from __future__ import annotations

from alembic import context

ADVISORY_LOCK_KEY = 7_420_171  # serialises concurrent upgrades of one PostgreSQL database

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Run migrations with 'schouders instrumenten init-db' or "
        "schouders.platform.migrate.upgrade(), which pass a connection."
    )

context.configure(
    connection=connection,
    target_metadata=config.attributes.get("target_metadata"),
    render_as_batch=True,
    compare_type=True,
)
if connection.dialect.name == "postgresql":
    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})")
with context.begin_transaction():
    context.run_migrations()
