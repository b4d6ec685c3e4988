"""Reports tests: the party-building campaign built into a private SQLite DB (no Prefect)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from report_support import import_sample

from campaignflow.reports import final_context, render_template
from campaignflow.reports.narrative import narrative_items
from campaignflow.snapshot import take_snapshot
from campaignflow.spec.shipped import shipped_root

SPEC = shipped_root() / "party-building-2023" / "campaign.yaml"
AS_OF = dt.date(2023, 12, 31)


@dataclass
class Built:
    engine: Any
    loaded: Any
    home: Path
    context: dict[str, Any]
    markdown: str
    snapshot: Any


def build(
    tmp: Path,
    mutate: Callable[[Path], None] | None = None,
    spec: Path = SPEC,
    linked: Callable[[str, Path], None] | None = None,
) -> Built:
    """Sync the campaign (and the campaigns it reads), import their data (after
    `mutate(inbox)`, `linked(campaign id, inbox)`), render the final report."""
    engine, loaded, home, _ = import_sample(tmp, spec, mutate, linked)
    narrative = narrative_items(engine=engine, loaded=loaded, as_of=AS_OF)
    snap = take_snapshot(engine=engine, loaded=loaded, as_of=AS_OF)
    context = final_context(loaded=loaded, snapshot=snap, narrative=narrative)
    markdown = render_template(loaded.root / loaded.spec.reports.final, "final.md.j2", context)
    return Built(engine, loaded, home, context, markdown, snap)


@pytest.fixture(scope="session")
def seed_report(tmp_path_factory) -> Built:
    """The shipped sample data, as it is."""
    return build(tmp_path_factory.mktemp("seed"))


@pytest.fixture
def builder():
    return build
