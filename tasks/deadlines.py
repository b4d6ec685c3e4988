"""The deadline sweep: each stage's overdue items and unfiled forms; the reminder digests."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger

from campaignflow.deadlines import Digest, merge_progress, plan_reminders
from campaignflow.progress import Progress
from campaignflow.spec import LoadedCampaign
from campaignflow.unfiled import unfiled

from ._common import artifact_key, step, table_artifact, workspace

LOGGED_DIGESTS = 20  # per-unit lines logged; the overdue table and the digests hold the rest


@step(name="deadlines 期限检查")
def sweep_deadlines(loaded: LoadedCampaign, progress: Progress, as_of: dt.date) -> None:
    """The stage's overdue measures and the forms its owners have not filed, as table artifacts."""
    key = artifact_key(loaded.spec.campaign.id, progress.stage or "all", "overdue")
    overdue = progress.overdue
    table_artifact(
        key=key,
        table=[
            {
                "措施": i.title,
                "责任单位": i.unit_name,
                "期限": str(i.due),
                "逾期（工作日）": i.workdays_overdue,
            }
            for i in overdue
        ]
        or [{"措施": "（无逾期事项）", "责任单位": "", "期限": "", "逾期（工作日）": 0}],
        description=f"截至 {as_of} 逾期未完成的措施：{len(overdue)} 项",
    )
    _unfiled_artifact(loaded, progress.stage, as_of)


@step(name="reminders 列出提醒")
def plan_digests(loaded: LoadedCampaign, progress: list[Progress], as_of: dt.date) -> list[Digest]:
    """One reminder digest per recipient unit over the active stages, each owner's reminders
    with its web form link (when the web address is configured)."""
    from campaignflow.web.links import reminder_links

    digests = plan_reminders(
        loaded=loaded,
        progress=merge_progress(progress),
        as_of=as_of,
        link=reminder_links(workspace().engine, loaded),
    )
    logger = get_run_logger()
    if digests:
        logger.info("提醒：%d 个单位，共 %d 项", len(digests), sum(len(d.items) for d in digests))
    for digest in digests[:LOGGED_DIGESTS]:  # each line is a record sent to the API
        logger.info("提醒 %s：%d 项", digest.unit_name, len(digest.items))
    if len(digests) > LOGGED_DIGESTS:
        logger.info("（其余 %d 个单位的提醒从略）", len(digests) - LOGGED_DIGESTS)
    return digests


def _unfiled_artifact(loaded: LoadedCampaign, stage: str | None, as_of: dt.date) -> None:
    """The stage's forms and the owner units that have not filed them (as of the sweep)."""
    found = unfiled(engine=workspace().engine, loaded=loaded, as_of=as_of, stage=stage)
    if not found:
        return
    table_artifact(
        key=artifact_key(loaded.spec.campaign.id, stage or "all", "unfiled"),
        table=[
            {
                "表单": u.title,
                "截止": str(u.due or ""),
                "已报送": f"{u.expected - len(u.missing)}/{u.expected}",
                "未报送单位": "、".join(u.missing) or "（均已报送）",
            }
            for u in found
        ],
        description=f"截至 {as_of} 各表单的报送情况：{sum(bool(u.missing) for u in found)} 张表尚有单位未报送",
    )
