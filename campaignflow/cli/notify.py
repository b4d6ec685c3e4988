"""`notify list|resend`: the reminders whose delivery is unknown (待确认), resent by hand."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import DbOption, SpecArg, add_group, campaign_database, fail, load_spec, out_console


def register(app: typer.Typer) -> None:
    """Add `notify list` and `notify resend` to the app."""
    add_group(
        app,
        "notify",
        "提醒：查看待确认的提醒、确认未收到后补发。Reminders whose delivery is unknown.",
        {"list": list_unconfirmed, "resend": resend},
    )


def list_unconfirmed(spec: SpecArg, db: DbOption = None) -> None:
    """列出待确认的提醒：已发出但机器人未应答，可能已送达，不会自动重发。List them.

    Example:

        campaignflow notify list campaign_specs/bapo-bali-2023/campaign.yaml
    """
    from ..notify.resend import unconfirmed

    loaded = load_spec(spec)
    with campaign_database(db) as (engine, _):
        items = unconfirmed(engine, loaded)
    out = out_console()
    if not items:
        out.print("没有待确认的提醒。", markup=False)
        return
    out.print(f"待确认的提醒 {len(items)} 项（请先向接收人核实是否收到）：", markup=False)
    for item in items:
        when = item.sent_at.astimezone().strftime("%Y-%m-%d %H:%M")
        out.print(f"  {item.key}\n    {item.recipient}，{when}：{item.body}", markup=False)
    out.print(
        f"确认未收到后补发：campaignflow notify resend {spec} --all（或列出编号）", markup=False
    )


def resend(
    spec: SpecArg,
    keys: Annotated[
        list[str] | None,
        typer.Argument(help="要补发的提醒编号（notify list 所列）", show_default=False),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="补发全部待确认的提醒")] = False,
    db: DbOption = None,
) -> None:
    """补发待确认的提醒（确认对方未收到之后）：每个接收人一条消息，不会重复发送。Resend them.

    Secrets come from the environment (CAMPAIGNFLOW_DINGTALK_TOKEN, …), as for the sweep.

    Example:

        campaignflow notify resend campaign_specs/bapo-bali-2023/campaign.yaml --all
    """
    from ..notify import env_resolver
    from ..notify.resend import resend as resend_items
    from ..notify.resend import unconfirmed

    if not keys and not all_:
        fail("请列出要补发的提醒编号（campaignflow notify list 可查看），或用 --all 补发全部")
    loaded = load_spec(spec)
    with campaign_database(db) as (engine, _):
        if keys:
            known = {u.key for u in unconfirmed(engine, loaded)}
            unknown = [k for k in keys if k not in known]
            if unknown:
                fail(f"不是待确认的提醒：{'、'.join(unknown)}（campaignflow notify list 可查看）")
        results = resend_items(
            engine=engine, loaded=loaded, resolve=env_resolver(), keys=keys or None
        )
    out = out_console()
    if not results:
        out.print("没有需要补发的提醒。", markup=False)
    for d in results:
        out.print(f"{d.unit_name}（{d.channel} {d.target}）：{d.items} 项，{d.label}", markup=False)
    if any(d.status not in ("sent",) for d in results):
        raise typer.Exit(1)
