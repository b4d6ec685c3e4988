"""Database commands: `db upgrade`, `sync`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from .common import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    acting_user,
    db_reason,
    err_console,
    fail,
    guarded,
    out_console,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="数据库 URL；默认取 CAMPAIGNFLOW_DATABASE_URL，否则为数据文件夹（CAMPAIGNFLOW_HOME）下的 SQLite 文件",
        show_default=False,
    ),
]


def register(app: typer.Typer) -> None:
    """Add `db upgrade` and `sync` to the app."""
    db_app = typer.Typer(
        name="db",
        help="活动数据库：建立、升级。Campaign database commands.",
        no_args_is_help=True,
    )
    db_app.command("upgrade")(guarded(upgrade))
    app.add_typer(db_app, name="db")
    app.command()(guarded(sync))


def upgrade(db: DbOption = None) -> None:
    """建立或升级活动数据库到最新结构（可重复运行）。Create or upgrade the campaign database.

    Example:

        campaignflow db upgrade
        CAMPAIGNFLOW_DATABASE_URL=postgresql://cf@db.example/cf campaignflow db upgrade
    """
    from ..db import head_revision

    engine, shown = _engine(db)
    try:
        changed = _upgrade(engine, shown)
    finally:
        engine.dispose()
    state = "已升级到" if changed else "已是"
    out_console().print(f"数据库{state}最新结构（版本 {head_revision()}）：{shown}", markup=False)


def sync(
    spec: Annotated[Path, typer.Argument(help="活动方案文件 campaign.yaml", show_default=False)],
    archive: Annotated[
        bool,
        typer.Option("--archive", help="允许从方案中删除已有数据的措施或表单（归档保留，不删除）"),
    ] = False,
    db: DbOption = None,
) -> None:
    """把活动方案写入数据库：可重复运行，修改就地更新并记入审计日志。Sync a campaign file into the DB.

    The whole file is validated first; if it is invalid, or drops measures/forms that already
    have data (without --archive), nothing is written.

    Example:

        campaignflow sync campaign_specs/bapo-bali-2023/campaign.yaml
        campaignflow sync my-campaign/campaign.yaml --archive
    """
    from sqlalchemy.exc import SQLAlchemyError

    from ..spec import SpecError, load
    from ..sync import SyncError, sync_campaign

    try:
        loaded = load(spec)
    except SpecError as exc:
        err = err_console()
        err.print(exc.render(), markup=False)
        err.print(f"✗ {spec}: {exc.summary}；未写入数据库", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    engine, shown = open_cli_database(db)
    try:
        result = sync_campaign(engine=engine, loaded=loaded, archive=archive, actor=acting_user())
    except SyncError as exc:
        fail(escape(str(exc)), EXIT_BAD_INPUT)
    except SQLAlchemyError as exc:
        fail(escape(f"写入数据库失败（{shown}）：{db_reason(exc)}"), EXIT_FAILURE)
    finally:
        engine.dispose()
    meta = loaded.spec.campaign
    out = out_console()
    if not result.changed:
        out.print(f"无变化：{meta.title}（{meta.id}）已是最新（{result.summary()}）", markup=False)
        return
    out.print(f"已同步 {meta.title}（{meta.id}）：{result.summary()}", markup=False)
    for line in result.details():
        out.print(f"  {line}", markup=False)


def open_cli_database(db: str | None = None) -> tuple[Engine, str]:
    """For a command that needs the database: an engine at the newest schema, and its URL to show.

    Upgrades the schema (printing a line when it did). Exits 2 for a bad URL, 1 when the
    database cannot be reached or upgraded — never with a traceback. Dispose the engine after.
    """
    engine, shown = _engine(db)
    try:
        if _upgrade(engine, shown):
            out_console().print(f"数据库已升级到最新结构：{shown}", markup=False)
    except BaseException:
        engine.dispose()
        raise
    return engine, shown


def _engine(db: str | None) -> tuple[Engine, str]:
    """An engine for `--db` or the settings, and the URL to show (password hidden)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from ..db import make_engine
    from ..settings import load_settings, normalise_database_url

    url = normalise_database_url(db) if db else load_settings().database_url
    try:
        shown = make_url(url).render_as_string(hide_password=True)
        return make_engine(url), shown
    except (ArgumentError, ValueError) as exc:
        fail(
            escape(
                f"数据库 URL 无效：{url}（{exc}）。例如 sqlite:///data/cf.db 或 postgresql://用户@主机/库名"
            )
        )
    except (ImportError, OSError) as exc:
        fail(escape(f"无法打开数据库 {url}：{exc}"), EXIT_FAILURE)
    raise AssertionError("unreachable")


def _upgrade(engine: Engine, shown: str) -> bool:
    from sqlalchemy.exc import SQLAlchemyError

    from ..db import SchemaError, upgrade

    try:
        return upgrade(engine)
    except SchemaError as exc:
        fail(escape(f"{shown}：{exc}"), EXIT_FAILURE)
    except SQLAlchemyError as exc:
        fail(escape(f"无法连接或升级数据库 {shown}：{db_reason(exc)}"), EXIT_FAILURE)
    raise AssertionError("unreachable")
