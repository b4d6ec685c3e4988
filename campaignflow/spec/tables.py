"""Units and people from a spreadsheet beside the campaign file (`units: {file: units.xlsx}`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import SpecIssue
from .models import Person, Unit
from .people import Interner, PersonRecord, record
from .translate import message

UNIT_COLUMNS = {"编号": "id", "名称": "name", "类型": "kind", "上级": "parent", "联系人": "contact"}
PERSON_COLUMNS = {
    "编号": "id",
    "姓名": "name",
    "所在组织": "unit",
    "身份": "role",
    "是否干部": "cadre",
    "职务": "position",
    "出生年份": "birth_year",
}
_YES = {"是": True, "否": False, "": False, "Y": True, "N": False}


def column_letter(index: int) -> str:
    """0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _read_rows(path: Path) -> tuple[str, Iterator[list[Any]]]:
    """The first sheet's name and its rows, one Python list at a time (a province's roster is
    not held twice: calamine's sheet, and every row as Python objects)."""
    if path.suffix.lower() == ".csv":
        import csv

        from ..textfiles import read_text

        text = read_text(path)
        return path.stem, iter(csv.reader(text.splitlines()))
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    name = workbook.sheet_names[0]
    return name, sheet_rows(workbook.get_sheet_by_name(name))


def sheet_rows(sheet: Any) -> Iterator[list[Any]]:
    """A calamine sheet's rows, `cells[i]` in column i: calamine keeps the empty rows above the
    data but drops the empty columns on its left, which are put back. Each row is a fresh list
    of the sheet's width."""
    rows: Iterator[list[Any]] = sheet.iter_rows()
    offset = sheet.start[1] if sheet.start else 0
    if not offset:
        return rows
    pad = [""] * offset
    return (pad + row for row in rows)


def _clean(value: Any) -> Any:
    if value.__class__ is str:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    return str(value).strip()


def read_table(
    path: Path,
    columns: dict[str, str],
    model: type[BaseModel],
    display: str,
    keep: Callable[[Any], Any] = lambda row: row,
) -> tuple[list[Any], list[SpecIssue]]:
    """Rows of a units/people sheet, each validated as `model` and kept as `keep(model)`, and
    every problem found (as `file!B3` issues)."""
    try:
        sheet, rows = _read_rows(path)
        first = next(rows, None)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input problem
        return [], [SpecIssue(display, 1, 1, f"无法读取表格：{exc}", cell="A1")]
    cell = lambda r, c: f"{sheet}!{column_letter(c)}{r + 1}"  # noqa: E731
    if first is None:
        return [], [SpecIssue(display, 1, 1, "表格为空，第一行应为表头", cell=f"{sheet}!A1")]
    header = [_clean(h) for h in first]
    issues: list[SpecIssue] = []
    index = {columns[h]: i for i, h in enumerate(header) if h in columns}
    required = [h for h, f in columns.items() if f in ("id", "name") or (f in ("kind", "unit"))]
    for title in required:
        if columns[title] not in index:
            issues.append(
                SpecIssue(
                    display,
                    1,
                    1,
                    f"缺少表头列“{title}”（应有：{'、'.join(columns)}）",
                    cell=cell(0, 0),
                )
            )
    if issues:
        return [], issues
    result = []
    fields, width = list(index.items()), max(index.values()) + 1
    validate = model.model_validate
    for r, row in enumerate(rows, start=1):
        if len(row) < width:
            row = [*row, *[""] * (width - len(row))]
        values = {f: _clean(row[i]) for f, i in fields}
        if not any(values.values()):
            continue
        if "cadre" in values:
            values["cadre"] = _YES.get(values["cadre"], values["cadre"])
        data = {k: v for k, v in values.items() if v != "" or k == "id" or k == "name"}
        try:
            result.append(keep(validate(data)))
        except ValidationError as exc:
            for err in exc.errors():
                field = str(err["loc"][0]) if err["loc"] else "id"
                col = index.get(field, 0)
                issues.append(
                    SpecIssue(display, r + 1, col + 1, message(err, (field,)), cell=cell(r, col))
                )
    return result, issues


def read_units(path: Path, display: str) -> tuple[list[Unit], list[SpecIssue]]:
    return read_table(path, UNIT_COLUMNS, Unit, display)


def read_people(path: Path, display: str) -> tuple[list[PersonRecord], list[SpecIssue]]:
    shared = Interner()
    return read_table(path, PERSON_COLUMNS, Person, display, lambda p: record(p, shared))
