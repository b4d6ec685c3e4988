"""Unit-test fixtures: the small campaign of unit_support.py, synced into the `engine` fixture's
database (a new one per test, on SQLite and on PostgreSQL: tests/backends.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from unit_support import SPEC, Campaign

from campaignflow.spec import LoadedCampaign, load
from campaignflow.sync import sync_campaign


@pytest.fixture(scope="session")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test campaign's file."""
    path = tmp_path_factory.mktemp("unit-spec") / "campaign.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def loaded(spec_path: Path) -> LoadedCampaign:
    return load(spec_path)


@pytest.fixture
def campaign(engine: Engine, loaded: LoadedCampaign, tmp_path: Path) -> Campaign:
    """The test campaign synced into a new database (SQLite, then PostgreSQL), no rows yet."""
    sync_campaign(engine=engine, loaded=loaded)
    return Campaign(loaded, engine, tmp_path)


@pytest.fixture
def workspace_of(campaign: Campaign, migrated_url: str, tmp_path: Path, monkeypatch) -> Campaign:
    """The campaign, with this process's workspace (what every task opens) on its database: a
    data folder in tmp_path and CAMPAIGNFLOW_DATABASE_URL the test's database."""
    from campaignflow.workspace import close_workspaces

    monkeypatch.setenv("CAMPAIGNFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CAMPAIGNFLOW_DATABASE_URL", migrated_url)
    close_workspaces()
    yield campaign
    close_workspaces()
