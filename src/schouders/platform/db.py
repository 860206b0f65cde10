"""Database engine and transactions: SQLite (embedded default) or PostgreSQL (shared server).

All writes go through :meth:`Database.transaction`: one unit of work that commits as a whole or
not at all. On SQLite every such transaction starts with ``BEGIN IMMEDIATE`` (WAL mode, busy
timeout), so two writers queue instead of failing halfway with "database is locked". Keep them
short: never hash a password inside one.

Reading only goes through :meth:`Database.read`: on SQLite a plain (deferred) ``BEGIN``, which
takes no write lock (WAL readers never wait for writers), so reading the session of every request
does not queue behind writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_S = 30
READ_ONLY = "schouders_read_only"


class Database:
    """An engine plus a session factory; cheap to share between requests and threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}),
                                     expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only; it takes no write lock (SQLite: deferred BEGIN). Loaded
        objects stay usable after the block (it ends with a commit that writes nothing)."""
        session = self._readers()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction: commit on success, roll back on any error."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, future=True)


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        future=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy control transactions instead of the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        reading = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    return engine


def default_sqlite_url(home: Path) -> str:
    return f"sqlite:///{(home / 'instrumenten.sqlite').as_posix()}"


def session_dialect(session: Session) -> str:
    bind = session.get_bind()
    return bind.dialect.name
