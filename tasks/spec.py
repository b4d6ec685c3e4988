"""Load and validate a campaign file; sync it into the database."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger

from campaignflow.campaigns import active_spec_paths
from campaignflow.spec import LoadedCampaign, load_cached
from campaignflow.sync import SyncResult, sync_campaign

from ._common import IO_RETRIES, step, workspace


@step(name="load 加载并校验方案")
def load_campaign(spec_path: str) -> LoadedCampaign:
    """Read the campaign file (once per content in this process: subflows reuse it); a
    SpecError (located, in Chinese) fails the run with its message."""
    loaded = load_cached(spec_path)
    get_run_logger().info("已加载 %s（%s）", loaded.spec.campaign.title, spec_path)
    return loaded


@step(name="sync 同步到数据库", **IO_RETRIES)
def sync_spec(loaded: LoadedCampaign) -> SyncResult:
    """Write the spec into the campaign database (idempotent; skipped when unchanged)."""
    result = sync_campaign(
        engine=workspace().engine, loaded=loaded, actor="flow", skip_unchanged=True
    )
    get_run_logger().info("同步：%s", result.summary())
    return result


@step(name="active 查找进行中的活动")
def active_campaigns(as_of: dt.date) -> list[str]:
    """Spec paths of the campaigns running on `as_of` (as recorded by their last sync)."""
    return active_spec_paths(engine=workspace().engine, as_of=as_of)
