"""Importing spreadsheets: shipped data, idempotence, audit, all-or-nothing, --partial, batches."""

from __future__ import annotations

import shutil

import pytest
from collect_support import (
    FIX_HEADER,
    PROBLEM_HEADER,
    csv_rows,
    fix,
    problem,
    row_counts,
    submissions,
    write_csv,
    write_xlsx,
)
from openpyxl import load_workbook
from sqlalchemy import select

from campaignflow import db
from campaignflow.collect import ImportRejected, import_file, importer
from campaignflow.collect.inbox import _order, match_forms
from campaignflow.collect.progress_sheet import import_progress, is_progress_file
from campaignflow.collect.rejects import HIGHLIGHT
from campaignflow.collect.signoff_sheet import import_signoffs, is_signoff_file
from campaignflow.collect.store import SubmissionWriter

SHIPPED = ["bapo-bali-2023", "party-building-2023", "tangping-review-2023", "theme-education-2023"]


def import_all(c) -> dict[str, importer.ImportResult]:
    """Every data file of a shipped campaign, in inbox order (problems before their fixes);
    措施进展 and 阶段签批 sheets go to their own importers."""
    results = {}
    for path in sorted(c.data.glob("*.csv"), key=lambda p: _order(p, c.loaded)):
        if is_progress_file(path):
            results[path.name] = import_progress(engine=c.engine, loaded=c.loaded, path=path)
        elif is_signoff_file(path):
            results[path.name] = import_signoffs(engine=c.engine, loaded=c.loaded, path=path)
        else:
            (form_id,) = match_forms(path, c.loaded)
            results[path.name] = import_file(
                engine=c.engine, loaded=c.loaded, form_id=form_id, path=path
            )
    return results


def form_results(c, results: dict[str, importer.ImportResult]) -> dict[str, importer.ImportResult]:
    return {f: r for f, r in results.items() if r.form in c.loaded.spec.forms}


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_data_file_imports(campaign_named, name: str) -> None:
    c = campaign_named(name)
    results = form_results(c, import_all(c))
    assert results, "no data files"
    for file, result in results.items():
        assert result.rows > 0, file
        assert result.inserted == result.rows, (file, result.summary())
        assert not result.issues and result.rejected == 0
    counts = row_counts(c.engine)
    assert counts["submission"] == sum(r.rows for r in results.values())
    kinds = {fid: f.kind for fid, f in c.loaded.spec.forms.items()}
    by_kind: dict[str, int] = {}
    for result in results.values():
        by_kind[kinds[result.form]] = by_kind.get(kinds[result.form], 0) + result.rows
    assert counts["problem"] == by_kind.get("problem", 0)
    assert counts["rectification"] == by_kind.get("rectification", 0)
    assert counts["activity"] == by_kind.get("activity", 0)
    assert counts["feedback_item"] == by_kind.get("feedback", 0)
    assert counts["ballot"] == by_kind.get("ballot", 0)


@pytest.mark.parametrize("name", ["bapo-bali-2023", "tangping-review-2023"])
def test_reimport_adds_nothing(campaign_named, name: str) -> None:
    c = campaign_named(name)
    import_all(c)
    before = row_counts(c.engine)
    again = form_results(c, import_all(c))
    for file, result in again.items():
        assert (result.inserted, result.updated) == (0, 0), file
        assert result.unchanged == result.rows, file
    assert row_counts(c.engine) == before


