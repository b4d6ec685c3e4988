"""Write a rendered report as .md/.html/.docx/.pdf under the data folder and record it in the DB.

The rendered Markdown is laid out first (`layout.lay_out`: numbered 表N/图N, the charts where the
template puts them, one line per paragraph). The charts' PNG files are written next to the .md
(which links them) and embedded in the HTML and the DOCX. The PDF is converted from the DOCX by
LibreOffice when "pdf" is among the campaign's formats and LibreOffice is installed; otherwise
it is skipped with a log line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from .. import db
from ..spec import LoadedCampaign
from .charts import Chart
from .docx import markdown_to_docx
from .html import markdown_to_html
from .layout import lay_out
from .pdf import INSTALL_HINT, PdfError, docx_to_pdf, find_soffice
from .scope import ReportScope

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Published:
    """The files of one report."""

    scope: str
    title: str
    markdown: str
    files: dict[str, Path]  # format -> path
    skipped: dict[str, str] = field(default_factory=dict)  # format -> why it was not written


def report_folder(home: Path, loaded: LoadedCampaign) -> Path:
    return home / "reports" / loaded.spec.campaign.id


def report_title(markdown: str) -> str:
    first = next((ln for ln in markdown.splitlines() if ln.startswith("# ")), "报告")
    return first[2:].strip()


def publish(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    home: Path,
    scope: ReportScope | str,
    as_of: dt.date,
    markdown: str,
    charts: Sequence[Chart] = (),
) -> Published:
    """Write every format the campaign asks for, with the `charts` (made from the run's
    snapshot, `charts.report_charts`) the template places; record each file with its checksum."""
    scope = ReportScope.of(scope)
    folder = report_folder(home, loaded)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{scope.stem}-{as_of.isoformat()}"
    laid = lay_out(markdown, charts or (), prefix=f"{stem}-")
    markdown, figures = laid.markdown, laid.figures
    title = report_title(markdown)
    formats = list(dict.fromkeys(loaded.spec.reports.formats))
    files: dict[str, Path] = {}
    skipped: dict[str, str] = {}
    docx_path: Path | None = None
    for fmt in formats:
        path = folder / f"{stem}.{fmt}"
        if fmt == "md":
            path.write_text(markdown, encoding="utf-8")
            for name, chart in figures.items():
                (folder / name).write_bytes(chart.png)
        elif fmt == "html":
            path.write_text(markdown_to_html(markdown, title, figures), encoding="utf-8")
        elif fmt == "docx":
            docx_path = markdown_to_docx(markdown, path, figures, laid.title_break)
        elif fmt == "pdf":
            continue
        files[fmt] = path
    if "pdf" in formats:
        soffice = find_soffice()
        if soffice is None:
            skipped["pdf"] = INSTALL_HINT
        else:
            source = docx_path or markdown_to_docx(
                markdown, folder / f".{stem}.docx", figures, laid.title_break
            )
            try:
                files["pdf"] = docx_to_pdf(source, folder / f"{stem}.pdf", soffice=soffice)
            except PdfError as exc:
                skipped["pdf"] = str(exc)
            finally:
                if docx_path is None:
                    source.unlink(missing_ok=True)
        if "pdf" in skipped:
            log.warning("跳过 PDF（%s）：%s", title, skipped["pdf"])
    record_reports(engine, loaded, as_of, {str(scope): files})
    return Published(scope=str(scope), title=title, markdown=markdown, files=files, skipped=skipped)


def record_reports(
    engine: Engine, loaded: LoadedCampaign, as_of: dt.date, files: dict[str, dict[str, Path]]
) -> None:
    """One row per (scope, format) of `files` (scope -> format -> path), with the file's
    checksum: inserted, or updated when the report is written again."""
    with db.write_session(engine) as session:
        campaign_id = db.campaign_id(session, loaded.spec.campaign.id)
        existing = {
            (row.scope, row.format): row
            for row in session.scalars(
                select(db.Report).where(
                    db.Report.campaign_id == campaign_id,
                    db.Report.scope.in_(list(files)),
                    db.Report.as_of == as_of,
                )
            )
        }
        for scope, by_format in files.items():
            for fmt, path in by_format.items():
                checksum = hashlib.sha256(path.read_bytes()).hexdigest()
                row = existing.get((scope, fmt))
                if row is None:
                    session.add(
                        db.Report(
                            campaign_id=campaign_id,
                            scope=scope,
                            format=fmt,
                            path=str(path),
                            checksum=checksum,
                            as_of=as_of,
                        )
                    )
                else:
                    row.path, row.checksum, row.generated_at = str(path), checksum, db.utcnow()
