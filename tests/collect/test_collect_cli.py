"""`campaignflow import / template / ledger`: messages, exit codes (0 ok, 1 failure, 2 bad input),
never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from collect_support import PROBLEM_HEADER, csv_rows, problem, row_counts, write_xlsx
from openpyxl import load_workbook
from typer.testing import CliRunner

from campaignflow.cli import collect, ledger
from campaignflow.collect import importer
from campaignflow.db import make_engine
from campaignflow.settings import sqlite_url

ROOT = Path(__file__).resolve().parents[2]
BAPO = ROOT / "campaign_specs" / "bapo-bali-2023"
SPEC = str(BAPO / "campaign.yaml")


def make_app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    collect.register(app)
    ledger.register(app)  # `ledger` (台账) lives with the ledger commands
    return app


def run(*args: str):
    result = CliRunner().invoke(make_app(), [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert "Traceback" not in result.stderr, result.stderr
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A database URL that does not exist yet: the first import creates and syncs it."""
    return sqlite_url(tmp_path / "cli.db")


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        return row_counts(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", ["import", "template", "ledger"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_import_syncs_first_then_imports_and_is_idempotent(db: str) -> None:
    first = run("import", SPEC, "problems", BAPO / "data" / "problems.csv", "--db", db)
    assert first.exit_code == 0, first.output + first.stderr
    assert "尚未同步到数据库" in first.stdout and "已先同步" in first.stdout
    n = len(csv_rows(BAPO / "data" / "problems.csv"))
    assert (
        f"共 {n} 行）：替换" in first.stdout and f"新增 {n}、更新 0、未变 0、撤回 0" in first.stdout
    )

    # the form may be named by its title too
    again = run("import", SPEC, "问题清单", BAPO / "data" / "problems.csv", "--db", db)
    assert again.exit_code == 0
    assert "已先同步" not in again.stdout
    assert f"新增 0、更新 0、未变 {n}、撤回 0（无变化" in again.stdout


def test_a_bad_file_lists_every_error_on_stderr_and_exits_2(db: str, tmp_path: Path) -> None:
    run("import", SPEC, "problems", BAPO / "data" / "problems.csv", "--db", db)
    before = counts(db)
    rows = [PROBLEM_HEADER, problem(1), problem(2, 问题来源="乱填"), problem(3, 发现日期="3月15日")]
    path = write_xlsx(tmp_path / "问题清单.xlsx", {"问题清单": rows})

    result = run("import", SPEC, "problems", path, "--db", db)

    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "问题清单!C3: 应为以下之一：自己找、领导点、互相提；而不是“乱填”"
    assert lines[1].startswith("问题清单!F4: 日期缺少年份")
    assert "2 处错误，未导入任何数据" in lines[2]
    assert counts(db) == before
    assert not (tmp_path / "问题清单.rejects.xlsx").exists()


def test_partial_stores_good_rows_and_prints_the_rejects_path(db: str, tmp_path: Path) -> None:
    rows = [PROBLEM_HEADER, problem(1), problem(2, 问题来源="乱填"), problem(3)]
    path = write_xlsx(tmp_path / "问题清单.xlsx", {"问题清单": rows})

    result = run("import", SPEC, "problems", path, "--partial", "--db", db)

    assert result.exit_code == 0, result.stderr
    assert "新增 2" in result.stdout
    rejects = tmp_path / "问题清单.rejects.xlsx"
    assert f"拒收 1 行（其余已导入）；错误行已写入 {rejects}" in result.stderr
    assert load_workbook(rejects)["问题清单"]["C2"].comment is not None
    assert counts(db)["problem"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("problems", "missing.csv"), "找不到文件 missing.csv"),
        (
            ("nosuchform", "x.csv"),
            "活动 bapo-bali-2023 中没有表单“nosuchform”：可选 studies（专题学习）",
        ),
        (("problems", "{xls}"), "实际是旧版 .xls 文件"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(db: str, tmp_path: Path, args, message) -> None:
    xls = tmp_path / "问题清单.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    args = [a.replace("{xls}", str(xls)) for a in args]
    result = run("import", SPEC, *args, "--db", db)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_broken_campaign_file_exits_2(tmp_path: Path, db: str) -> None:
    spec = tmp_path / "campaign.yaml"
    spec.write_text("campaign:\n  id: x\n  meassures: []\n", encoding="utf-8")
    result = run("import", spec, "problems", BAPO / "data" / "problems.csv", "--db", db)
    assert result.exit_code == 2
    assert str(spec) in result.stderr


def test_a_large_file_gets_a_progress_bar(db: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(collect, "PROGRESS_FROM", 20)
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 10)
    shown: list[tuple[int, int | None]] = []
    real = collect._progress_bar

    def spy(label):
        with real(label) as update:

            def record(done, total):
                shown.append((done, total))
                update(done, total)

            yield record

    import contextlib

    monkeypatch.setattr(collect, "_progress_bar", contextlib.contextmanager(spy))
    rows = [PROBLEM_HEADER, *(problem(i) for i in range(45))]
    path = write_xlsx(tmp_path / "问题清单.xlsx", {"问题清单": rows})
    result = run("import", SPEC, "problems", path, "--db", db)
    assert result.exit_code == 0, result.stderr
    assert shown == [(10, 45), (20, 45), (30, 45), (40, 45), (45, 45)]


def test_template_writes_a_workbook(tmp_path: Path) -> None:
    target = tmp_path / "out" / "模板.xlsx"
    result = run("template", SPEC, "problems", "整改清单", "-o", target)
    assert result.exit_code == 0, result.stderr
    assert "2 个工作表（问题清单、整改清单）" in result.stdout
    assert load_workbook(target).sheetnames == ["问题清单", "整改清单", "_lists"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nosuchform", "-o", "t.xlsx"), "没有表单“nosuchform”"),
        (("-o", "t.xls"), "输出文件应为 .xlsx：t.xls"),
    ],
)
def test_template_bad_input_exits_2(args, message: str) -> None:
    result = run("template", SPEC, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_ledger_exports_after_imports(db: str, tmp_path: Path) -> None:
    for form in ("problems", "fixes"):
        assert run("import", SPEC, form, BAPO / "data" / f"{form}.csv", "--db", db).exit_code == 0
    target = tmp_path / "台账.xlsx"
    result = run("ledger", SPEC, "-o", target, "--db", db)
    assert result.exit_code == 0, result.stderr
    problems, fixes = (len(csv_rows(BAPO / "data" / f"{f}.csv")) for f in ("problems", "fixes"))
    assert f"问题 {problems} 个，整改措施 {fixes} 条" in result.stdout
    assert load_workbook(target).sheetnames == ["问题清单整改台账"]


def test_ledger_book_has_three_sheets(db: str, tmp_path: Path) -> None:
    for form in ("problems", "fixes"):
        assert run("import", SPEC, form, BAPO / "data" / f"{form}.csv", "--db", db).exit_code == 0
    target = tmp_path / "台账.xlsx"
    result = run("ledger", SPEC, "--book", "--as-of", "2023-06-30", "-o", target, "--db", db)
    assert result.exit_code == 0, result.stderr
    states = [r["状态"] for r in csv_rows(BAPO / "data" / "fixes.csv")]  # all 销号 by 06-30
    closed = sum(s in ("已完成", "巩固") for s in states)
    assert f"新增 0 条，推进落实 {len(states) - closed} 条，已办结销号 {closed} 条" in result.stdout
    book = load_workbook(target)
    assert book.sheetnames == ["新增", "推进落实", "已办结销号"]
    assert [book[name].max_row - 1 for name in book.sheetnames] == [0, len(states) - closed, closed]


def test_ledger_of_an_unsynced_campaign_exits_2(db: str, tmp_path: Path) -> None:
    result = run("ledger", SPEC, "-o", tmp_path / "台账.xlsx", "--db", db)
    assert result.exit_code == 2
    assert "尚未写入数据库" in result.stderr


def test_ledger_write_failure_exits_1(db: str, tmp_path: Path) -> None:
    run("import", SPEC, "problems", BAPO / "data" / "problems.csv", "--db", db)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("ledger", SPEC, "-o", blocker / "台账.xlsx", "--db", db)
    assert result.exit_code == 1
    assert "无法写入" in result.stderr
