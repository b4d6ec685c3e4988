"""Each field type's fast converter gives what `convert` gives — the same value, or the same
message — for every kind of cell a sheet can hold."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from campaignflow.collect.cells import CellError, Lookup, convert
from campaignflow.collect.rows import cell_converter
from campaignflow.spec.models import FormField, Person, Unit

LOOKUP = Lookup(
    [Unit(id="u1", name="机关党支部", kind="党支部")],
    [
        Person(id="P001", name="张三", unit="u1"),
        Person(id="P002", name="李四", unit="u1"),
        Person(id="P003", name="李四", unit="u1"),
    ],
)
CELLS = [
    None, "", "  ", " 是 ", "否", "√", "×", "有", "无", "maybe", True, False,
    0, 1, 2, 7, -3, 0.0, 1.0, 2.5, 12.0, 100, 1e12, math.nan, math.inf, -math.inf,
    "12", " 12人 ", "3,000", "1.5", "abc", "2023-03-15", " 2023-03-15 ", "2023年3月15日",
    "2023-02-30", 20230315, 45000.0, dt.date(2023, 3, 15), dt.datetime(2023, 3, 15, 9, 30),
    "u1", "机关党支部", " 机关党支部 ", "党委", "P001", "张三", " 张三 ", "李四", "张三（P001）",
    "王五", "会议", "谈话", " 会议 ",
]  # fmt: skip
FIELDS = [
    FormField(type="text"), FormField(type="text", required=True), FormField(type="file"),
    FormField(type="bool"), FormField(type="bool", required=True),
    FormField(type="int"), FormField(type="int", min=1, max=12), FormField(type="int", required=True),
    FormField(type="number"), FormField(type="number", min=0, max=100),
    FormField(type="date"), FormField(type="date", required=True),
    FormField(type="choice", choices=["会议", "谈话"]), FormField(type="unit"),
    FormField(type="person"), FormField(type="person", required=True),
]  # fmt: skip


def _outcome(fn, raw):
    try:
        value = fn(raw)
    except CellError as exc:
        return ("error", str(exc))
    if isinstance(value, float) and math.isnan(value):
        return ("nan", type(value))
    return (value, type(value))


@pytest.mark.parametrize("spec", FIELDS, ids=lambda f: f"{f.type}-{f.required}-{f.min}-{f.max}")
def test_fast_converter_equals_convert(spec):
    fast = cell_converter(spec, LOOKUP)
    for raw in CELLS:
        assert _outcome(fast, raw) == _outcome(lambda r: convert(r, spec, LOOKUP), raw), raw


def test_a_rows_content_key_is_made_of_json_dumps_text() -> None:
    """A row with no declared key is keyed by the digest of its values' JSON text: the fast
    encoder must give json.dumps's text exactly, or re-sent files would make new rows."""
    import json

    from campaignflow.collect.bulk import sorted_json_text

    rows = [{"x": cell} for cell in CELLS]
    rows += [dict(zip(("b", "a", "中", "c"), CELLS[i : i + 4], strict=False)) for i in range(60)]
    rows += [{}, {"nested": {"z": [1, "二", None], "a": {"b": dt.date(2024, 2, 29)}}}]
    for values in rows:
        expected = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
        assert sorted_json_text(values) == expected, values
