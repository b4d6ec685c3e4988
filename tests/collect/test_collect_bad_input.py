"""The bad-input corpus: malformed workbooks and CSVs, generated here, each refused with a located
Chinese message (or accepted, where the user's intent is clear) and the database untouched."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from collect_support import PROBLEM_HEADER, problem, row_counts, submissions, write_csv, write_xlsx
from openpyxl import Workbook

from campaignflow.collect import FileRefused, ImportRejected, import_file, reader

SEMINAR_HEADER = ["日期", "党组织", "主题", "参加人数", "研讨轮次"]


@dataclass
class Case:
    """A bad file: `build(tmp) -> (form id, path)`; expect `refused` text or located `issues`."""

    build: Callable[[Path], tuple[str, Path]]
    refused: str | None = None
    issues: list[str] | None = None


def problems_xlsx(tmp: Path, rows, sheets: dict | None = None) -> tuple[str, Path]:
    return "problems", write_xlsx(tmp / "问题清单.xlsx", sheets or {"问题清单": rows})


def problems_csv(tmp: Path, rows, encoding: str = "utf-8") -> tuple[str, Path]:
    return "problems", write_csv(tmp / "问题清单.csv", rows, encoding)


def seminars_csv(tmp: Path, *rows) -> tuple[str, Path]:
    header = SEMINAR_HEADER
    good = ["2023-04-12", "局机关党支部", "研讨", "18", "第一轮"]
    return "seminars", write_csv(tmp / "集中研讨.csv", [header, good, *rows])


def merged_cells(tmp: Path) -> tuple[str, Path]:
    form, path = problems_xlsx(tmp, [PROBLEM_HEADER, problem(1), problem(2), problem(3)])
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["问题清单"].merge_cells("C3:C4")  # 问题来源 of rows 3 and 4 merged
    wb.save(path)
    return form, path


def uncached_formula(tmp: Path) -> tuple[str, Path]:
    return problems_xlsx(tmp, [PROBLEM_HEADER, problem(1, 问题表现='=CONCAT("问题",A2)')])


def formula_with_cached_value(tmp: Path) -> tuple[str, Path]:
    """As Excel saves it: the formula and its computed value (openpyxl cannot write one)."""
    form, path = uncached_formula(tmp)
    with zipfile.ZipFile(path) as source:
        members = {i.filename: source.read(i.filename) for i in source.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    sheet = re.sub(
        r'<c r="E2"([^>]*)><f>(.*?)</f><v\s*/>|<c r="E2"([^>]*)><f>(.*?)</f>(<v></v>)?',
        lambda m: f'<c r="E2" t="str"><f>{m.group(2) or m.group(4)}</f><v>问题T-01</v>',
        sheet,
    )
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return form, path


def old_xls_renamed(tmp: Path) -> tuple[str, Path]:
    path = tmp / "问题清单.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 20)
    return "problems", path


def random_bytes(tmp: Path) -> tuple[str, Path]:
    path = tmp / "问题清单.xlsx"
    path.write_bytes(b"this is not a workbook\x00\x01\x02" * 50)
    return "problems", path


def empty(suffix: str) -> Callable[[Path], tuple[str, Path]]:
    def build(tmp: Path) -> tuple[str, Path]:
        path = tmp / f"问题清单{suffix}"
        path.write_bytes(b"")
        return "problems", path

    return build


def latin1_csv(tmp: Path) -> tuple[str, Path]:
    path = tmp / "问题清单.csv"
    path.write_bytes(b"code,description\nT-01,caf\xe9\n")  # Latin-1
    return "problems", path


def utf16_csv(tmp: Path) -> tuple[str, Path]:
    path = tmp / "问题清单.csv"
    path.write_bytes("问题编号\t问题表现\n".encode("utf-16"))
    return "problems", path


def xlsx_named_csv(tmp: Path) -> tuple[str, Path]:
    _, xlsx = problems_xlsx(tmp, [PROBLEM_HEADER, problem(1)])
    path = xlsx.rename(tmp / "问题清单.csv")
    return "problems", path


def blank_rows_only(tmp: Path) -> tuple[str, Path]:
    return problems_csv(tmp, [[""], ["", ""], []])


def person_unknown(tmp: Path) -> tuple[str, Path]:
    rows = [["姓名", "事项", "支部大会日期"], ["查无此人", "预备党员转正", "2023-05-26"]]
    return "recruitment", write_xlsx(tmp / "党员发展.xlsx", {"党员发展": rows})


CASES = {
    "wrong sheet name among several": Case(
        lambda t: problems_xlsx(t, None, {"Sheet1": [PROBLEM_HEADER], "汇总": [["x"]]}),
        refused="问题清单.xlsx 中没有名为“问题清单”或“problems”的工作表（现有：Sheet1、汇总）："
        "请把要导入的工作表改名为“问题清单”",
    ),
    "no header row": Case(
        lambda t: problems_xlsx(t, [problem(1), problem(2)]),
        issues=[
            "问题清单!A1: 找不到表头：第 1 行不是表单“问题清单”的列名。第一行应为表头，列名包括 "
            "问题编号、责任部门、问题来源、问题类别、问题表现、发现日期、问题主体"
        ],
    ),
    "missing required column": Case(
        lambda t: problems_xlsx(t, [PROBLEM_HEADER[:4], problem(1)[:4]]),
        issues=["问题清单!E1: 缺少必填列“问题表现”（表头应为字段名称）"],
    ),
    "misspelt required column": Case(
        lambda t: problems_xlsx(t, [[*PROBLEM_HEADER[:4], "问题表像"], problem(1)[:5]]),
        issues=[
            "问题清单!F1: 缺少必填列“问题表现”（表头应为字段名称；表头中的“问题表像”是否就是它？）"
        ],
    ),
    "duplicate header": Case(
        lambda t: problems_xlsx(t, [[*PROBLEM_HEADER, "问题编号"], problem(1)]),
        issues=["问题清单!H1: 表头“问题编号”重复（A 列已有）"],
    ),
    "merged cells in data rows": Case(
        merged_cells,
        issues=[
            "问题清单!C3: 合并单元格（C3:C4）：请取消合并并在每行填写完整",
            "问题清单!C4: 合并单元格（C3:C4）：请取消合并并在每行填写完整",
        ],
    ),
    "formula without a computed value": Case(
        uncached_formula,
        issues=["问题清单!E2: 公式没有计算结果，请在 Excel 中打开并保存后再导入"],
    ),
    "date without a year": Case(
        lambda t: problems_csv(t, [PROBLEM_HEADER, problem(1, 发现日期="3月15日")]),
        issues=["问题清单!F2: 日期缺少年份：应写成 2023-03-15 或 2023年3月15日，而不是“3月15日”"],
    ),
    "date that does not exist": Case(
        lambda t: problems_csv(t, [PROBLEM_HEADER, problem(1, 发现日期="2023-02-30")]),
        issues=["问题清单!F2: 日期不存在：2023-02-30"],
    ),
    "number written in Chinese": Case(
        lambda t: seminars_csv(t, ["2023-04-13", "局机关党支部", "研讨", "十二", "第一轮"]),
        issues=["集中研讨!D3: 应为整数，而不是“十二”"],
    ),
    "old .xls renamed to .xlsx": Case(
        old_xls_renamed,
        refused="问题清单.xlsx 实际是旧版 .xls 文件（只是扩展名改成了 .xlsx）："
        "请在 Excel/WPS 中打开并“另存为 .xlsx”",
    ),
    "not a zip at all": Case(
        random_bytes,
        refused="问题清单.xlsx 不是有效的 .xlsx 文件（可能是改了扩展名的 .xls 或其他文件，或已损坏）："
        "请在 Excel/WPS 中另存为 .xlsx",
    ),
    "empty csv": Case(empty(".csv"), refused="问题清单.csv 是空文件"),
    "empty xlsx": Case(empty(".xlsx"), refused="问题清单.xlsx 是空文件"),
    "csv of blank lines": Case(
        blank_rows_only, refused="问题清单.csv 没有表头行（文件中只有空行）"
    ),
    "neither UTF-8 nor GBK": Case(
        latin1_csv,
        refused="问题清单.csv 不是 UTF-8 或 GBK 编码的文本（第 26 个字节无法识别）："
        "请用 Excel 另存为“CSV UTF-8（逗号分隔）”",
    ),
    "UTF-16 text": Case(
        utf16_csv,
        refused="问题清单.csv 是 UTF-16（“Unicode 文本”）编码：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”",
    ),
    "workbook named .csv": Case(
        xlsx_named_csv,
        refused="问题清单.csv 不是 CSV 文本，而是 Excel 工作簿：请把扩展名改为 .xlsx（或在 Excel 中另存为 CSV）",
    ),
    "unsupported extension": Case(
        lambda t: ("problems", write_csv(t / "问题清单.txt", [PROBLEM_HEADER])),
        refused="问题清单.txt：只支持 .xlsx 和 .csv 文件",
    ),
    "duplicate natural key": Case(
        lambda t: problems_xlsx(
            t, [PROBLEM_HEADER, problem(1), problem(2), problem(3, 问题编号="T-01")]
        ),
        issues=["问题清单!A4: 与第 2 行重复（问题编号相同）：同一条记录只能填一行"],
    ),
    "unknown unit": Case(
        lambda t: problems_xlsx(t, [PROBLEM_HEADER, problem(1, 责任部门="宣传部")]),
        issues=["问题清单!B2: 未知组织“宣传部”：应为组织名称或编号"],
    ),
    "choice not in choices": Case(
        lambda t: problems_xlsx(t, [PROBLEM_HEADER, problem(1), problem(2, 问题类别="不会担当")]),
        issues=["问题清单!D3: 应为以下之一：不想担当、不善担当、不敢担当；而不是“不会担当”"],
    ),
    "required cell empty": Case(
        lambda t: problems_csv(t, [PROBLEM_HEADER, problem(1, 问题表现="  ")]),
        issues=["问题清单!E2: 必填项为空"],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused_with_a_located_message(bapo, name: str) -> None:
    case = CASES[name]
    form, path = case.build(bapo.tmp)
    before = row_counts(bapo.engine)
    if case.refused is not None:
        with pytest.raises(FileRefused) as refused:
            import_file(engine=bapo.engine, loaded=bapo.loaded, form_id=form, path=path)
        assert str(refused.value) == case.refused
    else:
        with pytest.raises(ImportRejected) as rejected:
            import_file(engine=bapo.engine, loaded=bapo.loaded, form_id=form, path=path)
        assert [i.render() for i in rejected.value.issues] == case.issues
    assert row_counts(bapo.engine) == before


def test_unknown_person(party) -> None:
    form, path = person_unknown(party.tmp)
    before = row_counts(party.engine)
    with pytest.raises(ImportRejected) as rejected:
        import_file(engine=party.engine, loaded=party.loaded, form_id=form, path=path)
    assert [i.render() for i in rejected.value.issues] == [
        "党员发展!A2: 未知人员“查无此人”：应为人员名单中的姓名或编号"
    ]
    assert row_counts(party.engine) == before


def test_zip_bomb_is_refused(bapo, monkeypatch) -> None:
    monkeypatch.setattr(reader, "MAX_UNCOMPRESSED", 1024 * 1024)
    _, path = problems_xlsx(bapo.tmp, [PROBLEM_HEADER, problem(1)])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\x00" * (2 * 1024 * 1024))
    assert path.stat().st_size < 100_000  # small on disk, large inflated
    before = row_counts(bapo.engine)
    with pytest.raises(FileRefused) as refused:
        import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=path)
    assert str(refused.value).startswith("问题清单.xlsx 解压后超过 1 MB，拒绝导入")
    assert row_counts(bapo.engine) == before


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_too_many_rows_is_refused_naming_the_count(bapo, monkeypatch, suffix: str) -> None:
    monkeypatch.setattr(reader, "MAX_ROWS", 10)
    rows = [PROBLEM_HEADER, *(problem(i) for i in range(11))]  # 12 rows
    if suffix == ".xlsx":
        _, path = problems_xlsx(bapo.tmp, rows)
        where = "问题清单.xlsx!问题清单"
    else:
        _, path = problems_csv(bapo.tmp, rows)
        where = "问题清单.csv"
    before = row_counts(bapo.engine)
    with pytest.raises(FileRefused) as refused:
        import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=path)
    assert str(refused.value) == f"{where} 有 12 行，超过单个文件 10 行的上限：请拆分后再导入"
    assert row_counts(bapo.engine) == before


# ---------------------------------------------------------------- accepted as the user meant


def test_dates_as_text_in_common_formats_are_accepted(bapo) -> None:
    rows = [
        PROBLEM_HEADER,
        problem(1, 发现日期="2023/3/15"),
        problem(2, 发现日期="2023年3月15日"),
        problem(3, 发现日期="2023.03.15"),
        problem(4, 发现日期="2023-03-15 00:00:00"),
        problem(5, 发现日期="20230315"),
    ]
    _, path = problems_csv(bapo.tmp, rows)
    result = import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=path)
    assert result.inserted == 5
    assert {d["found_on"] for d in submissions(bapo.engine, "problems").values()} == {"2023-03-15"}


def test_counts_with_a_unit_are_accepted_as_numbers(bapo) -> None:
    form, path = seminars_csv(bapo.tmp, ["2023-04-13", "审计业务党支部", "研讨", "12人", "第一轮"])
    result = import_file(engine=bapo.engine, loaded=bapo.loaded, form_id=form, path=path)
    assert result.inserted == 2
    attendees = sorted(d["attendees"] for d in submissions(bapo.engine, "seminars").values())
    assert attendees == [12, 18]


def test_gbk_csv_is_read_with_correct_chinese(bapo) -> None:
    rows = [PROBLEM_HEADER, problem(1, 问题表现="学习“八破八立”不深入，存在畏难情绪")]
    _, path = problems_csv(bapo.tmp, rows, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    result = import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=path)
    assert result.inserted == 1
    data = submissions(bapo.engine, "problems")["T-01"]
    assert data["description"] == "学习“八破八立”不深入，存在畏难情绪"
    assert data["unit"] == "office" or data["unit"]  # 办公室 resolved to its id


def test_header_only_file_imports_zero_rows_with_a_warning(bapo) -> None:
    _, path = problems_xlsx(bapo.tmp, [PROBLEM_HEADER])
    before = row_counts(bapo.engine)
    result = import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=path)
    assert (result.rows, result.inserted) == (0, 0)
    assert result.warnings == ["文件中没有数据行（只有表头）"]
    assert row_counts(bapo.engine) == before


def test_formula_with_a_computed_value_is_imported(bapo) -> None:
    _, path = formula_with_cached_value(bapo.tmp)
    result = import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=path)
    assert result.inserted == 1
    assert submissions(bapo.engine, "problems")["T-01"]["description"] == "问题T-01"


def test_the_only_visible_sheet_is_used_whatever_its_name(bapo) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for row in (PROBLEM_HEADER, problem(1)):
        ws.append(row)
    hidden = wb.create_sheet("说明")
    hidden.sheet_state = "hidden"
    path = bapo.tmp / "导出.xlsx"
    wb.save(path)
    result = import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=path)
    assert (result.sheet, result.inserted) == ("Sheet1", 1)


def test_tab_separated_text_is_accepted(bapo) -> None:
    path = bapo.tmp / "问题清单.csv"
    lines = ["\t".join(PROBLEM_HEADER), "\t".join(problem(1))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_file(engine=bapo.engine, loaded=bapo.loaded, form_id="problems", path=path)
    assert result.inserted == 1


def test_a_person_may_be_given_as_name_with_id(party) -> None:
    first, second = party.loaded.people[:2]
    rows = [
        ["姓名", "事项", "支部大会日期"],
        [f"{first.name}（{first.id}）", "预备党员转正", "2023-05-26"],
        [f"{first.name}（{second.id}）", "接收预备党员", "2023-05-26"],
    ]
    path = write_xlsx(party.tmp / "党员发展.xlsx", {"党员发展": rows})
    with pytest.raises(ImportRejected) as rejected:
        import_file(engine=party.engine, loaded=party.loaded, form_id="recruitment", path=path)
    assert [i.render() for i in rejected.value.issues] == [
        f"党员发展!A3: 人员编号 {second.id} 对应的不是“{first.name}”：请从下拉列表中选择"
    ]
    rows.pop()
    path = write_xlsx(party.tmp / "党员发展.xlsx", {"党员发展": rows})
    import_file(engine=party.engine, loaded=party.loaded, form_id="recruitment", path=path)
    assert next(iter(submissions(party.engine, "recruitment").values()))["person"] == first.id
