"""Import new files from the campaign's inbox: all here, or a wave's files in chunks."""

from __future__ import annotations

from prefect import get_run_logger

from campaignflow.collect.inbox import (
    InboxFile,
    InboxReport,
    collect_files,
    collect_inbox,
    import_waves,
    inbox_folder,
    pending_files,
)
from campaignflow.spec import LoadedCampaign

from ._common import IO_RETRIES, artifact_key, step, table_artifact, workspace

COLUMNS = {
    "文件": "file",
    "表单": "form",
    "结果": "status",
    "行数": "rows",
    "新增": "inserted",
    "更新": "updated",
    "未变": "unchanged",
    "撤回": "withdrawn",
    "说明": "message",
}


@step(name="inbox 收集数据（收件箱）", **IO_RETRIES)
def collect(loaded: LoadedCampaign, stage: str) -> InboxReport:
    """Import every new .xlsx/.csv of the inbox; bad files are moved to rejected/."""
    ws = workspace()
    report = collect_inbox(engine=ws.engine, loaded=loaded, home=ws.home)
    show_inbox.fn(loaded, stage, report)
    return report


@step(name="inbox-check 收件箱已清空")
def check_inbox_done(loaded: LoadedCampaign) -> None:
    """Every file the inbox held is imported or rejected: a run never reports success with
    files left behind (a chunk that ran on a worker with another data folder, say)."""
    from campaignflow.errors import CampaignflowError

    left = pending_files(workspace().home, loaded)
    if left:
        names = "、".join(p.name for p in left[:10]) + ("……" if len(left) > 10 else "")
        raise CampaignflowError(
            f"收件箱中还有 {len(left)} 个文件没有导入：{names}（{inbox_folder(workspace().home, loaded)}）"
            "：请检查各 worker 是否使用同一个数据文件夹，再重新运行"
        )


@step(name="inbox-plan 收件箱分批")
def plan_inbox(loaded: LoadedCampaign) -> list[list[str]]:
    """The inbox's new files in waves (a wave's files may be imported at the same time)."""
    return import_waves(pending_files(workspace().home, loaded), loaded)


@step(name="inbox-chunk 导入一批文件", **IO_RETRIES)
def import_inbox_files(loaded: LoadedCampaign, names: list[str]) -> InboxReport:
    """Import the named inbox files (one chunk of a wave), each file's outcome in the log."""
    ws = workspace()
    report = collect_files(engine=ws.engine, loaded=loaded, home=ws.home, names=names)
    _log(report)
    return report


@step(name="inbox-result 收件箱结果")
def show_inbox(loaded: LoadedCampaign, stage: str, report: InboxReport) -> None:
    _log(report)
    if report.files:
        table_artifact(
            key=artifact_key(loaded.spec.campaign.id, stage, "inbox"),
            table=inbox_rows(report.files),
            description=f"收件箱 {report.folder}：{len(report.files)} 个文件，拒收 {len(report.rejected)} 个",
        )


def inbox_rows(files: list[InboxFile]) -> list[dict]:
    return [{title: getattr(f, attr) for title, attr in COLUMNS.items()} for f in files]


def empty_report(loaded: LoadedCampaign) -> InboxReport:
    return InboxReport(inbox_folder(workspace().home, loaded))


def _log(report: InboxReport) -> None:
    logger = get_run_logger()
    for item in report.files:
        logger.info("%s → %s：%s %s", item.file, item.form, item.status, item.message)
