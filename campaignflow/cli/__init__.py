"""The `campaignflow` command line: the one composition root (only it may import flows/Prefect).

Commands live in small modules by group and register themselves on `app` in `build_app()`.
`campaignflow validate`, which an editor may run on every save, builds an app of that command
alone (`validate_app()`): typer prepares every parameter of every command it is given, 0.1 s for
the whole app. Every other command, and help, builds the whole app.
"""

from __future__ import annotations

import typer

HELP = "主题教育、专项整治活动的工作流引擎 — a workflow engine for Party campaigns."


def _app() -> typer.Typer:
    return typer.Typer(
        name="campaignflow",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )


def build_app() -> typer.Typer:
    from . import collect, db, ledger, lifecycle, notify, questionnaire, run, server, spec, web

    app = _app()
    spec.register(app)
    db.register(app)
    collect.register(app)
    lifecycle.register(app)
    questionnaire.register(app)
    ledger.register(app)
    notify.register(app)
    run.register(app)
    server.register(app)
    web.register(app)
    return app


def validate_app() -> typer.Typer:
    """The app with `validate` only, parsing and answering as the whole app does for it."""
    from . import spec

    app = _app()
    app.callback()(lambda: None)  # a group of one: `campaignflow validate …` as in the whole app
    spec.register(app, only=("validate",))
    return app


def main() -> None:
    """Run the command; anything it did not handle ends in one `错误:` line (cli/failure.py)."""
    import os
    import sys

    # finding pydantic's plugins reads every installed package's metadata once per process
    # (25-80 ms here, a tenth of `validate`); the CLI and what it starts load none, unless
    # the user set the variable (to "" to load them all)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        (validate_app if sys.argv[1:2] == ["validate"] else build_app)()()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("已中断。\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the one place every unhandled failure ends
        from .failure import report

        sys.exit(report(exc))
