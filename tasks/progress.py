"""Measures' progress as a progress artifact: started before the inbox, updated after."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from prefect.artifacts import create_progress_artifact, update_progress_artifact

from campaignflow.progress import Progress, progress_by_stage, stage_progress
from campaignflow.spec import LoadedCampaign

from ._common import artifact_key, step, workspace


def _describe(progress: Progress, name: str) -> str:
    return f"{name}：措施完成 {progress.done}/{progress.total}"


def _name(loaded: LoadedCampaign, stage: str | None) -> str:
    return next((s.name for s in loaded.spec.stages if s.id == stage), "全部")


@step(name="progress 进度（开始）")
def start_progress(loaded: LoadedCampaign, stage: str, as_of: dt.date) -> UUID:
    """A progress artifact for the stage, from what the database knows before the inbox."""
    progress = stage_progress(engine=workspace().engine, loaded=loaded, stage=stage, as_of=as_of)
    return create_progress_artifact(
        progress=round(progress.ratio * 100, 1),
        key=artifact_key(loaded.spec.campaign.id, stage, "progress"),
        description=_describe(progress, _name(loaded, stage)),
    )


@step(name="progress 进度（更新）")
def show_progress(artifact_id: UUID, loaded: LoadedCampaign, progress: Progress) -> None:
    update_progress_artifact(
        artifact_id,
        round(progress.ratio * 100, 1),
        description=_describe(progress, _name(loaded, progress.stage)),
    )


@step(name="progress 各阶段进度")
def progress_now(loaded: LoadedCampaign, as_of: dt.date) -> dict[str, Progress]:
    """Every stage's progress as of `as_of`, computed once (the deadline sweep's input)."""
    return progress_by_stage(engine=workspace().engine, loaded=loaded, as_of=as_of)
