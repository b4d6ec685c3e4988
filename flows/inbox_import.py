"""Import the inbox in chunks: each wave's files (independent of each other) fanned out across
the workers when the `inbox-import-chunk` deployment exists, else everything here."""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow

from campaignflow.chunks import chunked
from campaignflow.collect.inbox import InboxFile, InboxReport
from campaignflow.spec import LoadedCampaign
from tasks._common import same_data_folder, workspace
from tasks.collect import (
    check_inbox_done,
    collect,
    empty_report,
    import_inbox_files,
    plan_inbox,
    show_inbox,
)
from tasks.spec import load_campaign

from ._fanout import CHUNK_RESULTS, deployed, run_chunks

IMPORT_FLOW = "inbox-import-chunk"
IMPORT_DEPLOYMENT = f"{IMPORT_FLOW}/{IMPORT_FLOW}"


@flow(name=IMPORT_FLOW, **CHUNK_RESULTS)
async def inbox_import_chunk(
    spec_path: str, phase: str, files: list[str], data_folder: str | None = None
) -> list[dict]:
    """Import these inbox files (one chunk of a wave; run by a worker of the same
    `data_folder`): what happened to each file, for the run that fanned the chunk out."""
    same_data_folder(data_folder)
    loaded = load_campaign(spec_path)
    return [asdict(f) for f in import_inbox_files(loaded, files).files]


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
            report.files += import_inbox_files(loaded, wave).files
            continue
        folder = str(workspace().home)
        params = [
            {"spec_path": spec_path, "phase": phase, "files": c, "data_folder": folder}
            for c in chunks
        ]
        for _run, files in await run_chunks(IMPORT_DEPLOYMENT, "导入", params, timeout, "导入"):
            report.files += [InboxFile(**f) for f in files]
    show_inbox(loaded, phase, report)
    check_inbox_done(loaded)
    return report
