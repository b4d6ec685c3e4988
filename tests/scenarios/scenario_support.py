"""Helpers for the correction and replay scenarios: a shipped campaign on a given database, its
sample data imported through the inbox, and everything a run shows (report text, DOCX text,
artifact tables) taken from one snapshot."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from sheets import write_rows  # noqa: F401  (the scenarios' sheets)
from sqlalchemy import Engine

from campaignflow.collect.inbox import collect_files, inbox_folder, pending_files
from campaignflow.ledger import reconciliation_table
from campaignflow.reports import final_context, phase_context, render_template
from campaignflow.reports.charts import report_charts
from campaignflow.reports.publish import publish
from campaignflow.snapshot import Snapshot, take_snapshot
from campaignflow.spec import LoadedCampaign, load
from campaignflow.spec.shipped import shipped_root
from campaignflow.sync import sync_campaign

SPECS = shipped_root()


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@dataclass
class Campaign:
    """A shipped campaign on a database, with its data folder for the inbox."""

    loaded: LoadedCampaign
    engine: Engine
    home: Path

    @property
    def data(self) -> Path:
        return self.loaded.root / "data"

    def drop(self, name: str, rows: list[dict[str, Any]], header: list[str]) -> Path:
        """Put a file into the inbox (as a branch sending a sheet would)."""
        folder = inbox_folder(self.home, self.loaded)
        folder.mkdir(parents=True, exist_ok=True)
        return write_rows(folder / name, rows, header)

    def collect(self):
        """Import what the inbox holds (the phase flow's first step)."""
        names = [p.name for p in pending_files(self.home, self.loaded)]
        report = collect_files(engine=self.engine, loaded=self.loaded, home=self.home, names=names)
        assert not report.rejected, [(f.file, f.message) for f in report.rejected]
        return report

    def snapshot(self, as_of: dt.date, stage: str | None) -> Snapshot:
        return take_snapshot(engine=self.engine, loaded=self.loaded, as_of=as_of, stage=stage)

    def shown(self, snap: Snapshot) -> Shown:
        """What a run shows for `snap`: the report's Markdown, its DOCX text, the artifacts."""
        if snap.stage is None:
            markdown = render_template(
                None, "final.md.j2", final_context(loaded=self.loaded, snapshot=snap)
            )
        else:
            markdown = render_template(
                None, "phase.md.j2", phase_context(loaded=self.loaded, snapshot=snap)
            )
        published = publish(
            engine=self.engine,
            loaded=self.loaded,
            home=self.home,
            scope=f"phase:{snap.stage}" if snap.stage else "final",
            as_of=snap.as_of,
            markdown=markdown,
            charts=report_charts(self.loaded, snap),
        )
        document = Document(published.files["docx"])
        docx = [p.text for p in document.paragraphs] + [
            cell.text for table in document.tables for row in table.rows for cell in row.cells
        ]
        return Shown(markdown, "\n".join(docx), artifacts(snap))


@dataclass(frozen=True)
class Shown:
    markdown: str
    docx: str
    artifacts: dict[str, Any]


def artifacts(snap: Snapshot) -> dict[str, Any]:
    """The tables the phase flow publishes as artifacts, from the same snapshot."""
    progress = snap.stage_progress
    return {
        "progress": [progress.done, progress.total],
        "overdue": [
            (i.title, i.unit_name, str(i.due), i.workdays_overdue) for i in progress.overdue
        ],
        "reconciliation": reconciliation_table(snap.ledger),
        "open_problems": dict(snap.ledger.open_by_unit),
        "gate": [list(c) for c in snap.gate.checks] if snap.gate else [],
        "metrics": snap.metric_values(),
    }


def open_campaign(engine: Engine, name: str, tmp: Path, skip: tuple[str, ...] = ()) -> Campaign:
    """Sync the shipped campaign `name` into `engine` and import its sample data (minus `skip`),
    after the campaigns its reports read (`reports.campaigns`, shipped folders named by their id)."""
    loaded = load(SPECS / name / "campaign.yaml")
    for linked in loaded.spec.reports.campaigns.values():
        open_campaign(engine, linked, tmp / linked)
    sync_campaign(engine=engine, loaded=loaded)
    campaign = Campaign(loaded, engine, tmp / "home")
    folder = inbox_folder(campaign.home, loaded)
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(campaign.data.glob("*.csv")):
        if path.name not in skip:
            shutil.copy(path, folder / path.name)
    campaign.collect()
    return campaign
