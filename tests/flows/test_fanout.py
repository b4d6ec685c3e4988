"""Fan-out falls back to this machine when no worker would take the chunks, and says so."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectAlreadyExists

from flows._fanout import deployed
from flows.branch_reports import CHUNK_DEPLOYMENT, branch_report_chunk, branch_reports

BAPO = "bapo-bali-2023"


async def _deploy_chunks_without_workers() -> None:
    async with get_client() as client:
        try:
            await client.create_work_pool(WorkPoolCreate(name="no-workers", type="process"))
        except ObjectAlreadyExists:
            pass
    deployment = await branch_report_chunk.ato_deployment(
        name="branch-report-chunk", work_pool_name="no-workers"
    )
    await deployment.apply()


def test_a_pool_without_workers_means_working_here(home, fill_inbox, spec):
    from flows.phase import phase

    asyncio.run(_deploy_chunks_without_workers())
    assert asyncio.run(_deployed()) is False
    fill_inbox(home, BAPO)
    as_of = dt.date(2023, 3, 31)
    asyncio.run(phase(spec_path=spec(BAPO), phase="mobilise", as_of=as_of))  # data + reports
    out = asyncio.run(branch_reports(spec_path=spec(BAPO), phase="mobilise", as_of=as_of))
    assert out["branches"] == 3
    with pytest.raises(RuntimeError, match="没有在线的 worker"):
        asyncio.run(
            branch_reports(spec_path=spec(BAPO), phase="mobilise", as_of=as_of, fan_out=True)
        )


async def _deployed() -> bool:
    from prefect.flows import flow

    @flow
    async def probe() -> bool:
        return await deployed(CHUNK_DEPLOYMENT)

    return await probe()
