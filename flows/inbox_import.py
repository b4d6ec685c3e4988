"""Import the inbox in chunks: each wave's files (independent of each other) fanned out across
the workers when the `inbox-import-chunk` deployment exists, else everything here."""

from __future__ import annotations

import json

from prefect import flow

from campaignflow.chunks import chunked
from campaignflow.collect.inbox import InboxReport
from campaignflow.spec import LoadedCampaign
from tasks._common import same_data_folder, workspace
from tasks.collect import (
    check_inbox_done,
    chunk_artifact_key,
    collect,
    empty_report,
    import_inbox_files,
    inbox_files,
    plan_inbox,
    show_inbox,
)
from tasks.spec import load_campaign

from ._fanout import deployed, run_chunks

IMPORT_FLOW = "inbox-import-chunk"
IMPORT_DEPLOYMENT = f"{IMPORT_FLOW}/{IMPORT_FLOW}"


@flow(name=IMPORT_FLOW, persist_result=False)
async def inbox_import_chunk(
    spec_path: str, phase: str, files: list[str], data_folder: str | None = None
) -> dict:
    """Import these inbox files (one chunk of a wave; run by a worker of the same
    `data_folder`)."""
    same_data_folder(data_folder)
    loaded = load_campaign(spec_path)
    report = import_inbox_files(loaded, phase, files)
    return {"files": len(report.files), "rejected": len(report.rejected)}


async def collect_in_chunks(
    spec_path: str, loaded: LoadedCampaign, phase: str, files_per_chunk: int, timeout: int = 3600
) -> InboxReport:
    """The phase's inbox step: fanned out wave by wave when there is more than one chunk to a
    wave and the chunk deployment is deployed; otherwise one task here."""
    waves = plan_inbox(loaded)
    if max(map(len, waves), default=0) <= files_per_chunk or not await deployed(IMPORT_DEPLOYMENT):
        report = collect(loaded, phase)
        check_inbox_done(loaded)
        return report
    report = empty_report(loaded)
    for wave in waves:
        chunks = chunked(wave, files_per_chunk)
        if len(chunks) == 1:
            report.files += import_inbox_files(loaded, phase, wave, artifact=False).files
            continue
        folder = str(workspace().home)
        params = [
            {"spec_path": spec_path, "phase": phase, "files": c, "data_folder": folder}
            for c in chunks
        ]
        runs = await run_chunks(IMPORT_DEPLOYMENT, "导入", params, timeout, prefix="导入")
        report.files += await _results(runs, chunk_artifact_key(loaded, phase))
    show_inbox(loaded, phase, report)
    check_inbox_done(loaded)
    return report


async def _results(runs, key: str):
    """What each chunk imported, from the table artifact it left (in the chunks' order)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    async with get_client() as client:
        artifacts = await client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[r.id for r in runs]),
                key=ArtifactFilterKey(any_=[key]),
            )
        )
    by_run = {a.flow_run_id: a for a in artifacts}
    files = []
    for run in runs:
        if run.id in by_run:
            data = by_run[run.id].data
            files += inbox_files(json.loads(data) if isinstance(data, str) else data)
    return files
