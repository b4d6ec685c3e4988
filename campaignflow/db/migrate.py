"""Schema migrations: alembic driven from code (no alembic.ini), safe to run from many processes.

    from campaignflow.db import open_database
    engine = open_database()              # settings' URL, upgraded to the newest schema

`upgrade()` takes the database's write lock (SQLite BEGIN IMMEDIATE, PostgreSQL advisory lock)
and reads the current revision under it, so two processes upgrading at once do the work once.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import URL

from ..errors import EXIT_FAILURE, CampaignflowError
from .engine import make_engine, writer_engine

if TYPE_CHECKING:  # alembic is imported only when a function needs it (it is slow to import)
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
MIGRATION_LOCK_ID = 0x63666D6967  # "cfmig": the advisory lock held while upgrading PostgreSQL


class SchemaError(CampaignflowError, RuntimeError):
    """The database schema is not one this campaignflow can work with as it is."""

    exit_code = EXIT_FAILURE


class SchemaUnknown(SchemaError):
    """The database is at a revision this campaignflow does not know (newer, or another branch)."""

    def __init__(self, current: str) -> None:
        self.current = current
        super().__init__(
            f"数据库结构版本 {current} 不是本程序所知的版本（可能由更新版本的 campaignflow 建立）："
            "请升级 campaignflow，或换用另一个数据库（CAMPAIGNFLOW_DATABASE_URL）"
        )


class SchemaNotCurrent(SchemaError):
    """The database schema is missing or older than this campaignflow (run `db upgrade`)."""

    def __init__(self, current: str | None, head: str) -> None:
        self.current, self.head = current, head
        where = "尚未建立" if current is None else f"版本 {current}，最新为 {head}"
        super().__init__(
            f"数据库结构{where}：请先运行 `campaignflow db upgrade`（或设置正确的 CAMPAIGNFLOW_DATABASE_URL）"
        )


def alembic_config() -> Config:
    """An alembic Config for the migrations inside the package, built in code."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    cfg.set_main_option("truncate_slug_length", "40")
    return cfg


@functools.cache
def head_revision() -> str:
    """The newest migration revision shipped with this package (read once per process)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest revision."""
    return current_revision(engine) == head_revision()


def check_schema(engine: Engine) -> None:
    """Raise `SchemaNotCurrent` (or `SchemaUnknown`) unless the database is at the newest revision."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        if current is not None and not _known(current):
            raise SchemaUnknown(current)
        raise SchemaNotCurrent(current, head)


def _known(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(engine_or_url: Engine | str | URL | None = None, *, revision: str = "head") -> bool:
    """Upgrade the database to `revision` (default the newest); True if anything was applied."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    owned = not isinstance(engine_or_url, Engine)
    engine = make_engine(engine_or_url) if owned else engine_or_url
    try:
        if revision == "head" and is_current(engine):
            return False
        with writer_engine(engine).connect() as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_ID)))
            before = MigrationContext.configure(conn).get_current_revision()  # under the lock
            if before is not None and not _known(before):
                raise SchemaUnknown(before)
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            return MigrationContext.configure(conn).get_current_revision() != before
    finally:
        if owned:
            engine.dispose()


def open_database(url: str | URL | None = None, *, upgrade_schema: bool = True) -> Engine:
    """An engine on `url` (default: settings), upgraded — or checked, with `upgrade_schema=False`."""
    engine = make_engine(url)
    try:
        if upgrade_schema:
            upgrade(engine)
        else:
            check_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def autogenerate_revision(message: str) -> Path:
    """For developers: write a new dated migration for the model changes; returns its path.

    Compares the models against a scratch SQLite database at head (compare_type on). Review the
    file, then run the tests (`test_upgrade_head_matches_models` checks both backends).

        uv run python -m campaignflow.db revision "add report.title"
    """
    import tempfile

    from alembic import command

    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'head.db'}")
        try:
            upgrade(engine)
            with engine.connect() as conn:
                cfg = alembic_config()
                cfg.attributes["connection"] = conn
                script = command.revision(cfg, message=message, autogenerate=True)
        finally:
            engine.dispose()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
