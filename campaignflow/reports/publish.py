"""Write a rendered report as .md/.html/.docx under the data folder and record it in the DB."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from .. import db
from ..spec import LoadedCampaign
from .docx import markdown_to_docx
from .html import markdown_to_html


@dataclass(frozen=True)
class Published:
    """The files of one report."""

    scope: str
    title: str
    markdown: str
    files: dict[str, Path]  # format -> path


def report_folder(home: Path, loaded: LoadedCampaign) -> Path:
    return home / "reports" / loaded.spec.campaign.id


def _title(markdown: str) -> str:
    first = next((ln for ln in markdown.splitlines() if ln.startswith("# ")), "报告")
    return first[2:].strip()


def publish(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    home: Path,
    scope: str,
    as_of: dt.date,
    markdown: str,
) -> Published:
    """Write every format the campaign asks for; record each file with its checksum."""
    folder = report_folder(home, loaded)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{scope.replace(':', '-')}-{as_of.isoformat()}"
    title = _title(markdown)
    files: dict[str, Path] = {}
    for fmt in loaded.spec.reports.formats:
        path = folder / f"{stem}.{fmt}"
        if fmt == "md":
            path.write_text(markdown, encoding="utf-8")
        elif fmt == "html":
            path.write_text(markdown_to_html(markdown, title), encoding="utf-8")
        elif fmt == "docx":
            markdown_to_docx(markdown, path)
        else:
            continue  # pdf: written by the PDF converter when LibreOffice is installed
        files[fmt] = path
    _record(engine, loaded, scope, as_of, files)
    return Published(scope=scope, title=title, markdown=markdown, files=files)


def _record(engine: Engine, loaded: LoadedCampaign, scope: str, as_of: dt.date, files: dict[str, Path]) -> None:
    with db.write_session(engine) as session:
        campaign = session.scalar(select(db.Campaign).where(db.Campaign.key == loaded.spec.campaign.id))
        for fmt, path in files.items():
            checksum = hashlib.sha256(path.read_bytes()).hexdigest()
            row = session.scalar(
                select(db.Report).where(
                    db.Report.campaign_id == campaign.id,
                    db.Report.scope == scope,
                    db.Report.format == fmt,
                    db.Report.as_of == as_of,
                )
            )
            if row is None:
                session.add(
                    db.Report(campaign_id=campaign.id, scope=scope, format=fmt, path=str(path), checksum=checksum, as_of=as_of)
                )
            else:
                row.path, row.checksum, row.generated_at = str(path), checksum, db.utcnow()
