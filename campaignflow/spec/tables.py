"""Units and people from a spreadsheet beside the campaign file (`units: {file: units.xlsx}`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import SpecIssue
from .models import Person, Unit
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


def _read_rows(path: Path) -> tuple[str, list[list[Any]]]:
    if path.suffix.lower() == ".csv":
        import csv

        from ..textfiles import read_text

        text = read_text(path)
        return path.stem, list(csv.reader(text.splitlines()))
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    name = workbook.sheet_names[0]
    return name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    return str(value).strip()


def read_table(
    path: Path, columns: dict[str, str], model: type[BaseModel], display: str
) -> tuple[list[Any], list[SpecIssue]]:
    """Rows of a units/people sheet as models, and every problem found (as `file!B3` issues)."""
    try:
        sheet, rows = _read_rows(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input problem
        return [], [SpecIssue(display, 1, 1, f"无法读取表格：{exc}", cell="A1")]
    cell = lambda r, c: f"{sheet}!{column_letter(c)}{r + 1}"  # noqa: E731
    if not rows:
        return [], [SpecIssue(display, 1, 1, "表格为空，第一行应为表头", cell=f"{sheet}!A1")]
    header = [_clean(h) for h in rows[0]]
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
    for r, row in enumerate(rows[1:], start=1):
        values = {f: _clean(row[i]) if i < len(row) else "" for f, i in index.items()}
        if not any(values.values()):
            continue
        if "cadre" in values:
            values["cadre"] = _YES.get(values["cadre"], values["cadre"])
        data = {k: v for k, v in values.items() if v != "" or k in ("id", "name")}
        try:
            result.append(model.model_validate(data))
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


def read_people(path: Path, display: str) -> tuple[list[Person], list[SpecIssue]]:
    return read_table(path, PERSON_COLUMNS, Person, display)
