"""Helpers for the reports tests: a shipped campaign with its sample data imported."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import campaignflow.db
import campaignflow.spec
import campaignflow.sync
from campaignflow.collect.inbox import collect_inbox


def import_sample(
    tmp: Path,
    spec: Path,
    mutate: Callable[[Path], None] | None = None,
    linked: Callable[[str, Path], None] | None = None,
) -> tuple[Any, Any, Path, str]:
    """Sync a shipped campaign into `tmp/c.db` and import its sample data (after `mutate(inbox)`):
    (engine, loaded campaign, data folder, database URL). The campaigns its reports read
    (`reports.campaigns`) are imported first, each after `linked(campaign id, its inbox)`."""
    home = tmp / "home"
    url = f"sqlite:///{tmp}/c.db"
    engine = campaignflow.db.open_database(url)
    loaded = campaignflow.spec.load(spec)
    for campaign_id in loaded.spec.reports.campaigns.values():
        other = campaignflow.spec.load(spec.parent.parent / campaign_id / "campaign.yaml")
        _import(
            engine, other, home, (lambda inbox, c=campaign_id: linked(c, inbox)) if linked else None
        )
    _import(engine, loaded, home, mutate)
    return engine, loaded, home, url


def _import(engine, loaded, home: Path, mutate: Callable[[Path], None] | None) -> None:
    spec = loaded.path
    campaignflow.sync.sync_campaign(engine=engine, loaded=loaded)
    inbox = home / "inbox" / loaded.spec.campaign.id
    inbox.mkdir(parents=True)
    for path in (spec.parent / "data").glob("*.csv"):
        shutil.copy(path, inbox / path.name)
    if mutate:
        mutate(inbox)
    report = collect_inbox(engine=engine, loaded=loaded, home=home)
    assert all(f.status != "已拒收" for f in report.files), [f.message for f in report.files]
