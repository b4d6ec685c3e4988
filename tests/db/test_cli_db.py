"""`campaignflow db upgrade` and `campaignflow sync`: exit codes, Chinese output, no half-writes."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from campaignflow.cli import build_app
from campaignflow.db import make_engine


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """Run the CLI with the data folder in tmp_path (no CAMPAIGNFLOW_DATABASE_URL)."""
    monkeypatch.setenv("CAMPAIGNFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CAMPAIGNFLOW_DATABASE_URL", raising=False)
    app, runner = build_app(), CliRunner()

    def run(*args: str):
        return runner.invoke(app, [str(a) for a in args])

    return run


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_db_upgrade_twice(cli, tmp_path):
    first = cli("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("数据库已升级到最新结构（版本 ")
    assert (tmp_path / "home" / "campaignflow.db").is_file()
    second = cli("db", "upgrade")
    assert second.exit_code == 0 and second.stdout.startswith("数据库已是最新结构")


def test_sync_upgrades_then_reports_in_chinese(cli, spec_file):
    result = cli("sync", spec_file.path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("数据库已升级到最新结构：sqlite:///")
    assert lines[1] == "已同步 测试活动（test-campaign）：新增 21、更新 0、归档 0、未变 0"
    assert "  措施：新增 3" in lines
    again = cli("sync", spec_file.path)
    assert again.exit_code == 0
    assert (
        again.stdout
        == "无变化：测试活动（test-campaign）已是最新（新增 0、更新 0、归档 0、未变 21）\n"
    )
    spec_file.replace("印发行动计划", "印发实施方案")
    edited = cli("sync", spec_file.path)
    assert edited.stdout.splitlines() == [
        "已同步 测试活动（test-campaign）：新增 0、更新 1、归档 0、未变 20",
        "  措施：更新 1",
    ]


def test_db_option_and_postgres(cli, spec_file, db_url):
    result = cli("sync", spec_file.path, "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "新增 21" in result.stdout


def _settle(tmp_path: Path) -> Path:
    """The SQLite file after a successful sync, with its WAL checkpointed away."""
    db = tmp_path / "home" / "campaignflow.db"
    make_engine(f"sqlite:///{db}").dispose()
    assert db.is_file() and not (db.parent / "campaignflow.db-wal").exists()
    return db


def test_bad_spec_leaves_the_database_byte_identical(cli, spec_file, tmp_path):
    assert cli("sync", spec_file.path).exit_code == 0
    db = _settle(tmp_path)
    before = _sha(db)
    spec_file.replace("印发行动计划", "印发实施方案").replace("measures:", "meassures:")
    result = cli("sync", spec_file.path)
    assert result.exit_code == 2
    assert f"{spec_file.path}:" in result.stderr and "meassures" in result.stderr
    assert "未写入数据库" in result.stderr and "Traceback" not in result.output
    assert _sha(db) == before


def test_bad_spec_does_not_even_create_the_database(cli, spec_file, tmp_path):
    spec_file.replace("due: 2023-05-10", "due: 2023-02-30")
    result = cli("sync", spec_file.path)
    assert result.exit_code == 2 and "日期无效" in result.stderr
    assert not (tmp_path / "home").exists()


def test_refused_sync_leaves_the_database_byte_identical(cli, spec_file, tmp_path):
    from sqlalchemy import update

    from campaignflow.db import Assignment, write_session

    assert cli("sync", spec_file.path).exit_code == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'home' / 'campaignflow.db'}")
    with write_session(engine) as session:
        session.execute(update(Assignment).values(reported_on=dt.date(2023, 3, 10)))
    engine.dispose()
    db = _settle(tmp_path)
    before = _sha(db)
    spec_file.replace("印发行动计划", "印发实施方案").replace("    evidence: [文件]\n", "").replace(
        "  - id: plan\n    title: 印发实施方案\n    phase: mobilise\n    owner: 办公室\n"
        "    due: phase.start + 5 workdays\n",
        "",
    )
    result = cli("sync", spec_file.path)
    assert result.exit_code == 2, result.output
    assert "措施 plan（印发行动计划）已有数据" in result.stderr and "--archive" in result.stderr
    assert _sha(_settle(tmp_path)) == before
    archived = cli("sync", spec_file.path, "--archive")
    assert archived.exit_code == 0 and "措施：归档 1" in archived.stdout


def test_bad_database_url_is_bad_input(cli, spec_file):
    result = cli("sync", spec_file.path, "--db", "nosuchdb://x")
    assert result.exit_code == 2 and "数据库 URL 无效" in result.stderr


def test_unreachable_database_is_a_failure(cli):
    result = cli("db", "upgrade", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert result.exit_code == 1
    assert "无法连接或升级数据库 postgresql+psycopg://nobody@127.0.0.1:1/none" in result.stderr
    assert "Traceback" not in result.output


def test_database_from_a_newer_campaignflow_is_refused_clearly(cli, tmp_path):
    from sqlalchemy import text

    assert cli("db", "upgrade").exit_code == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'home' / 'campaignflow.db'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed0000'"))
    engine.dispose()
    result = cli("db", "upgrade")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "数据库结构版本 f00dfeed0000 不是本程序所知的版本" in result.stderr


def test_every_command_has_help_with_an_example(cli):
    for command in (["db", "upgrade"], ["sync"]):
        result = cli(*command, "--help")
        assert result.exit_code == 0 and "Example:" in result.stdout, command
