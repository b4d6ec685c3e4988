"""A large import into SQLite sets the tables' secondary indexes aside and rebuilds them once.

Inserting a row updates every index of its table at the row's place in it; the unit, date and
person indexes of `submission` and of the kind's table are in no order the rows come in, so a
province's 1,000,000-row 问题清单 spent most of its time in random index inserts (70 s). Built
again after the rows, by sorting, they cost a few seconds (the same import: 56 s in all).

Only plain (non-UNIQUE) indexes are set aside: the unique ones find duplicates and existing
rows during the import. Dropping and creating them are part of the import's transaction, so a
refused or failing import rolls them back with its rows; readers (WAL) keep seeing the committed
tables with their indexes meanwhile. Not done on PostgreSQL, where DROP INDEX would lock the
table against readers for the length of the import.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

DEFER_AT = 20_000  # rows an import brings, at least, to set indexes aside
_INDEXES = (
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
    "AND sql IS NOT NULL ORDER BY name"
)


def worth_deferring(connection: Connection, table: str, incoming: int | None) -> bool:
    """Whether `incoming` rows are enough (and at least as many as `table` has) for rebuilding
    its indexes to cost less than keeping them up row by row; SQLite only."""
    if connection.dialect.name != "sqlite" or not incoming or incoming < DEFER_AT:
        return False
    present = connection.exec_driver_sql(f'SELECT max(rowid) FROM "{table}"').scalar() or 0
    return incoming >= present


def set_aside_for(
    connection: Connection, tables: list[str], incoming: int | None
) -> DeferredIndexes | None:
    """The plain indexes of `tables` set aside when `incoming` rows into the first of them make
    it worth it (`worth_deferring`); None when they stay."""
    if not worth_deferring(connection, tables[0], incoming):
        return None
    deferred = DeferredIndexes(connection, tables)
    deferred.set_aside()
    return deferred


class DeferredIndexes:
    """The plain indexes of `tables`, dropped by `set_aside` and created again by `rebuild`,
    both on `connection` inside the caller's transaction."""

    def __init__(self, connection: Connection, tables: list[str]) -> None:
        self.connection, self.tables = connection, tables
        self.saved: list[tuple[str, str]] = []

    def set_aside(self) -> None:
        for table in self.tables:
            rows: list[Any] = self.connection.exec_driver_sql(_INDEXES, (table,)).all()
            for name, sql in rows:
                if sql.lstrip()[:13].upper() == "CREATE UNIQUE":
                    continue
                self.connection.exec_driver_sql(f'DROP INDEX "{name}"')
                self.saved.append((name, sql))

    def rebuild(self) -> None:
        saved, self.saved = self.saved, []
        for _name, sql in saved:
            self.connection.exec_driver_sql(sql)
