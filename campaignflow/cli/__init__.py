"""The `campaignflow` command line: the one composition root (only it may import flows/Prefect).

Commands live in small modules by group and register themselves on `app` in `build_app()`.
"""

from __future__ import annotations

import importlib

import typer

# Each command (or group) and the module under cli/ that registers it: `campaignflow validate`
# imports cli/spec.py only, so a command pays for its own imports and no other's. Help, and any
# name not here, builds the whole app (tests/cli/test_cli.py keeps this table true).
COMMANDS = {
    **dict.fromkeys(("validate", "schema", "init"), "spec"),
    **dict.fromkeys(("db", "sync"), "db"),
    **dict.fromkeys(("import", "template"), "collect"),
    **dict.fromkeys(("history", "withdraw", "restore"), "lifecycle"),
    "import-wjx": "questionnaire",
    **dict.fromkeys(("ledger", "close", "reopen", "consolidate", "evaluate"), "ledger"),
    "notify": "notify",
    **dict.fromkeys(("run", "final-report"), "run"),
    **dict.fromkeys(("server", "deployments", "ui"), "server"),
    **dict.fromkeys(
        ("web", "qr", "link-revoke", "ballot-codes", "ballot-turnout", "ballot-close"), "web"
    ),
}
MODULES = tuple(dict.fromkeys(COMMANDS.values()))


def build_app(command: str | None = None) -> typer.Typer:
    """The app; with the name of a known `command`, only the commands of its module."""
    app = typer.Typer(
        name="campaignflow",
        help="主题教育、专项整治活动的工作流引擎 — a workflow engine for Party campaigns.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(_no_options)  # a group even when one module holds a single command
    modules = [COMMANDS[command]] if command in COMMANDS else MODULES
    for name in modules:
        importlib.import_module(f"{__name__}.{name}").register(app)
    return app


def _no_options() -> None:
    pass


def main() -> None:
    """Run the command; anything it did not handle ends in one `错误:` line (cli/failure.py)."""
    import sys

    try:
        build_app(sys.argv[1] if len(sys.argv) > 1 else None)()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("已中断。\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the one place every unhandled failure ends
        from .failure import report

        sys.exit(report(exc))
