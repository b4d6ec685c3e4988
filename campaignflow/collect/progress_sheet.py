"""Import a 措施进展 sheet: which unit finished which measure when, with what evidence.

Header: 措施编号 | 责任单位 | 完成日期 | 佐证材料 (责任单位 empty = every owner of the measure).
All rows are checked before any is recorded.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from ..progress import mark_done
from ..spec import LoadedCampaign
from ..spec.models import FormField
from .cells import CellError, Lookup, as_text, convert, header_text
from .importer import ImportRejected, ImportResult
from .reader import open_table
from .rows import ImportIssue

PROGRESS_NAMES = ("措施进展", "progress")
COLUMNS = {"措施编号": "measure", "责任单位": "unit", "完成日期": "on", "佐证材料": "evidence"}


def is_progress_file(path: Path) -> bool:
    return path.stem in PROGRESS_NAMES


def import_progress(
    *, engine: Engine, loaded: LoadedCampaign, path: Path, actor: str = "import"
) -> ImportResult:
    table = open_table(path, list(PROGRESS_NAMES), COLUMNS)
    header = {
        COLUMNS[header_text(h)]: i for i, h in enumerate(table.header) if header_text(h) in COLUMNS
    }
    issues: list[ImportIssue] = []
    for title, key in COLUMNS.items():
        if key in ("measure", "on") and key not in header:
            issues.append(
                ImportIssue(
                    table.sheet,
                    table.header_row,
                    len(table.header),
                    f"缺少必填列“{title}”（表头应为 {' | '.join(COLUMNS)}）",
                )
            )
    if issues:
        raise ImportRejected(path, issues, len(issues))
    measures = {m.id: m for m in loaded.spec.measures} | {m.title: m for m in loaded.spec.measures}
    lookup = Lookup(loaded.units, loaded.people)
    date_field = FormField(type="date", required=True)
    rows = []
    for number, cells in table.rows:

        def get(k: str, cells: list = cells) -> object:
            return cells[header[k]] if k in header and header[k] < len(cells) else ""

        if not any(as_text(c) for c in cells):
            continue
        measure = measures.get(as_text(get("measure")))
        if measure is None:
            issues.append(
                ImportIssue(
                    table.sheet, number, header["measure"], f"未知措施“{as_text(get('measure'))}”"
                )
            )
            continue
        unit = as_text(get("unit")) or None
        try:
            on = convert(get("on"), date_field, lookup)
            if unit is not None:
                unit = lookup.unit(unit)
                if unit not in {u.id for u in loaded.owner_units(measure)}:
                    raise CellError(f"“{as_text(get('unit'))}”不是措施“{measure.title}”的责任单位")
        except CellError as exc:
            unit_error = "unit" in header and ("责任单位" in str(exc) or "组织" in str(exc))
            col = header["unit"] if unit_error else header["on"]
            issues.append(ImportIssue(table.sheet, number, col, str(exc)))
            continue
        evidence = [
            e
            for e in as_text(get("evidence")).replace("，", "、").replace(",", "、").split("、")
            if e
        ]
        rows.append((measure.id, unit, on, evidence))
    if issues:
        raise ImportRejected(path, issues, len(issues))
    result = ImportResult(form="措施进展", file=path.name, sheet=table.sheet, rows=len(rows))
    for measure_id, unit, on, evidence in rows:
        result.updated += mark_done(
            engine=engine,
            loaded=loaded,
            measure=measure_id,
            unit=unit,
            on=on,
            evidence=evidence,
            actor=actor,
        )
    return result
