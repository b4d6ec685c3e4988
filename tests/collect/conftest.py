"""Collection test fixtures: shipped campaigns synced into a temporary SQLite database.

A synced database is made once per campaign per session and copied for each test, so every
test starts from the campaign's organisation, forms and measures and no submissions.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from campaignflow.db import make_engine
from campaignflow.settings import sqlite_url
from campaignflow.spec import LoadedCampaign, load

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "campaign_specs"


@dataclass
class Campaign:
    """A shipped campaign loaded and synced into its own database."""

    loaded: LoadedCampaign
    engine: Engine
    folder: Path  # the campaign folder (campaign.yaml, data/)
    tmp: Path  # this test's scratch folder

    @property
    def data(self) -> Path:
        return self.folder / "data"


@pytest.fixture(scope="session")
def loaded_campaigns() -> dict[str, LoadedCampaign]:
    return {}


@pytest.fixture(scope="session")
def synced_templates() -> dict[str, Path]:
    return {}


def _campaign(name, request, tmp_path, loaded_campaigns, synced_templates):
    from campaignflow.db import open_database
    from campaignflow.sync import sync_campaign

    if name not in loaded_campaigns:
        loaded_campaigns[name] = load(SPECS / name / "campaign.yaml")
    loaded = loaded_campaigns[name]
    if name not in synced_templates:
        folder = request.getfixturevalue("tmp_path_factory").mktemp(f"synced-{name}")
        path = folder / "campaign.db"
        engine = open_database(sqlite_url(path))
        sync_campaign(engine=engine, loaded=loaded)
        engine.dispose()
        synced_templates[name] = path
    db_path = tmp_path / "campaign.db"
    shutil.copyfile(synced_templates[name], db_path)
    engine = make_engine(sqlite_url(db_path))
    request.addfinalizer(engine.dispose)
    return Campaign(loaded, engine, SPECS / name, tmp_path)


@pytest.fixture
def bapo(request, tmp_path, loaded_campaigns, synced_templates) -> Campaign:
    """八破八立 (forms problems, fixes, seminars, studies, blueprints), synced, no data."""
    return _campaign("bapo-bali-2023", request, tmp_path, loaded_campaigns, synced_templates)


@pytest.fixture
def party(request, tmp_path, loaded_campaigns, synced_templates) -> Campaign:
    """年度党建 (many forms, people with person fields), synced, no data."""
    return _campaign("party-building-2023", request, tmp_path, loaded_campaigns, synced_templates)


@pytest.fixture
def campaign_named(request, tmp_path, loaded_campaigns, synced_templates):
    """`campaign_named("tangping-review-2023")` -> that shipped campaign, synced."""

    def make(name: str) -> Campaign:
        return _campaign(name, request, tmp_path, loaded_campaigns, synced_templates)

    return make
