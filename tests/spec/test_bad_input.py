"""Bad input: every malformed campaign file is refused with located, exact messages.

The corpus lives in `bad/`. Each case is a YAML file that states what it must produce in its
leading comments:

    # what is wrong (free text)
    # expect: 18:1 未知字段 meassures（是否想写 measures？）
    # expect: 26:12 未知阶段 examin（是否想写 examine？）

one `expect` line per issue, `LINE:COL message` (or `LINE message` when the column does not
matter), in the order they must be reported: by line. `{dir}` in a message stands for the folder
of the file. ALL the listed issues must come out of one load, and nothing else.

To add a case: copy `valid_minimal.yaml` (or `valid_tracks.yaml`) into `bad/`, break it, write a
description line and run the tests — a failing case prints the issues actually reported, in this
format, ready to review and paste.

Inputs that cannot carry comments (empty, binary, 10 MB, GBK, spreadsheets) are generated into
tmp_path below, with their expectations in `GENERATED`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from campaignflow.cli import build_app
from campaignflow.spec import SpecError, SpecIssue, load

HERE = Path(__file__).parent
BAD = HERE / "bad"
VALID_MINIMAL = HERE / "valid_minimal.yaml"
VALID_TRACKS = HERE / "valid_tracks.yaml"
CASES = sorted(BAD.glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (?P<line>\d+)(?::(?P<col>\d+))? (?P<message>.+)$")


# ---------------------------------------------------------------- helpers


def expectations(path: Path) -> list[tuple[int, int | None, str]]:
    """The `# expect:` lines of a corpus file as (line, column or None, message)."""
    found = []
    for text in path.read_text(encoding="utf-8").splitlines():
        if match := EXPECT.match(text):
            col = int(match["col"]) if match["col"] else None
            message = match["message"].replace("{dir}", str(path.parent))
            found.append((int(match["line"]), col, message))
    return found


def load_issues(path: Path) -> list[SpecIssue]:
    with pytest.raises(SpecError) as caught:
        load(path)
    return caught.value.issues


def as_expect_lines(issues: list[SpecIssue], folder: Path) -> str:
    return "\n".join(
        f"# expect: {i.line}:{i.col} {i.message.replace(str(folder), '{dir}')}" for i in issues
    )


def cli(*args: str):
    result = CliRunner().invoke(build_app(), list(args))
    assert "Traceback" not in result.output, result.output
    assert "Traceback" not in result.stderr, result.stderr
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    return result


# ---------------------------------------------------------------- the committed corpus


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


def test_the_templates_are_valid() -> None:
    """The corpus is made by breaking these; they must load cleanly themselves."""
    assert load(VALID_MINIMAL).spec.staged
    assert not load(VALID_TRACKS).spec.staged


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_corpus_case(path: Path) -> None:
    expected = expectations(path)
    assert expected, f"{path.name}: no `# expect:` lines"
    assert [e[0] for e in expected] == sorted(e[0] for e in expected), (
        f"{path.name}: expect lines must be in line order"
    )
    issues = load_issues(path)
    got = [(i.line, i.col, i.message) for i in issues]
    want = [  # `LINE message` expectations take the column reported
        (line, col if col is not None or k >= len(got) else got[k][1], message)
        for k, (line, col, message) in enumerate(expected)
    ]
    assert got == want, f"{path.name} reported:\n{as_expect_lines(issues, path.parent)}"
    lines = path.read_text(encoding="utf-8").splitlines()
    for issue in issues:
        assert issue.file == str(path)
        assert issue.cell is None
        # the caret display shows the very line the issue is on (whole-file problems: none)
        if issue.source_line is not None or (issue.line, issue.col) != (1, 1):
            assert issue.source_line == lines[issue.line - 1]


def test_corpus_via_cli() -> None:
    """`campaignflow validate` over the whole corpus at once: exit 2, every located message on
    stderr (`file:line:col: message`), a summary per file, nothing on stdout, no traceback."""
    result = cli("validate", *map(str, CASES))
    assert result.exit_code == 2
    assert result.stdout == ""
    missing = []
    for path in CASES:
        expected = expectations(path)
        for line, col, message in expected:
            where = f"{path}:{line}:{col}" if col is not None else f"{path}:{line}:"
            if f"{where}: {message}" not in result.stderr and not (
                col is None and where in result.stderr and message in result.stderr
            ):
                missing.append(f"{path.name}: {line}:{col} {message}")
        if f"✗ {path}: {len(expected)} 处错误（{path.name}）" not in result.stderr:
            missing.append(f"{path.name}: summary")
    assert not missing, "\n".join(missing)


def test_real_process_exit_code_and_stderr() -> None:
    """The installed entry point, not just the test runner: exit 2, located messages on stderr."""
    path = BAD / "multi_error.yaml"
    done = subprocess.run(
        [sys.executable, "-c", "from campaignflow.cli import main; main()", "validate", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    lines = [f"{path}:{line}:{col}: {message}" for line, col, message in expectations(path)]
    shown = [text for text in done.stderr.splitlines() if text.startswith(str(path) + ":")]
    assert shown == lines  # all of them, in line order


def test_cli_reports_every_file_of_several() -> None:
    good, bad1, bad2 = VALID_MINIMAL, BAD / "unknown_phase.yaml", BAD / "due_cycle.yaml"
    result = cli("validate", str(good), str(bad1), str(bad2))
    assert result.exit_code == 2
    assert f"✓ {good}" in result.stdout
    assert f"✗ {bad1}: 1 处错误" in result.stderr
    assert f"✗ {bad2}: 2 处错误" in result.stderr


def test_cli_valid_file_exits_zero() -> None:
    result = cli("validate", str(VALID_MINIMAL))
    assert result.exit_code == 0
    assert result.stderr == ""


def test_caret_points_under_the_column() -> None:
    path = BAD / "unknown_key_meassures.yaml"
    text = load_issues(path)[0].render().splitlines()
    assert text[1].endswith("| meassures:")
    assert text[2].endswith("| ^")


# ---------------------------------------------------------------- the uncovered calendar year


def test_uncovered_year_is_valid_with_mon_fri_workweek(tmp_path: Path) -> None:
    text = (BAD / "calendar_year_uncovered.yaml").read_text(encoding="utf-8")
    fixed = tmp_path / "campaign.yaml"
    fixed.write_text(text + "calendar:\n  workweek: mon-fri\n", encoding="utf-8")
    loaded = load(fixed)
    assert str(loaded.due["plan"]) == "2027-03-08"  # Monday 1 March + 5 working days


def test_uncovered_year_is_valid_with_declared_holidays(tmp_path: Path) -> None:
    text = (BAD / "calendar_year_uncovered.yaml").read_text(encoding="utf-8")
    fixed = tmp_path / "campaign.yaml"
    year = [  # a whole year declared (dates as a 2027 schedule might have them)
        "2027-01-01", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-03-05",
        "2027-04-05", "2027-05-01", "2027-05-02", "2027-06-09", "2027-09-15",
        "2027-10-01", "2027-10-02", "2027-10-03",
    ]  # fmt: skip
    fixed.write_text(text + f"calendar:\n  extra_holidays: [{', '.join(year)}]\n", "utf-8")
    assert str(load(fixed).due["plan"]) == "2027-03-09"  # the declared holiday is skipped


# ---------------------------------------------------------------- generated inputs


def _minimal() -> str:
    return VALID_MINIMAL.read_text(encoding="utf-8")


def _write(data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "campaign.yaml"
        path.write_bytes(data)
        return path

    return make


def _huge(folder: Path) -> Path:
    path = folder / "campaign.yaml"
    with path.open("wb") as out:
        out.write(_minimal().encode())
        out.write(b"# " + b"x" * 1021 + b"\n")
        line = b"# " + b"x" * 1021 + b"\n"
        out.write(line * (10 * 1024))
    return path


def _directory(folder: Path) -> Path:
    (folder / "campaign").mkdir()
    return folder / "campaign"


def _with_units_file(name: str, rows: list[list]) -> Callable[[Path], Path]:
    """The minimal campaign with `units: {file: …}` and that sheet (sheet name 组织)."""

    def make(folder: Path) -> Path:
        head, rest = _minimal().split("units:\n", 1)
        phases = rest.split("phases:\n", 1)[1]
        text = f"{head}units: {{file: {name}}}\nphases:\n{phases}"
        path = folder / "campaign.yaml"
        path.write_text(text, encoding="utf-8")
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "组织"
        for row in rows:
            sheet.append(row)
        book.save(folder / name)
        return path

    return make


UNIT_HEADER = ["编号", "名称", "类型", "上级"]
UNIT_ROWS = [
    ["party", "××局党组", "党组", None],
    ["office", "办公室", "部门", "party"],
    ["b1", "机关第一党支部", "党支部", "party"],
]


def _units_xlsx(*rows: list) -> Callable[[Path], Path]:
    """The minimal campaign with its units in units.xlsx: the usual header, then `rows`."""
    return _with_units_file("units.xlsx", [UNIT_HEADER, *rows])


# (how to make the input, [(location, message)]); a location is `L:C` in the file, or
# `name!Sheet!C3` for a cell of the spreadsheet beside it
GENERATED: dict[str, tuple[Callable[[Path], Path], list[tuple[str, str]]]] = {
    "empty": (_write(b""), [("1:1", "文件为空：至少需要 campaign 段（活动名称、单位、年度）")]),
    "blank_lines": (
        _write(b"\n   \n\n"),
        [("1:1", "文件为空：至少需要 campaign 段（活动名称、单位、年度）")],
    ),
    "binary": (
        _write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        [("1:1", "这不是文本文件（含二进制内容）：活动方案应为 UTF-8 编码的 YAML 文本")],
    ),
    "ten_megabytes": (
        _huge,
        [("1:1", "文件过大（10.0 MB）：活动方案不应超过 2 MB，数据请放在 Excel/CSV 中导入")],
    ),
    "gbk": (
        _write(_minimal().encode("gbk")),
        [("3:10", "文件不是 UTF-8 编码（可能是 GBK）：请用“UTF-8”另存为后再试")],
    ),
    "deep_nesting": (
        _write(b"a: " + b"[" * 600 + b"]" * 600 + b"\n"),
        [("1:1", "YAML 嵌套层级过深：请检查是否有未闭合或多余的括号")],
    ),
    "directory": (_directory, [("1:1", "这是一个文件夹；请指定其中的 campaign.yaml")]),
    "missing_file": (lambda folder: folder / "nope.yaml", [("1:1", "文件不存在")]),
    "units_xlsx_bad_kind": (
        _units_xlsx(UNIT_ROWS[0], ["office", "办公室", "科室", "party"], UNIT_ROWS[2]),
        [
            (
                "units.xlsx!组织!C3",
                "应为以下之一：党委, 党组, 党总支, 党支部, 党小组, 部门；而不是 '科室'",
            )
        ],
    ),
    "units_xlsx_missing_column": (
        _with_units_file(
            "units.xlsx", [["编号", "类型", "上级"], *[[r[0], r[2], r[3]] for r in UNIT_ROWS]]
        ),
        [("units.xlsx!组织!A1", "缺少表头列“名称”（应有：编号、名称、类型、上级、联系人）")],
    ),
    "units_xlsx_several": (
        _units_xlsx(
            UNIT_ROWS[0], ["Office", "办公室", "部门", "party"], ["b1", None, "党支部", "party"]
        ),
        [
            (
                "units.xlsx!组织!A3",
                "编号 'Office' 不合规：只能用小写英文字母、数字、- 和 _，并以字母开头（如 plan-2）",
            ),
            ("units.xlsx!组织!B4", "不能为空"),
        ],
    ),
}


@pytest.mark.parametrize("name", GENERATED)
def test_generated_case(name: str, tmp_path: Path) -> None:
    make, expected = GENERATED[name]
    path = make(tmp_path)
    issues = load_issues(path)

    def where(issue: SpecIssue) -> str:
        if issue.cell:
            return f"{Path(issue.file).name}!{issue.cell}"
        assert issue.file == str(path)
        return f"{issue.line}:{issue.col}"

    assert [(where(i), i.message) for i in issues] == expected


@pytest.mark.parametrize("name", GENERATED)
def test_generated_case_via_cli(name: str, tmp_path: Path) -> None:
    make, expected = GENERATED[name]
    path = make(tmp_path)
    result = cli("validate", str(path))
    assert result.exit_code == 2
    for location, message in expected:
        shown = f"{path.parent / location}" if "!" in location else f"{path}:{location}"
        assert f"{shown}: {message}" in result.stderr


def test_utf8_with_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "campaign.yaml"
    path.write_bytes(_minimal().encode("utf-8-sig"))
    assert load(path).spec.campaign.id == "bapo-bali-2023"


def test_units_xlsx_valid_sheet_loads(tmp_path: Path) -> None:
    make = _units_xlsx(*UNIT_ROWS)
    loaded = load(make(tmp_path))
    assert [u.id for u in loaded.units] == ["party", "office", "b1"]
