"""A form's filings: `history` shows them, `withdraw` takes a unit's records back, `restore`
brings withdrawn records back."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    EXIT_FAILURE,
    DbOption,
    SpecArg,
    acting_user,
    add_commands,
    campaign_database,
    escape,
    fail,
    form_id_of,
    load_spec,
    out_console,
    unit_of,
)

FormArg = Annotated[
    str, typer.Argument(help="表单编号或名称，如 seminars 或 集中研讨", show_default=False)
]


def register(app: typer.Typer) -> None:
    """Add `history`, `withdraw` and `restore` to the app."""
    add_commands(app, {"history": history, "withdraw": withdraw, "restore": restore})


def history(spec: SpecArg, form: FormArg, db: DbOption = None) -> None:
    """表单的填报记录：每次导入、撤回、恢复各一行，以及当前已撤回的记录。Show a form's filings.

    Each filing is one file, UI entry, withdrawal or restore: when, how (替换/追加/撤回/恢复), from
    what, for which units, and what it did. Below: the rows withdrawn now, with the filing that
    withdrew them (campaignflow restore SPEC N brings them back).

    Example:

        campaignflow history campaign_specs/bapo-bali-2023/campaign.yaml 集中研讨
    """
    from zoneinfo import ZoneInfo

    from rich.table import Table

    from ..collect.lifecycle import history as read_history

    loaded = load_spec(spec)
    form_id = form_id_of(loaded, form)
    with campaign_database(db) as (engine, _):
        found = read_history(engine=engine, loaded=loaded, form_id=form_id)
    console = out_console()
    zone = ZoneInfo(loaded.spec.campaign.timezone)
    if not found.filings:
        console.print(f"{found.title}（{form_id}）还没有填报记录", markup=False)
        return
    table = Table(title=f"{found.title}（{form_id}）的填报记录")
    for column in ("编号", "时间", "操作", "来源", "范围", "结果", "操作人"):
        table.add_column(column)
    for f in found.filings:
        counts = [("新增", f.inserted), ("更新", f.updated), ("未变", f.unchanged),
                  ("撤回", f.withdrawn), ("恢复", f.restored)]  # fmt: skip
        table.add_row(
            f"#{f.id}",
            f.at.astimezone(zone).strftime("%m-%d %H:%M"),
            f"{f.mode}（{f.channel}）",
            escape("：".join(x for x in (f.source, f.note) if x)),
            escape(f.scope),
            "、".join(f"{label}{n}" for label, n in counts if n) or "—",
            escape(f.actor),
        )
    console.print(table)
    if not found.withdrawn_total:
        console.print("当前没有已撤回的记录", markup=False)
        return
    rows = Table(title=f"当前已撤回的记录：{found.withdrawn_total} 条")
    for column in ("记录", "单位", "撤回于"):
        rows.add_column(column)
    for row in found.withdrawn:
        rows.add_row(escape(row.label or row.key), escape(row.unit), f"#{row.by}")
    console.print(rows)
    if found.withdrawn_total > len(found.withdrawn):
        console.print(
            f"……另有 {found.withdrawn_total - len(found.withdrawn)} 条未列出", markup=False
        )


def withdraw(
    spec: SpecArg,
    form: FormArg,
    unit: Annotated[
        list[str] | None,
        typer.Option("--unit", help="填报单位（编号或名称，可写多次）", show_default=False),
    ] = None,
    all_units: Annotated[
        bool, typer.Option("--all", help="撤回这张表单的全部记录（不分单位）")
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="撤回原因（记入填报记录）", show_default=False)
    ] = None,
    db: DbOption = None,
) -> None:
    """撤回某单位在一张表单中的全部记录（保留、留痕、可恢复，撤回后不再计入任何数字）。Withdraw records.

    Withdrawing a problem list also withdraws the rectification measures of its problems.
    The filing number printed is what `campaignflow restore` takes to undo it.

    Example:

        campaignflow withdraw campaign_specs/bapo-bali-2023/campaign.yaml 集中研讨 --unit 离退休干部党支部 --reason 重复报送
    """
    from ..collect.lifecycle import withdraw as do_withdraw

    if bool(unit) == all_units:
        fail("请用 --unit 指明填报单位，或用 --all 撤回全部记录（二者选一）")
    loaded = load_spec(spec)
    form_id = form_id_of(loaded, form)
    units = [unit_of(loaded, u) for u in unit] if unit else None
    with campaign_database(db) as (engine, shown):
        try:
            result = do_withdraw(
                engine=engine,
                loaded=loaded,
                form_id=form_id,
                units=units,
                actor=acting_user(),
                reason=reason,
            )
        except OSError as exc:  # pragma: no cover - the database file system
            fail(escape(f"写入数据库失败（{shown}）：{exc}"), EXIT_FAILURE)
    out_console().print(result.summary(), markup=False)


def restore(
    spec: SpecArg,
    filing: Annotated[
        int, typer.Argument(help="填报记录编号（campaignflow history 中的 #N）", show_default=False)
    ],
    db: DbOption = None,
) -> None:
    """恢复某次填报（替换或撤回）所撤回的记录。Restore the records a filing withdrew.

    Example:

        campaignflow restore campaign_specs/bapo-bali-2023/campaign.yaml 7
    """
    from ..collect.lifecycle import restore as do_restore

    loaded = load_spec(spec)
    with campaign_database(db) as (engine, _):
        result = do_restore(engine=engine, loaded=loaded, filing_id=filing, actor=acting_user())
    out_console().print(result.summary(), markup=False)
