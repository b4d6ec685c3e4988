"""The inbox folder: new files imported and moved; bad ones rejected with their errors beside."""

from __future__ import annotations

import shutil

from collect_support import PROBLEM_HEADER, csv_rows, problem, row_counts, write_xlsx
from openpyxl import load_workbook

from campaignflow.collect.inbox import collect_inbox, inbox_folder


def drop(c, *names: str):
    """Copy shipped data files into the campaign's inbox; returns the inbox."""
    folder = inbox_folder(c.tmp, c.loaded)
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(c.data / name, folder / name)
    return folder


def test_files_are_imported_and_moved_to_processed(bapo) -> None:
    folder = drop(bapo, "fixes.csv", "seminars.csv", "problems.csv")

    report = collect_inbox(engine=bapo.engine, loaded=bapo.loaded, home=bapo.tmp)

    # problems before the fixes that refer to them, whatever the names' order
    assert [(f.file, f.form, f.status) for f in report.files] == [
        ("problems.csv", "problems", "已导入"),
        ("seminars.csv", "seminars", "已导入"),
        ("fixes.csv", "fixes", "已导入"),
    ]
    assert [f.inserted for f in report.files] == [
        len(csv_rows(bapo.data / f"{name}.csv")) for name in ("problems", "seminars", "fixes")
    ]
    assert not report.rejected
    assert sorted(p.name for p in (folder / "processed").iterdir()) == [
        "fixes.csv",
        "problems.csv",
        "seminars.csv",
    ]
    assert not [p for p in folder.iterdir() if p.is_file()]


def test_a_bad_file_is_rejected_with_its_errors_and_rejects_workbook(bapo) -> None:
    folder = inbox_folder(bapo.tmp, bapo.loaded)
    folder.mkdir(parents=True)
    rows = [PROBLEM_HEADER, problem(1), problem(2, 问题来源="乱填"), problem(3, 问题表现="")]
    write_xlsx(folder / "问题清单.xlsx", {"问题清单": rows})
    before = row_counts(bapo.engine)

    report = collect_inbox(engine=bapo.engine, loaded=bapo.loaded, home=bapo.tmp)

    (item,) = report.files
    assert (item.form, item.status) == ("problems", "已拒收")
    assert item.message == "问题清单.xlsx：2 处错误，未导入任何数据"
    rejected = folder / "rejected"
    assert sorted(p.name for p in rejected.iterdir()) == [
        "问题清单.rejects.xlsx",
        "问题清单.xlsx",
        "问题清单.xlsx.errors.txt",
    ]
    errors = (rejected / "问题清单.xlsx.errors.txt").read_text(encoding="utf-8")
    assert "问题清单!C3: 应为以下之一：自己找、领导点、互相提；而不是“乱填”" in errors
    assert "问题清单!E4: 必填项为空" in errors
    ws = load_workbook(rejected / "问题清单.rejects.xlsx")["问题清单"]
    assert (
        ws["C2"].comment.text.startswith("应为以下之一") and ws["E3"].comment.text == "必填项为空"
    )
    assert row_counts(bapo.engine) == before
    assert not [p for p in folder.iterdir() if p.is_file()]


def test_a_file_put_back_imports_nothing_twice(bapo) -> None:
    folder = drop(bapo, "problems.csv")
    collect_inbox(engine=bapo.engine, loaded=bapo.loaded, home=bapo.tmp)
    counts = row_counts(bapo.engine)
    shutil.copyfile(bapo.data / "problems.csv", folder / "problems.csv")

    report = collect_inbox(engine=bapo.engine, loaded=bapo.loaded, home=bapo.tmp)

    (item,) = report.files
    n = len(csv_rows(bapo.data / "problems.csv"))
    assert (item.status, item.inserted, item.updated, item.unchanged) == ("已导入", 0, 0, n)
    assert row_counts(bapo.engine) == counts
    assert len(list((folder / "processed").iterdir())) == 2  # the second copy kept, renamed


def test_unmatched_and_unreadable_files_are_rejected(bapo) -> None:
    folder = inbox_folder(bapo.tmp, bapo.loaded)
    folder.mkdir(parents=True)
    (folder / "随便什么.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "问题清单.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    (folder / "~$问题清单.xlsx").write_bytes(b"lock file of an open workbook")

    report = collect_inbox(engine=bapo.engine, loaded=bapo.loaded, home=bapo.tmp)

    by_file = {f.file: f for f in report.files}
    assert set(by_file) == {"随便什么.csv", "问题清单.xlsx"}
    assert by_file["随便什么.csv"].message.startswith("无法判断属于哪张表单")
    assert by_file["问题清单.xlsx"].message.startswith("问题清单.xlsx 实际是旧版 .xls 文件")
    assert (folder / "rejected" / "问题清单.xlsx.errors.txt").is_file()
    assert (folder / "~$问题清单.xlsx").is_file()  # Excel's lock file is left alone


def test_a_filled_template_imports_every_sheet_problems_first(bapo) -> None:
    from campaignflow.collect.template import write_template

    folder = inbox_folder(bapo.tmp, bapo.loaded)
    folder.mkdir(parents=True)
    path = folder / "八破八立填报.xlsx"
    write_template(loaded=bapo.loaded, path=path, form_ids=["fixes", "problems", "seminars"])
    wb = load_workbook(path)
    fixes = wb["整改清单"]
    header = [c.value.lstrip("*") for c in fixes[1]]
    row = dict.fromkeys(header) | {
        "措施编号": "Z-01",
        "问题编号": "T-01",
        "整改措施": "建立制度",
        "状态": "整改中",
    }
    fixes.append([row[h] for h in header])
    wb["问题清单"].append(problem(1))
    wb.save(path)

    report = collect_inbox(engine=bapo.engine, loaded=bapo.loaded, home=bapo.tmp)

    assert [(f.form, f.status, f.inserted) for f in report.files] == [
        ("problems", "已导入", 1),
        ("seminars", "已导入", 0),
        ("fixes", "已导入", 1),
    ]
    assert (folder / "processed" / "八破八立填报.xlsx").is_file()
