"""Bring the database (platform and instruments) to the current schema with Alembic.

Migrations ship inside the platform package (``migrations/``), one revision history for all
tables. They run at start-up of the web router and with ``schouders instrumenten init-db``; on
PostgreSQL an advisory lock serialises app processes that start at the same time. On SQLite,
foreign-key enforcement is switched off for the duration of the upgrade (batch migrations
recreate tables; with enforcement on, dropping the old table would cascade-delete its children)
and the foreign keys are checked afterwards.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from schouders.errors import SchoudersError
from schouders.platform.db import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> None:
    """Upgrade ``db`` to ``revision`` (default: the newest schema). Safe to call repeatedly."""
    config = alembic_config()
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection
        if sqlite and raw is not None:
            # Must happen outside a transaction, so at the DBAPI level before BEGIN.
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if problems:
                        raise SchoudersError(
                            "De migratie zou verwijzingen tussen tabellen breken; "
                            "er is niets gewijzigd.",
                            f"Eerste probleem: {problems[0]}",
                        )
        finally:
            if sqlite and raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")
