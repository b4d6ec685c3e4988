"""Render and publish reports from the run's snapshot; show them in the Prefect UI."""

from __future__ import annotations

from prefect import get_run_logger
from prefect.artifacts import create_link_artifact, create_markdown_artifact

from campaignflow.links import report_link
from campaignflow.reports import Published, final_context, phase_context
from campaignflow.reports.charts import report_charts
from campaignflow.reports.layout import for_screen
from campaignflow.reports.narrative import narrative_items
from campaignflow.reports.publish import publish
from campaignflow.reports.render import render_report
from campaignflow.reports.scope import ReportScope
from campaignflow.snapshot import Snapshot
from campaignflow.spec import LoadedCampaign

from ._common import IO_RETRIES, artifact_key, step, workspace


@step(name="render 生成阶段报告")
def render_phase_report(loaded: LoadedCampaign, snap: Snapshot) -> str:
    """The phase report as Markdown (the campaign's template, or the built-in one)."""
    context = phase_context(loaded=loaded, snapshot=snap)
    return render_report(loaded, ReportScope.phase(snap.stage), context)


@step(name="render 生成总结报告")
def render_final_report(loaded: LoadedCampaign, snap: Snapshot) -> str:
    narrative = narrative_items(engine=workspace().engine, loaded=loaded, as_of=snap.as_of)
    context = final_context(loaded=loaded, snapshot=snap, narrative=narrative)
    return render_report(loaded, ReportScope.final(), context)


@step(name="publish 发布报告", **IO_RETRIES)
def publish_report(
    loaded: LoadedCampaign, scope: ReportScope, snap: Snapshot, markdown: str
) -> Published:
    """Write .md/.html/.docx (and .pdf) with the snapshot's charts; a markdown artifact with the
    report and links to the files."""
    ws = workspace()
    published = publish(
        engine=ws.engine,
        loaded=loaded,
        home=ws.home,
        scope=scope,
        as_of=snap.as_of,
        markdown=markdown,
        charts=report_charts(loaded, snap),
    )
    logger = get_run_logger()
    for fmt, why in published.skipped.items():
        logger.warning("未生成 .%s 文件（%s）：%s", fmt, published.title, why)
    base = artifact_key(loaded.spec.campaign.id, scope.name)
    create_markdown_artifact(
        key=f"{base}-report", markdown=for_screen(published.markdown), description=published.title
    )
    for fmt, path in published.files.items():
        if fmt != "md":
            create_link_artifact(
                key=f"{base}-{fmt}",
                link=report_link(path, ws.home),
                link_text=f"{published.title}（.{fmt}）",
                description=f"{published.title}：{path}",
            )
    return published


async def show_overview(loaded: LoadedCampaign, snap: Snapshot, published: Published) -> None:
    """The 进度总览 artifacts of the run itself (called in the flow, not a task, so they belong to
    the flow run): one per phase run, and the campaign's, kept under one key and updated by
    every run."""
    from prefect.artifacts import acreate_markdown_artifact

    from campaignflow.overview import campaign_overview, phase_overview

    home = workspace().home
    links = {f".{fmt}": report_link(path, home) for fmt, path in published.files.items()}
    cid = loaded.spec.campaign.id
    ran = "总结报告"
    if snap.stage is not None:
        name = next(s.name for s in loaded.spec.stages if s.id == snap.stage)
        ran = f"{name}运行"
        await acreate_markdown_artifact(
            key=artifact_key(cid, snap.stage, "overview"),
            markdown=phase_overview(loaded, snap, links),
            description=f"进度总览：{name}",
        )
    await acreate_markdown_artifact(
        key=artifact_key(cid, "overview"),
        markdown=campaign_overview(loaded, snap, links, ran),
        description=f"进度总览：{loaded.spec.campaign.title}",
    )
