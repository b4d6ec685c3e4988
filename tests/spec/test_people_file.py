"""People from people.xlsx: read row by row into small records, the repeating strings shared."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from campaignflow.spec import SpecError, load
from campaignflow.spec.people import PersonRecord

VALID_MINIMAL = Path(__file__).parent / "valid_minimal.yaml"
HEADER = ["编号", "姓名", "所在组织", "身份", "是否干部", "职务", "出生年份"]


def _campaign(folder: Path, rows: list[list], *, column: int = 1) -> Path:
    """The minimal campaign with `people: {file: people.xlsx}`; the sheet's table starts at
    `column` (1 = A) and its first row is the header."""
    text = VALID_MINIMAL.read_text(encoding="utf-8")
    head, rest = text.split("phases:\n", 1)
    (folder / "campaign.yaml").write_text(
        f"{head}people: {{file: people.xlsx}}\nphases:\n{rest}", encoding="utf-8"
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "人员"
    for r, row in enumerate([HEADER, *rows], start=1):
        for c, value in enumerate(row, start=column):
            sheet.cell(r, c, value)
    book.save(folder / "people.xlsx")
    return folder / "campaign.yaml"


ROWS = [
    ["p1", "张三", "b1", "党员", "是", "支部书记", 1975],
    ["p2", "李四", "b1", "党员", "否", None, None],
    ["p3", "王五", "office", "预备党员"],  # a short row: the cells after it are empty
]


@pytest.mark.parametrize("column", [1, 3])
def test_people_are_records_with_the_sheets_values(tmp_path, column):
    loaded = load(_campaign(tmp_path, ROWS, column=column))
    assert loaded.people == [
        PersonRecord("p1", "张三", "b1", "党员", True, "支部书记", 1975),
        PersonRecord("p2", "李四", "b1", "党员", False, None, None),
        PersonRecord("p3", "王五", "office", "预备党员", False, None, None),
    ]
    first, second = loaded.people[:2]
    assert first.unit is second.unit and first.role is second.role  # one string, shared


def test_a_bad_row_is_reported_at_its_cell_wherever_the_table_starts(tmp_path):
    rows = [ROWS[0], ["p2", "李四", "b1", "党员", "否", None, 1800]]
    with pytest.raises(SpecError) as caught:
        load(_campaign(tmp_path, rows, column=2))
    cells = [issue.cell for issue in caught.value.issues]
    assert cells == ["人员!H3"]  # 出生年份 is the 7th column from B


def test_inline_people_are_records_too(tmp_path):
    text = VALID_MINIMAL.read_text(encoding="utf-8")
    head, rest = text.split("phases:\n", 1)
    people = "people:\n  - {id: p1, name: 张三, unit: b1, cadre: true}\n"
    (tmp_path / "campaign.yaml").write_text(f"{head}{people}phases:\n{rest}", encoding="utf-8")
    loaded = load(tmp_path / "campaign.yaml")
    assert loaded.people == [PersonRecord("p1", "张三", "b1", "党员", True, None, None)]
