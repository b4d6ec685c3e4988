"""Import templates (generate, read back, fill, import) and the 整改台账 export."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from collect_support import row_counts, submissions
from openpyxl import load_workbook

from campaignflow.collect import import_file
from campaignflow.collect.template import LISTS_SHEET, text_width, write_template
from campaignflow.errors import NotSynced
from campaignflow.ledger.sheet import COLUMNS, write_ledger
from campaignflow.spec import effective_fields


def list_values(workbook, formula: str) -> list[str]:
    """The values a list validation offers: `=name` -> defined name -> range on the list sheet."""
    assert formula.startswith("="), formula
    name = formula[1:]
    assert not name.startswith('"'), "inline lists are capped at 255 characters by Excel"
    ((sheet, ref),) = list(workbook.defined_names[name].destinations)
    assert sheet == LISTS_SHEET
    return [c.value for (c,) in workbook[sheet][ref.replace("$", "")]]


def validations(ws) -> dict[str, object]:
    """Column letter -> its data validation (each covers one column from row 3 down)."""
    found = {}
    for dv in ws.data_validations.dataValidation:
        (ref,) = str(dv.sqref).split()
        start, end = ref.split(":")
        assert start[1:] == "3" and end[1:] == "1048576", ref
        found[start[0]] = dv
    return found


def test_template_has_labels_hints_dropdowns_formats_and_frozen_header(bapo) -> None:
    path = bapo.tmp / "模板.xlsx"
    result = write_template(loaded=bapo.loaded, path=path)
    assert result.sheets == {
        "studies": "专题学习",
        "seminars": "集中研讨",
        "problems": "问题清单",
        "fixes": "整改清单",
        "blueprints": "目标蓝图和工作清单",
    }
    wb = load_workbook(path, rich_text=False)
    assert wb.sheetnames == [*result.sheets.values(), LISTS_SHEET]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    assert wb.active.title == "专题学习"

    ws = wb["问题清单"]
    fields = effective_fields(bapo.loaded.spec.forms["problems"])
    header = [c.value for c in ws[1]]
    assert header == [("*" if f.required else "") + (f.label or k) for k, f in fields.items()]
    assert header[:3] == ["*问题编号", "责任部门", "*问题来源"]
    hints = [c.value for c in ws[2]]
    assert all(h.startswith("（") and h.endswith("）") for h in hints)
    assert hints[0] == "（必填｜文字）"
    assert hints[5] == "（选填｜日期，如 2023-03-15）"
    assert ws.freeze_panes == "A3"

    dv = validations(ws)
    assert set(dv) == {"B", "C", "D", "F", "G"}  # unit, 3 choices, and the date column
    assert list_values(wb, dv["B"].formula1) == [u.name for u in bapo.loaded.units]
    assert list_values(wb, dv["C"].formula1) == ["自己找", "领导点", "互相提"]
    assert list_values(wb, dv["D"].formula1) == ["不想担当", "不善担当", "不敢担当"]
    assert dv["C"].errorStyle == "stop" and dv["B"].errorStyle == "warning"
    assert dv["F"].type == "date"
    assert ws.column_dimensions["F"].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions["A"].number_format == "@"  # codes stay text (001)
    for col, label in zip("ABCDEFG", header, strict=True):
        assert ws.column_dimensions[col].width >= text_width(label)
    assert ws.column_dimensions["E"].width == 8 + 4  # 问题表现: CJK characters count 2


def test_a_filled_template_imports(bapo) -> None:
    path = bapo.tmp / "模板.xlsx"
    write_template(loaded=bapo.loaded, path=path, form_ids=["problems", "fixes", "seminars"])
    wb = load_workbook(path)
    problems = wb["问题清单"]
    problems.append(
        ["T-01", "办公室", "自己找", "不想担当", "标准不高", dt.date(2023, 4, 19), None]
    )
    problems.append(["T-02", "财政审计科", "领导点", "不敢担当", "不敢碰硬", None, "党支部"])
    fixes = wb["整改清单"]
    header = [c.value.lstrip("*") for c in fixes[1]]
    row = dict.fromkeys(header)
    row.update(
        {"措施编号": "Z-01", "问题编号": "T-01", "整改措施": "建立制度", "状态": "整改中"},
    )
    row["整改时限"] = dt.date(2023, 6, 30)
    fixes.append([row[h] for h in header])
    wb.save(path)
    before = row_counts(bapo.engine)

    results = [
        import_file(engine=bapo.engine, loaded=bapo.loaded, form_id=form, path=path)
        for form in ("problems", "fixes", "seminars")
    ]

    assert [(r.sheet, r.rows, r.inserted) for r in results] == [
        ("问题清单", 2, 2),
        ("整改清单", 1, 1),
        ("集中研讨", 0, 0),  # only the header and the hint row: nothing to import
    ]
    assert submissions(bapo.engine, "problems")["T-01"]["found_on"] == "2023-04-19"
    assert submissions(bapo.engine, "fixes")["Z-01"]["due"] == "2023-06-30"
    after = row_counts(bapo.engine)
    assert after["submission"] - before["submission"] == 3


def test_person_dropdowns_offer_names_and_import(party) -> None:
    path = party.tmp / "模板.xlsx"
    write_template(loaded=party.loaded, path=path, form_ids=["recruitment"])
    wb = load_workbook(path)
    ws = wb["党员发展"]
    dv = validations(ws)
    names = list_values(wb, dv["A"].formula1)
    assert names[:2] == [p.name for p in party.loaded.people[:2]]
    assert len(names) == len(party.loaded.people)
    ws.append([names[0], "预备党员转正", dt.date(2023, 5, 26), None])
    wb.save(path)
    result = import_file(engine=party.engine, loaded=party.loaded, form_id="recruitment", path=path)
    assert result.inserted == 1


def test_long_choice_lists_are_on_the_hidden_sheet(campaign_named) -> None:
    c = campaign_named("tangping-review-2023")
    path = c.tmp / "模板.xlsx"
    write_template(loaded=c.loaded, path=path, form_ids=["findings"])
    wb = load_workbook(path)
    choices = c.loaded.spec.forms["findings"].fields["manifestation"].choices
    offered = [
        list_values(wb, dv.formula1)
        for dv in wb["认定结果"].data_validations.dataValidation
        if dv.type == "list"
    ]
    assert choices in offered


# ---------------------------------------------------------------- 整改台账


def test_ledger_has_one_row_per_measure_in_the_usual_columns(bapo) -> None:
    for form in ("problems", "fixes"):
        import_file(
            engine=bapo.engine, loaded=bapo.loaded, form_id=form, path=bapo.data / f"{form}.csv"
        )
    path = bapo.tmp / "台账.xlsx"
    result = write_ledger(engine=bapo.engine, loaded=bapo.loaded, path=path)

    with (bapo.data / "problems.csv").open(encoding="utf-8") as f:
        problems = list(csv.DictReader(f))
    with (bapo.data / "fixes.csv").open(encoding="utf-8") as f:
        fixes = list(csv.DictReader(f))
    per_problem = {
        p["问题编号"]: sum(x["问题编号"] == p["问题编号"] for x in fixes) for p in problems
    }
    assert (result.problems, result.measures) == (len(problems), len(fixes))

    ws = load_workbook(path)["问题清单整改台账"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    assert len(rows) - 1 == sum(max(n, 1) for n in per_problem.values())
    first = dict(zip(COLUMNS, rows[1], strict=True))
    fix1 = fixes[0]
    assert first["序号"] == 1 and first["问题编号"] == "BP-01" and first["措施编号"] == "ZG-01"
    assert first["问题来源"] == problems[0]["问题来源"]
    assert first["问题表现"] == problems[0]["问题表现"]
    assert first["整改措施"] == fix1["整改措施"]
    assert first["整改时限"] == dt.datetime.fromisoformat(fix1["整改时限"])
    assert first["责任部门/责任人"] == f"{fix1['责任部门']}/{fix1['责任人']}"
    assert first["状态"] == fix1["状态"]
    # a problem's cells are repeated on each of its measures' rows
    second = dict(zip(COLUMNS, rows[2], strict=True))
    assert (second["序号"], second["问题表现"]) == (1, first["问题表现"])
    assert ws.freeze_panes == "A2"
    assert ws["E2"].number_format == "yyyy-mm-dd"


def test_ledger_before_any_import_has_only_the_header(bapo) -> None:
    path = bapo.tmp / "台账.xlsx"
    result = write_ledger(engine=bapo.engine, loaded=bapo.loaded, path=path)
    assert (result.problems, result.measures) == (0, 0)
    rows = list(load_workbook(path)["问题清单整改台账"].iter_rows(values_only=True))
    assert rows == [COLUMNS]


def test_ledger_of_an_unsynced_campaign_is_refused(bapo, tmp_path) -> None:
    from campaignflow.db import open_database

    engine = open_database(f"sqlite:///{tmp_path}/empty.db")
    with pytest.raises(NotSynced, match="尚未写入数据库"):
        write_ledger(engine=engine, loaded=bapo.loaded, path=tmp_path / "台账.xlsx")
    engine.dispose()
