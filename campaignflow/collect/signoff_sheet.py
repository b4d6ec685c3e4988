"""Import a 阶段签批 sheet: who signed which phase off, when, with what remarks.

Header: 阶段 | 签批人 | 签批日期 | 意见. The same decision can be taken in the Prefect UI when a
phase flow pauses for it; both are recorded the same way (see `gates.sign_off`).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from ..gates import sign_off, signed_off
from ..spec import LoadedCampaign
from ..spec.models import FormField
from .cells import CellError, Lookup, as_text, convert
from .importer import ImportRejected, ImportResult
from .reader import open_table
from .rows import ImportIssue

SIGNOFF_NAMES = ("阶段签批", "signoff")
COLUMNS = {"阶段": "stage", "签批人": "by", "签批日期": "on", "意见": "remarks"}


def is_signoff_file(path: Path) -> bool:
    return path.stem in SIGNOFF_NAMES


def import_signoffs(
    *, engine: Engine, loaded: LoadedCampaign, path: Path, actor: str = "import"
) -> ImportResult:
    table = open_table(path, list(SIGNOFF_NAMES))
    header = {COLUMNS[as_text(h)]: i for i, h in enumerate(table.header) if as_text(h) in COLUMNS}
    missing = [t for t, k in COLUMNS.items() if k != "remarks" and k not in header]
    if missing:
        issues = [
            ImportIssue(table.sheet, 1, 0, f"缺少必填列“{t}”（表头应为 {' | '.join(COLUMNS)}）")
            for t in missing
        ]
        raise ImportRejected(path, issues, len(issues))
    stages = {s.id: s.id for s in loaded.spec.stages} | {s.name: s.id for s in loaded.spec.stages}
    date_field = FormField(type="date", required=True)
    lookup = Lookup(loaded.units, loaded.people)
    issues, rows = [], []
    for number, cells in table.rows:
        values = {k: cells[i] if i < len(cells) else "" for k, i in header.items()}
        if not any(as_text(v) for v in values.values()):
            continue
        stage = stages.get(as_text(values["stage"]))
        if stage is None:
            issues.append(
                ImportIssue(
                    table.sheet,
                    number,
                    header["stage"],
                    f"未知阶段“{as_text(values['stage'])}”（可选：{'、'.join(s.name for s in loaded.spec.stages)}）",
                )
            )
            continue
        by = as_text(values["by"])
        if not by:
            issues.append(ImportIssue(table.sheet, number, header["by"], "必填项为空"))
            continue
        try:
            on = convert(values["on"], date_field, lookup)
        except CellError as exc:
            issues.append(ImportIssue(table.sheet, number, header["on"], str(exc)))
            continue
        rows.append((stage, by, on, as_text(values.get("remarks", ""))))
    if issues:
        raise ImportRejected(path, issues, len(issues))
    result = ImportResult(form="阶段签批", file=path.name, sheet=table.sheet, rows=len(rows))
    for stage, by, on, remarks in rows:
        record = signed_off(engine=engine, loaded=loaded, stage=stage, as_of=on)
        if record == {"by": by, "remarks": remarks, "on": on.isoformat()}:
            result.unchanged += 1
            continue
        sign_off(
            engine=engine, loaded=loaded, stage=stage, by=by, remarks=remarks, on=on, actor=actor
        )
        result.inserted += 1
    return result
