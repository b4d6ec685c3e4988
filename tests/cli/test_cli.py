"""The `campaignflow` command line: help texts, `schema`, `init`, exit codes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from campaignflow.cli import build_app
from campaignflow.spec import load
from campaignflow.spec.shipped import shipped_campaigns


def run(*args: str):
    result = CliRunner().invoke(build_app(), list(args))
    assert "Traceback" not in result.output, result.output
    assert "Traceback" not in result.stderr, result.stderr
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _commands(group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's path, found from the app itself (so commands added later are covered).

    Groups (`db`) are walked into; their leaf commands are what users run."""
    found = []
    for name, command in sorted(group.commands.items()):
        if getattr(command, "hidden", False):
            continue
        if hasattr(command, "commands"):  # a group (typer vendors its own click: duck-type)
            found.extend(_commands(command, (*prefix, name)))
        else:
            found.append((*prefix, name))
    return found


COMMANDS = _commands(typer.main.get_command(build_app()))
SHIPPED = shipped_campaigns()


def test_the_known_commands_are_registered() -> None:
    assert {("validate",), ("schema",), ("init",)} <= set(COMMANDS)


def test_no_arguments_shows_help() -> None:
    result = run()
    assert "validate" in result.output


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"`campaignflow {' '.join(command)} --help` has no Example"


def test_unknown_command_is_bad_input() -> None:
    result = run("valdate")
    assert result.exit_code == 2


# ---------------------------------------------------------------- schema


def test_schema_writes_json_with_every_section(tmp_path: Path) -> None:
    target = tmp_path / "tmp" / "schema.json"
    result = run("schema", "-o", str(target))
    assert result.exit_code == 0, result.output
    schema = json.loads(target.read_text(encoding="utf-8"))
    assert {"campaign", "phases", "tracks", "measures", "forms", "metrics"} <= set(
        schema["properties"]
    )
    assert "campaign" in schema["required"]
    assert schema["additionalProperties"] is False  # unknown top-level keys are flagged in editors


def test_schema_is_stable(tmp_path: Path) -> None:
    run("schema", "-o", str(tmp_path / "a.json"))
    run("schema", "-o", str(tmp_path / "b.json"))
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_schema_to_an_unwritable_place_fails_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = run("schema", "-o", str(tmp_path / "afile" / "schema.json"))
    assert result.exit_code == 1
    assert "无法写入" in result.stderr


# ---------------------------------------------------------------- init


def _need_shipped() -> None:
    if not SHIPPED:
        pytest.skip("campaign_specs/*/campaign.yaml does not exist yet (being written)")


@pytest.mark.parametrize("name", sorted(SHIPPED) or ["(none yet)"])
def test_init_from_a_shipped_campaign_validates(name: str, tmp_path: Path) -> None:
    _need_shipped()
    target = tmp_path / "new-campaign"
    result = run("init", str(target), "--from", name)
    assert result.exit_code == 0, result.output + result.stderr
    spec = target / "campaign.yaml"
    assert spec.is_file()
    first = spec.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    loaded = load(spec)
    assert loaded.spec.stages
    assert run("validate", str(spec)).exit_code == 0


def test_init_into_an_empty_existing_folder(tmp_path: Path) -> None:
    _need_shipped()
    target = tmp_path / "empty"
    target.mkdir()
    result = run("init", str(target), "--from", sorted(SHIPPED)[0])
    assert result.exit_code == 0, result.output + result.stderr
    assert (target / "campaign.yaml").is_file()


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    _need_shipped()
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("已有内容", encoding="utf-8")
    result = run("init", str(target), "--from", sorted(SHIPPED)[0])
    assert result.exit_code == 2
    assert "已存在且不为空" in result.stderr
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]  # nothing written


def test_init_refuses_a_file(tmp_path: Path) -> None:
    _need_shipped()
    target = tmp_path / "afile"
    target.write_text("x", encoding="utf-8")
    result = run("init", str(target), "--from", sorted(SHIPPED)[0])
    assert result.exit_code == 2
    assert "是一个文件，不是文件夹" in result.stderr


def test_init_refuses_an_unknown_blueprint(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "x"), "--from", "no-such-campaign")
    assert result.exit_code == 2
    assert "没有名为 no-such-campaign 的蓝本：可选 staged（分阶段" in result.stderr
    assert "unstaged（不划阶段" in result.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "starter, staged", [("staged", True), ("tracks", False), ("unstaged", False)]
)
def test_init_by_the_shape_of_the_campaign(starter: str, staged: bool, tmp_path: Path) -> None:
    target = tmp_path / starter
    result = run("init", str(target), "--from", starter)
    assert result.exit_code == 0, result.output + result.stderr
    assert load(target / "campaign.yaml").spec.staged is staged


# ---------------------------------------------------------------- validate


def test_validate_a_missing_file(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope.yaml'}:1:1: 文件不存在" in result.stderr


def test_validate_a_folder(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path))
    assert result.exit_code == 2
    assert "这是一个文件夹" in result.stderr


def test_validate_without_arguments_is_bad_input() -> None:
    assert run("validate").exit_code == 2


def test_validate_shipped_campaigns() -> None:
    _need_shipped()
    paths = [str(p / "campaign.yaml") for p in SHIPPED.values()]
    result = run("validate", *paths)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("✓") == len(paths)
