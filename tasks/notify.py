"""Send the sweep's reminder digests through the campaign's channels; show what happened."""

from __future__ import annotations

import datetime as dt
from functools import cache

from prefect import get_run_logger

from campaignflow.deadlines import Digest
from campaignflow.notify import Delivery, RetryPolicy, chain, deliver, env_resolver
from campaignflow.notify.channels import DEFAULT_RETRY
from campaignflow.notify.outbox import NOT_CONFIGURED, UNCONFIRMED
from campaignflow.notify.secrets import block_name
from campaignflow.spec import LoadedCampaign

from ._common import artifact_key, step, table_artifact, workspace

CHANNEL_NAMES = {"dingtalk": "钉钉", "wecom": "企业微信", "email": "电子邮件", "webhook": "Webhook"}


def _secret_block(name: str) -> str | None:
    """A Prefect Secret block named like the environment variable (lowercase, dashes)."""
    from prefect.blocks.system import Secret

    try:
        return Secret.load(block_name(name), _sync=True).get()
    except Exception:  # noqa: BLE001 - no such block (or no API): the secret is simply not configured
        return None


def secret_resolver():
    """Environment variables first, then Prefect Secret blocks (each looked up once per sweep)."""
    return chain(env_resolver(), cache(_secret_block))


@step(name="notify 发送提醒")
def send_reminders(
    loaded: LoadedCampaign,
    digests: list[Digest],
    as_of: dt.date,
    now: dt.datetime,
    retry: RetryPolicy = DEFAULT_RETRY,
) -> list[Delivery]:
    """Each digest sent, queued (quiet hours) or listed as not sent, never twice; a table
    artifact shows each digest's fate."""
    deliveries = deliver(
        engine=workspace().engine,
        loaded=loaded,
        digests=digests,
        as_of=as_of,
        now=now,
        resolve=secret_resolver(),
        retry=retry,
    )
    logger = get_run_logger()
    unconfigured = sorted({d.detail for d in deliveries if d.status == NOT_CONFIGURED})
    for reason in unconfigured:
        logger.warning("%s，以下提醒未发送：", reason)
        for d in deliveries:
            if d.detail == reason:
                logger.warning("  → %s（%s）：\n%s\n%s", d.unit_name, d.target, d.subject, d.text)
    for d in deliveries:
        if d.status != NOT_CONFIGURED:
            logger.info(
                "提醒 %s（%s %s）：%d 项，%s", d.unit_name, d.channel, d.target, d.items, d.label
            )
    table_artifact(
        key=artifact_key(loaded.spec.campaign.id, "reminders"),
        table=[
            {
                "接收单位": d.unit_name,
                "渠道": CHANNEL_NAMES.get(d.channel, d.channel),
                "接收人": d.target,
                "事项数": d.items,
                "状态": d.label,
            }
            for d in deliveries
        ]
        or [
            {
                "接收单位": "（今天没有需要提醒的事项）",
                "渠道": "",
                "接收人": "",
                "事项数": 0,
                "状态": "",
            }
        ],
        description=_describe(deliveries, as_of, unconfigured, loaded.path),
    )
    return deliveries


def _describe(
    deliveries: list[Delivery], as_of: dt.date, unconfigured: list[str], spec: object
) -> str:
    counts: dict[str, int] = {}
    for d in deliveries:
        counts[d.label.split("：")[0]] = counts.get(d.label.split("：")[0], 0) + 1
    summary = "、".join(f"{label} {n}" for label, n in counts.items()) or "无"
    lines = [f"截至 {as_of} 的期限提醒（每个接收人一条汇总消息）：{summary}"]
    lines += [f"**{reason}，以下提醒未发送**（见“状态”列）" for reason in unconfigured]
    waiting = sum(d.items for d in deliveries if d.status == UNCONFIRMED)
    if waiting:
        lines.append(
            f"**{waiting} 项提醒待确认**：已发出但未收到应答，可能已送达，不会自动重发；"
            f"向接收人核实未收到后运行 `campaignflow notify resend {spec} --all`"
        )
    return "\n\n".join(lines)