def test_editing_one_cell_updates_one_row_with_an_audit_entry(bapo) -> None:
    source = bapo.data / "problems.csv"
    import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=source)
    edited = bapo.tmp / "problems.csv"
    text = source.read_text(encoding="utf-8")
    old = "文稿工作标准不高，满足于“过得去”，精益求精意识不强"
    assert old in text
    edited.write_text(text.replace(old, "文稿工作标准不高"), encoding="utf-8")
    before = row_counts(bapo.engine)

    result = import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=edited)

    n = len(csv_rows(source))
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, n - 1)
    after = row_counts(bapo.engine)
    assert after["audit_log"] == before["audit_log"] + 1
    assert after["filing"] == before["filing"] + 1  # the correction is one filing in the history
    assert {k: v for k, v in after.items() if k not in ("audit_log", "filing")} == {
        k: v for k, v in before.items() if k not in ("audit_log", "filing")
    }
    with db.read_session(bapo.engine) as session:
        entry = session.scalars(
            select(db.AuditEntry).where(db.AuditEntry.entity == "submission")
        ).one()
        problem_row = session.scalars(select(db.Problem).where(db.Problem.code == "BP-02")).one()
    assert entry.entity_key == "problems:BP-02"
    assert entry.action == "update"
    assert entry.before == {"description": old}
    assert entry.after == {"description": "文稿工作标准不高"}
    assert problem_row.description == "文稿工作标准不高"


def test_a_bad_file_writes_nothing_and_lists_every_error(bapo, monkeypatch) -> None:
    monkeypatch.setattr(importer, "BATCH", 2)  # earlier batches are written before the errors
    rows = [problem(i) for i in range(1, 8)]
    rows[1] = problem(2, 问题来源="路上捡的")  # row 3, column C
    rows[5] = problem(6, 发现日期="3月15日")  # row 7, column F
    path = write_xlsx(bapo.tmp / "问题清单.xlsx", {"问题清单": [PROBLEM_HEADER, *rows]})
    before = row_counts(bapo.engine)

    with pytest.raises(ImportRejected) as caught:
        import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=path)

    assert [i.render() for i in caught.value.issues] == [
        "问题清单!C3: 应为以下之一：自己找、领导点、互相提；而不是“路上捡的”",
        "问题清单!F7: 日期缺少年份：应写成 2023-03-15 或 2023年3月15日，而不是“3月15日”",
    ]
    assert "2 处错误，未导入任何数据" in str(caught.value)
    assert row_counts(bapo.engine) == before


def test_partial_stores_the_good_rows_and_writes_a_rejects_workbook(bapo) -> None:
    rows = [problem(i) for i in range(1, 6)]
    rows[1] = problem(2, 问题来源="路上捡的")
    rows[3] = problem(4, 问题类别="", 责任部门="不存在的科")
    path = write_xlsx(bapo.tmp / "问题清单.xlsx", {"问题清单": [PROBLEM_HEADER, *rows]})

    result = import_file(
        engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=path, partial=True
    )

    assert (result.rows, result.inserted, result.rejected) == (5, 3, 2)
    assert sorted(submissions(bapo.engine, "problems")) == ["T-01", "T-03", "T-05"]
    assert result.rejects_file == bapo.tmp / "问题清单.rejects.xlsx"
    ws = load_workbook(result.rejects_file)["问题清单"]
    header = [c.value for c in ws[1]]
    assert header == [*PROBLEM_HEADER, "原行号", "错误"]
    assert [ws.cell(row=r, column=8).value for r in (2, 3)] == [3, 5]
    bad = {(2, "C"), (3, "B"), (3, "D")}
    for row in (2, 3):
        for col in "ABCDEFG":
            cell = ws[f"{col}{row}"]
            if (row, col) in bad:
                assert cell.comment is not None and cell.comment.text
                assert cell.fill.fgColor.rgb == HIGHLIGHT
            else:
                assert cell.comment is None
    assert ws["B3"].comment.text == "未知组织“不存在的科”：应为组织名称或编号"
    assert ws["D3"].comment.text == "必填项为空"

    # fixed in place, the rejects workbook imports into the same form
    wb = load_workbook(result.rejects_file)
    ws = wb["问题清单"]
    ws["C2"], ws["B3"], ws["D3"] = "领导点", "办公室", "不善担当"
    wb.save(result.rejects_file)
    again = import_file(
        engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=result.rejects_file
    )
    assert (again.inserted, again.rejected) == (2, 0)
    assert again.warnings == ["未识别的列已忽略：原行号、错误"]


