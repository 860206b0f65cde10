"""Insert-or-update of answer rows in one statement (``ON CONFLICT DO UPDATE``).

Both SQLite and PostgreSQL support it; it makes a repeated or concurrent save of the same answer
update the row instead of failing on the unique constraint.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import FromClause, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert(
    session: Session,
    table: Table | FromClause,
    rows: list[dict[str, Any]],
    keys: list[str],
    update: list[str],
) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(cast(Table, table)).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={column: statement.excluded[column] for column in update}
    )
    session.execute(statement)
