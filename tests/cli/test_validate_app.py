"""`campaignflow validate` runs on an app of that command alone: it must answer exactly as the
whole app does, for good and bad files, options, help and usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from campaignflow.cli import build_app, validate_app

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "campaign_specs" / "bapo-bali-2023" / "campaign.yaml"
BAD = ROOT / "tests" / "spec" / "bad"
CASES = {
    "good": [str(GOOD)],
    "quiet": [str(GOOD), "-q"],
    "bad_and_good": [str(next(iter(sorted(BAD.glob("*.yaml"))))), str(GOOD)],
    "missing_file": ["no-such/campaign.yaml"],
    "help": ["--help"],
    "no_file": [],
    "unknown_option": [str(GOOD), "--json"],
}


@pytest.mark.parametrize("case", CASES)
def test_the_validate_app_answers_as_the_whole_app(case: str) -> None:
    args = ["validate", *CASES[case]]
    whole = CliRunner().invoke(build_app(), args)
    alone = CliRunner().invoke(validate_app(), args)
    assert (alone.exit_code, alone.stdout, alone.stderr) == (
        whole.exit_code,
        whole.stdout,
        whole.stderr,
    )
    assert "Traceback" not in alone.output


def test_the_command_line_uses_it_for_validate_only(tmp_path: Path) -> None:
    """`campaignflow validate` imports no other command's module; `campaignflow --help` still
    lists every command."""
    probe = (
        "import sys; from campaignflow import cli; sys.argv = ['campaignflow', *sys.argv[1:]]\n"
        "try:\n    cli.main()\nexcept SystemExit as exit:\n"
        "    print(sorted(m for m in sys.modules if m.startswith('campaignflow.cli.')))\n"
        "    raise\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe, "validate", "-q", str(GOOD)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert "campaignflow.cli.run" not in ran.stdout and "campaignflow.cli.spec" in ran.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "campaignflow", "--help"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert listed.returncode == 0 and "server" in listed.stdout and "validate" in listed.stdout


@pytest.mark.parametrize("given", [None, ""])
def test_the_command_line_looks_for_pydantic_plugins_only_when_asked(given: str | None) -> None:
    """Looking for pydantic's plugins reads every installed package's metadata: the command line
    skips it, unless the user set PYDANTIC_DISABLE_PLUGINS (here "": load them all)."""
    import os

    probe = (
        "import sys; from campaignflow import cli; sys.argv = ['campaignflow', *sys.argv[1:]]\n"
        "try:\n    cli.main()\nexcept SystemExit:\n"
        "    from pydantic.plugin import _loader\n"
        "    print('scanned' if _loader._plugins is not None else 'not scanned')\n"
        "    raise\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if given is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = given
    ran = subprocess.run(
        [sys.executable, "-c", probe, "validate", "-q", str(GOOD)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == ("not scanned" if given is None else "scanned")
