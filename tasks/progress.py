"""Measures' progress: refresh from the data, show it as a progress artifact."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from prefect.artifacts import create_progress_artifact, update_progress_artifact

from campaignflow.progress import Progress, refresh_assignments, stage_progress
from campaignflow.spec import LoadedCampaign

from ._common import artifact_key, step, workspace


@step(name="更新措施进度")
def refresh_progress(loaded: LoadedCampaign, stage: str, as_of: dt.date) -> Progress:
    """Mark measures done whose rule the data meets; the stage's progress as of `as_of`."""
    engine = workspace().engine
    refresh_assignments(engine=engine, loaded=loaded, as_of=as_of, actor="flow")
    return stage_progress(engine=engine, loaded=loaded, stage=stage, as_of=as_of)


def _describe(progress: Progress, name: str) -> str:
    return f"{name}：措施完成 {progress.done}/{progress.total}"


@step(name="进度（开始）")
def start_progress(loaded: LoadedCampaign, stage: str, as_of: dt.date) -> UUID:
    """A progress artifact for the stage, from what the database already knows."""
    progress = stage_progress(engine=workspace().engine, loaded=loaded, stage=stage, as_of=as_of)
    name = next(s.name for s in loaded.spec.stages if s.id == stage)
    return create_progress_artifact(
        progress=round(progress.ratio * 100, 1),
        key=artifact_key(loaded.spec.campaign.id, stage, "progress"),
        description=_describe(progress, name),
    )


@step(name="进度（更新）")
def show_progress(artifact_id: UUID, loaded: LoadedCampaign, progress: Progress) -> None:
    name = next(s.name for s in loaded.spec.stages if s.id == progress.stage)
    update_progress_artifact(
        artifact_id, round(progress.ratio * 100, 1), description=_describe(progress, name)
    )
