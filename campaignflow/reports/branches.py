"""Per-branch reports: one short report per 党支部 for a phase, written in chunks.

A chunk is a list of branch keys. Its contexts come from a few GROUP BY queries over the chunk's
units (metrics by the rows' unit, progress of the branch's own assignments, 对账 of the
branch's own problems), so a chunk costs the same whether the campaign has 50 branches or
5,000. Chunks are independent: `flows/branch_reports.py` runs them in a local process pool or
fans them out as Prefect deployment runs across workers. Each report is recorded once per
(campaign, scope `branch:<phase>:<unit>`, format, as-of date): a chunk run twice overwrites its
files and rows and adds none.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from .. import db
from ..spec import LoadedCampaign
from .context import (
    campaign_data,
    metric_info,
    metric_values,
    next_stage_data,
    own_next_stage,
    progress_data,
    stage_data,
)
from .publish import record_reports, report_folder
from .scope import ReportScope, branch_prefix

BRANCH_KINDS = ("党支部",)
BRANCH_FORMATS = ("md", "html", "docx")  # a PDF per branch is left to the phase/final reports


@dataclass(frozen=True)
class ChunkResult:
    """What one chunk wrote."""

    units: list[str]
    files: int
    bytes: int
    seconds: float


def scope(stage: str, unit: str) -> str:
    return str(ReportScope.branch(stage, unit))


def branch_units(engine: Engine, loaded: LoadedCampaign) -> list[str]:
    """Keys of the campaign's 党支部 in spec order (when it declares none: its leaf units)."""
    with db.read_session(engine) as session:
        campaign_id = _campaign_id(session, loaded)
        rows = session.execute(
            select(db.Unit.id, db.Unit.key, db.Unit.kind, db.Unit.parent_id)
            .where(db.Unit.campaign_id == campaign_id, db.Unit.archived.is_(False))
            .order_by(db.Unit.sort_order, db.Unit.id)
        ).all()
    branches = [key for _id, key, kind, _parent in rows if kind in BRANCH_KINDS]
    if branches:
        return branches
    parents = {parent for *_, parent in rows}
    return [key for uid, key, _kind, _parent in rows if uid not in parents]


def branch_folder(home: Path, loaded: LoadedCampaign, stage: str, as_of: dt.date) -> Path:
    return report_folder(home, loaded) / "branches" / f"{stage}-{as_of.isoformat()}"


def branch_contexts(
    *, engine: Engine, loaded: LoadedCampaign, stage: str, as_of: dt.date, units: list[str]
) -> list[tuple[str, dict[str, Any]]]:
    """(unit key, template context) for each unit of the chunk, in the order given."""
    from ..ledger import reconcile_by_unit
    from ..metrics import compute_metrics_by_unit
    from ..progress import Progress, stage_progress
    from .prose import prose

    with db.read_session(engine) as session:
        campaign_id = _campaign_id(session, loaded)
        parent = db.Unit.__table__.alias("parent")
        names = {
            key: (name, parent_name)
            for key, name, parent_name in session.execute(
                select(db.Unit.key, db.Unit.name, parent.c.name)
                .outerjoin(parent, parent.c.id == db.Unit.parent_id)
                .where(db.Unit.campaign_id == campaign_id, db.Unit.key.in_(units))
            )
        }
    unknown = [u for u in units if u not in names]
    if unknown:
        raise ValueError(
            f"活动 {loaded.spec.campaign.id} 中没有这些单位：{'、'.join(unknown[:10])}"
        )
    progress = stage_progress(engine=engine, loaded=loaded, stage=stage, as_of=as_of, units=units)
    items: dict[str, list] = {key: [] for key in units}
    for item in progress.items:
        items[item.unit].append(item)  # the branch's own share of each measure
    metrics = compute_metrics_by_unit(engine=engine, loaded=loaded, as_of=as_of, units=units)
    ledgers = reconcile_by_unit(engine=engine, loaded=loaded, as_of=as_of, units=units)
    campaign, stage_info = campaign_data(loaded), stage_data(loaded, stage)
    following = next_stage_data(loaded, stage)
    out = []
    for key in units:
        mine = items[key]
        part = Progress.of(stage, mine)
        name, parent_name = names[key]
        context = {
            "campaign": {**campaign, "organisation": name},
            "branch": {"key": key, "name": name, "parent": parent_name or ""},
            "stage": stage_info,
            "next_stage": own_next_stage(following, key),
            "as_of": as_of,
            "progress": progress_data(loaded, part, metrics[key]),
            "m": metric_values(metrics[key]),
            "metric_info": metric_info(metrics[key]),
            "ledger": ledgers[key].as_dict(),
        }
        context["prose"] = prose(context, "branch")
        out.append((key, context))
    return out


