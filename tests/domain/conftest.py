"""Domain test fixtures: shipped campaigns synced and filled from their sample data."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from campaignflow.collect import import_file
from campaignflow.db import make_engine, open_database
from campaignflow.spec import LoadedCampaign, load
from campaignflow.sync import sync_campaign

SPECS = Path(__file__).resolve().parents[2] / "campaign_specs"
FORMS = {
    "tangping-review-2023": ["ballots", "findings", "issues", "fixes", "lessons"],
    "party-building-2023": ["meetings", "volunteering", "studies", "quality_files"],
}


@dataclass
class Filled:
    loaded: LoadedCampaign
    engine: Engine
    url: str


def _build(name: str, folder: Path) -> Path:
    loaded = load(SPECS / name / "campaign.yaml")
    path = folder / f"{name}.db"
    engine = open_database(f"sqlite:///{path}")
    sync_campaign(engine=engine, loaded=loaded)
    for form in FORMS[name]:
        result = import_file(
            engine=engine, loaded=loaded, form_id=form, path=SPECS / name / "data" / f"{form}.csv"
        )
        assert not result.rejected, result.issues
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _built(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("domain")
    return {name: _build(name, folder) for name in FORMS}


def _filled(name: str, built: dict[str, Path], tmp_path: Path):
    path = tmp_path / "c.db"
    shutil.copy(built[name], path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    yield Filled(load(SPECS / name / "campaign.yaml"), engine, url)
    engine.dispose()


@pytest.fixture
def tangping(_built, tmp_path):
    yield from _filled("tangping-review-2023", _built, tmp_path)


@pytest.fixture
def party(_built, tmp_path):
    yield from _filled("party-building-2023", _built, tmp_path)
