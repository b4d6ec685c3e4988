"""Database commands: `db upgrade`, `sync`."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    EXIT_BAD_INPUT,
    DbOption,
    SpecArg,
    acting_user,
    add_commands,
    add_group,
    campaign_database,
    escape,
    fail,
    load_spec,
    open_engine,
    out_console,
    upgrade_schema,
)


def register(app: typer.Typer) -> None:
    """Add `db upgrade` and `sync` to the app."""
    add_group(
        app, "db", "活动数据库：建立、升级。Campaign database commands.", {"upgrade": upgrade}
    )
    add_commands(app, {"sync": sync})


def upgrade(db: DbOption = None) -> None:
    """建立或升级活动数据库到最新结构（可重复运行）。Create or upgrade the campaign database.

    Example:

        campaignflow db upgrade
        CAMPAIGNFLOW_DATABASE_URL=postgresql://cf@db.example/cf campaignflow db upgrade
    """
    from ..db import head_revision

    engine, shown = open_engine(db)
    try:
        changed = upgrade_schema(engine, shown)
    finally:
        engine.dispose()
    state = "已升级到" if changed else "已是"
    out_console().print(f"数据库{state}最新结构（版本 {head_revision()}）：{shown}", markup=False)


def sync(
    spec: SpecArg,
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
    from ..sync import SyncError, sync_campaign

    loaded = load_spec(spec, "；未写入数据库")
    with campaign_database(db, "写入数据库失败") as (engine, _):
        try:
            result = sync_campaign(
                engine=engine, loaded=loaded, archive=archive, actor=acting_user()
            )
        except SyncError as exc:
            fail(escape(str(exc)), EXIT_BAD_INPUT)
    meta = loaded.spec.campaign
    out = out_console()
    if not result.changed:
        out.print(f"无变化：{meta.title}（{meta.id}）已是最新（{result.summary()}）", markup=False)
        return
    out.print(f"已同步 {meta.title}（{meta.id}）：{result.summary()}", markup=False)
    for line in result.details():
        out.print(f"  {line}", markup=False)