def write_branch_reports(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    home: Path,
    stage: str,
    as_of: dt.date,
    units: list[str],
) -> ChunkResult:
    """Render and write the chunk's reports (the campaign's formats among md/html/docx) and
    record them; files are written to a temporary name and renamed, so none is half-written."""
    from .docx import markdown_to_docx
    from .html import markdown_to_html
    from .layout import lay_out
    from .publish import report_title
    from .render import render_report

    started = time.perf_counter()
    formats = [f for f in dict.fromkeys(loaded.spec.reports.formats) if f in BRANCH_FORMATS]
    folder = branch_folder(home, loaded, stage, as_of)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, dict[str, Path]] = {}
    size = 0
    for key, context in branch_contexts(
        engine=engine, loaded=loaded, stage=stage, as_of=as_of, units=units
    ):
        laid = lay_out(render_report(loaded, ReportScope.branch(stage, key), context))
        markdown = laid.markdown
        files = {}
        for fmt in formats:
            target = folder / f"{_file_stem(key)}.{fmt}"
            partial = target.with_name(f".{target.name}.part")
            if fmt == "md":
                partial.write_text(markdown, encoding="utf-8")
            elif fmt == "html":
                partial.write_text(markdown_to_html(markdown, report_title(markdown)), "utf-8")
            else:
                markdown_to_docx(markdown, partial, title_break=laid.title_break)
            partial.replace(target)
            size += target.stat().st_size
            files[fmt] = target
        written[key] = files
    record_reports(
        engine, loaded, as_of, {scope(stage, key): files for key, files in written.items()}
    )
    return ChunkResult(
        units=list(units),
        files=sum(len(f) for f in written.values()),
        bytes=size,
        seconds=round(time.perf_counter() - started, 3),
    )


def recorded_counts(
    engine: Engine, loaded: LoadedCampaign, stage: str, as_of: dt.date
) -> dict[str, int]:
    """Unit key -> how many Markdown report rows the campaign database holds for it (should be 1)."""
    prefix = branch_prefix(stage)
    with db.read_session(engine) as session:
        campaign_id = _campaign_id(session, loaded)
        rows = session.execute(
            select(db.Report.scope, func.count())
            .where(
                db.Report.campaign_id == campaign_id,
                db.Report.scope.startswith(prefix),
                db.Report.as_of == as_of,
                db.Report.format == "md",
            )
            .group_by(db.Report.scope)
        ).all()
    return {s[len(prefix) :]: n for s, n in rows}


@dataclass(frozen=True)
class Completeness:
    """Whether every branch wanted has exactly one report as of the date."""

    wanted: list[str]
    missing: list[str]
    repeated: list[str]

    @property
    def complete(self) -> bool:
        return not (self.missing or self.repeated)

    @property
    def written(self) -> int:
        return len(self.wanted) - len(self.missing)

    def problem(self) -> str:
        """The missing and repeated branches, ten of each named ("" when complete)."""
        if self.complete:
            return ""
        return (
            f"支部报告不完整：缺少 {len(self.missing)} 个（{'、'.join(self.missing[:10])}）"
            f"，重复 {len(self.repeated)} 个（{'、'.join(self.repeated[:10])}）"
        )


def completeness(
    engine: Engine, loaded: LoadedCampaign, stage: str, as_of: dt.date, wanted: list[str]
) -> Completeness:
    """The branches of `wanted` with no report recorded, and those with more than one."""
    counts = recorded_counts(engine, loaded, stage, as_of)
    return Completeness(
        wanted=list(wanted),
        missing=[u for u in wanted if counts.get(u, 0) == 0],
        repeated=[u for u, n in counts.items() if n > 1],
    )


def _file_stem(key: str) -> str:
    """A unit key as a file name (keys are ids; anything odd becomes _)."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key)


def _campaign_id(session, loaded: LoadedCampaign) -> int:
    return db.campaign_id(session, loaded.spec.campaign.id)