def test_unknown_problem_codes_are_located_errors(bapo, monkeypatch) -> None:
    monkeypatch.setattr(importer, "BATCH", 2)  # the unknown code is checked in a later batch
    import_file(
        engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=bapo.data / "problems.csv"
    )
    rows = [fix(1, "BP-01"), fix(2, "BP-02"), fix(3, "BP-03"), fix(4, "P-99"), fix(5, "BP-04")]
    path = write_xlsx(bapo.tmp / "整改清单.xlsx", {"整改清单": [FIX_HEADER, *rows]})
    before = row_counts(bapo.engine)

    with pytest.raises(ImportRejected) as caught:
        import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="fixes", path=path)

    assert [i.render() for i in caught.value.issues] == [
        "整改清单!B5: 问题编号 P-99 在问题清单中不存在：请先导入问题清单，或检查编号"
    ]
    assert row_counts(bapo.engine) == before

    result = import_file(
        engine=bapo.engine, loaded=bapo.loaded, form_id="fixes", path=path, partial=True
    )
    assert (result.inserted, result.rejected) == (4, 1)
    assert load_workbook(result.rejects_file)["整改清单"]["B2"].comment.text.startswith(
        "问题编号 P-99"
    )


def test_rows_are_converted_and_written_in_batches(bapo, monkeypatch) -> None:
    monkeypatch.setattr(importer, "BATCH", 7)
    sizes: list[int] = []
    write = SubmissionWriter.write

    def spy(self, batch):
        sizes.append(len(batch))
        return write(self, batch)

    monkeypatch.setattr(SubmissionWriter, "write", spy)
    path = write_csv(bapo.tmp / "problems.csv", [PROBLEM_HEADER, *(problem(i) for i in range(30))])
    result = import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=path)
    assert result.inserted == 30
    assert max(sizes) == 7 and sum(sizes) == 30


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_progress_is_reported_with_the_total(bapo, monkeypatch, suffix: str) -> None:
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 10)
    rows = [PROBLEM_HEADER, *(problem(i) for i in range(25))]
    path = bapo.tmp / f"problems{suffix}"
    if suffix == ".csv":
        write_csv(path, rows)
    else:
        write_xlsx(path, {"问题清单": rows})
    calls: list[tuple[int, int | None]] = []
    import_file(
        engine=bapo.engine,
        loaded=bapo.loaded,
        form_id="problems",
        path=path,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(10, 25), (20, 25), (25, 25)]


def test_a_title_row_above_the_header_and_data_not_in_column_a(bapo) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    ws["B1"] = "××州审计局“八破八立”问题清单"
    ws.merge_cells("B1:H1")
    for r, row in enumerate([PROBLEM_HEADER, problem(1), problem(2, 问题来源="乱填")], start=2):
        for c, value in enumerate(row, start=2):
            ws.cell(row=r, column=c, value=value)
    path = bapo.tmp / "问题清单.xlsx"
    wb.save(path)
    with pytest.raises(ImportRejected) as caught:
        import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=path)
    assert [i.cell for i in caught.value.issues] == ["问题清单!D4"]


def test_ballots_are_projected_in_batches(campaign_named, monkeypatch) -> None:
    c = campaign_named("tangping-review-2023")
    monkeypatch.setattr(importer, "BATCH", 10)
    path = c.data / "ballots.csv"
    result = import_file(engine=c.engine, loaded=c.loaded, form_id="ballots", path=path)
    counts = row_counts(c.engine)
    assert counts["ballot"] == result.inserted == 64
    assert counts["evaluation_round"] == 1
    copy = c.tmp / "ballots.csv"
    shutil.copyfile(path, copy)
    again = import_file(engine=c.engine, loaded=c.loaded, form_id="ballots", path=copy)
    assert again.unchanged == 64 and row_counts(c.engine) == counts
