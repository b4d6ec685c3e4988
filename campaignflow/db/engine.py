"""Engines and sessions: SQLite with WAL, busy_timeout and foreign keys; PostgreSQL via psycopg 3.

SQLite transactions are begun by us (the driver's own handling is switched off) so that a write
transaction can be `BEGIN IMMEDIATE`: two writers then queue on the busy timeout instead of failing
halfway with "database is locked". Use `write_session` for every write.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from ..settings import load_settings, normalise_database_url

BUSY_TIMEOUT_MS = 30_000
SQLITE_BEGIN = "campaignflow_sqlite_begin"  # execution option: DEFERRED (default) or IMMEDIATE


def make_engine(url: str | URL | None = None, *, echo: bool = False) -> Engine:
    """An engine for `url` (default: the settings' database); creates a SQLite file's folder."""
    if url is None:
        url = load_settings().database_url
    if isinstance(url, str):
        url = make_url(normalise_database_url(url))
    if url.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True, json_serializer=_json_dumps)
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        json_serializer=_json_dumps,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _json_dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # Chinese stays readable in the SQLite file


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_on_begin)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _retry_busy(lambda: cursor.execute("PRAGMA journal_mode = WAL"))
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _retry_busy(step: Callable[[], object]) -> None:
    """Run `step`, retrying "database is locked" for up to the busy timeout.

    Switching to WAL (and the first read of a WAL database while another process's last
    connection is closing it) can fail with SQLITE_BUSY without SQLite calling its busy handler.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.005
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


def _sqlite_on_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
        raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")
    connection.exec_driver_sql(f"BEGIN {mode}")


def writer_engine(engine: Engine) -> Engine:
    """`engine`, whose transactions take the write lock at BEGIN on SQLite (BEGIN IMMEDIATE)."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading; rolled back at the end."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction, committed on success and rolled back on error.

    On SQLite it starts with BEGIN IMMEDIATE, so concurrent writers wait for each other instead
    of failing on lock upgrade.
    """
    with Session(writer_engine(engine), expire_on_commit=False) as session, session.begin():
        yield session


def writer_lock(*, session: Session, name: str) -> None:
    """Serialise writers that share `name` until the transaction ends.

    PostgreSQL: a transaction-level advisory lock on the name's hash. SQLite: nothing to do, the
    `write_session` transaction already holds the database's write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(name, 0))))


def refresh_statistics(engine: Engine) -> None:
    """Let SQLite's query planner see the tables as they are after a bulk write (ANALYZE, on a
    sample). Without it, per-unit queries over a large form scan the whole form. PostgreSQL's
    autovacuum does this by itself."""
    if engine.dialect.name != "sqlite":
        return
    with writer_engine(engine).connect() as conn:
        conn.exec_driver_sql("PRAGMA analysis_limit = 10000")
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
