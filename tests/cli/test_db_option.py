"""`--db`: every command that opens the campaign database takes it, with one meaning (default
CAMPAIGNFLOW_DATABASE_URL, else the data folder's SQLite file); a bad URL is one clear error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from campaignflow.calendar import today
from campaignflow.cli import build_app, prefect_env
from campaignflow.settings import DATABASE_URL_ENV, sqlite_url
from campaignflow.spec import load

ROOT = Path(__file__).resolve().parents[2]
BAPO = ROOT / "campaign_specs" / "bapo-bali-2023"
SPEC = BAPO / "campaign.yaml"

# every command that opens the campaign database, itself or in the flows it runs
DB_COMMANDS = [
    ("db", "upgrade"),
    ("sync",),
    ("import",),
    ("import-wjx",),
    ("history",),
    ("withdraw",),
    ("restore",),
    ("ledger",),
    ("close",),
    ("reopen",),
    ("consolidate",),
    ("evaluate",),
    ("notify", "list"),
    ("notify", "resend"),
    ("web",),
    ("qr",),
    ("link-revoke",),
    ("ballot-codes",),
    ("ballot-turnout",),
    ("ballot-close",),
    ("run",),
    ("final-report",),
    ("server",),
]


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """Run the CLI with the data folder in tmp_path/home (no CAMPAIGNFLOW_DATABASE_URL)."""
    monkeypatch.setenv("CAMPAIGNFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    app, runner = build_app(), CliRunner()

    def run(*args: object):
        result = runner.invoke(app, [str(a) for a in args])
        assert "Traceback" not in result.output, result.output
        if result.exception is not None:
            assert isinstance(result.exception, SystemExit), repr(result.exception)
        return result

    return run


@pytest.fixture
def no_flows(monkeypatch):
    """`run_flow` replaced: a test of the command line never starts Prefect."""

    def refuse(entrypoint, **parameters):
        raise AssertionError(f"no flow may run here: {entrypoint}")

    monkeypatch.setattr(prefect_env, "run_flow", refuse)


def _db_option(path: tuple[str, ...]):
    command = typer.main.get_command(build_app())
    for name in path:
        command = command.commands[name]
    return next((p for p in command.params if "--db" in p.opts), None)


@pytest.mark.parametrize("command", DB_COMMANDS, ids=" ".join)
def test_every_database_command_takes_the_same_db_option(command):
    option, reference = _db_option(command), _db_option(("sync",))
    assert option is not None, f"`campaignflow {' '.join(command)}` has no --db"
    assert (option.help, option.default) == (reference.help, None)
    assert "CAMPAIGNFLOW_DATABASE_URL" in option.help


def test_db_writes_there_and_not_to_the_data_folder(cli, tmp_path):
    url = sqlite_url(tmp_path / "elsewhere" / "cf.db")
    synced = cli("sync", SPEC, "--db", url)
    assert synced.exit_code == 0, synced.output
    assert "已同步" in synced.stdout
    imported = cli("import", SPEC, "problems", BAPO / "data" / "problems.csv", "--db", url)
    assert imported.exit_code == 0, imported.output
    shown = cli("history", SPEC, "problems", "--db", url)
    assert shown.exit_code == 0, shown.output
    assert "#1" in shown.stdout
    assert cli("notify", "list", SPEC, "--db", url).stdout == "没有待确认的提醒。\n"
    assert (tmp_path / "elsewhere" / "cf.db").is_file()
    assert not (tmp_path / "home" / "campaignflow.db").exists()


def test_db_wins_over_the_environment(cli, tmp_path, monkeypatch):
    monkeypatch.setenv(DATABASE_URL_ENV, sqlite_url(tmp_path / "from-env.db"))
    result = cli("sync", SPEC, "--db", sqlite_url(tmp_path / "given.db"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "given.db").is_file()
    assert not (tmp_path / "from-env.db").exists()


def test_without_db_the_default_is_unchanged(cli, tmp_path):
    result = cli("sync", SPEC)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "home" / "campaignflow.db").is_file()


@pytest.mark.parametrize(
    "command",
    [
        ("sync", SPEC),
        ("db", "upgrade"),
        ("history", SPEC, "problems"),
        ("withdraw", SPEC, "problems", "--all"),
        ("ledger", SPEC, "-o", "台账.xlsx"),
        ("close", SPEC, "TZ-01", "--reviewer", "陈静", "--evidence", "记录"),
        ("notify", "list", SPEC),
        ("qr", SPEC),
        ("run", SPEC, "--as-of", "2023-03-31"),
        ("final-report", SPEC),
        ("server",),
    ],
    ids=lambda c: " ".join(str(a) for a in c[:2] if a is not SPEC),
)
def test_a_bad_db_url_is_bad_input_and_writes_nothing(
    cli, tmp_path, monkeypatch, no_flows, command
):
    monkeypatch.chdir(tmp_path)  # where a command would write its output
    before = sorted(tmp_path.rglob("*"))
    result = cli(*command, "--db", "nosuchdb://x")
    assert result.exit_code == 2, result.output
    assert "数据库 URL 无效：nosuchdb://x" in result.stderr
    assert sorted(tmp_path.rglob("*")) == before
    assert DATABASE_URL_ENV not in os.environ


def test_a_db_that_cannot_be_opened_is_a_failure(cli, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = cli("sync", SPEC, "--db", sqlite_url(blocker / "cf.db"))
    assert result.exit_code == 1, result.output
    assert "无法打开数据库" in result.stderr


@pytest.mark.parametrize(
    ("command", "entrypoint"),
    [
        (("run", SPEC, "--phase", "mobilise"), "flows.phase:phase"),
        (("final-report", SPEC), "flows.final_report:final_report"),
    ],
)
def test_flows_get_the_db_and_the_campaigns_today(cli, tmp_path, monkeypatch, command, entrypoint):
    url = sqlite_url(tmp_path / "flows.db")
    seen = {}

    def run_flow(name, **parameters):
        seen.update(name=name, parameters=parameters, url=os.environ.get(DATABASE_URL_ENV))
        if name != "flows.phase:phase":
            return {"reports": {}}
        return {
            "phase": "mobilise",
            "as_of": str(parameters["as_of"]),
            "done": 0,
            "total": 0,
            "gate_passed": True,
            "gate_reasons": [],
            "imported_files": 0,
            "rejected_files": 0,
            "reports": {},
        }

    monkeypatch.setattr(prefect_env, "run_flow", run_flow)
    result = cli(*command, "--db", url)
    assert result.exit_code == 0, result.output
    assert seen["name"] == entrypoint and seen["url"] == url
    assert seen["parameters"]["as_of"] == today(load(SPEC).spec.campaign.timezone)
    assert DATABASE_URL_ENV not in os.environ  # handed to the flows, not left behind


def test_a_bad_as_of_names_the_text(cli, no_flows):
    result = cli("run", SPEC, "--as-of", "2023-02-30")
    assert result.exit_code == 2
    assert "日期无效：2023-02-30" in result.stderr
