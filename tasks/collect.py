"""Import new files from the campaign's inbox."""

from __future__ import annotations

from prefect import get_run_logger, task

from campaignflow.collect.inbox import InboxReport, collect_inbox
from campaignflow.spec import LoadedCampaign

from ._common import IO_RETRIES, STEP, artifact_key, table_artifact, workspace


@task(name="收集数据（收件箱）", **STEP, **IO_RETRIES)
def collect(loaded: LoadedCampaign, stage: str) -> InboxReport:
    """Import every new .xlsx/.csv of the inbox; bad files are moved to rejected/."""
    ws = workspace()
    report = collect_inbox(engine=ws.engine, loaded=loaded, home=ws.home)
    logger = get_run_logger()
    for item in report.files:
        logger.info("%s → %s：%s %s", item.file, item.form, item.status, item.message)
    if report.files:
        table_artifact(
            key=artifact_key(loaded.spec.campaign.id, stage, "inbox"),
            table=[
                {
                    "文件": f.file,
                    "表单": f.form,
                    "结果": f.status,
                    "行数": f.rows,
                    "新增": f.inserted,
                    "更新": f.updated,
                    "未变": f.unchanged,
                    "说明": f.message,
                }
                for f in report.files
            ],
            description=f"收件箱 {report.folder}：{len(report.files)} 个文件，拒收 {len(report.rejected)} 个",
        )
    return report
