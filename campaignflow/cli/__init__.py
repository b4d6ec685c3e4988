"""The `campaignflow` command line: the one composition root (only it may import flows/Prefect).

Commands live in small modules by group and register themselves on `app` in `build_app()`.
"""

from __future__ import annotations

import typer


def build_app() -> typer.Typer:
    from . import collect, db, ledger, lifecycle, notify, questionnaire, run, server, spec, web

    app = typer.Typer(
        name="campaignflow",
        help="主题教育、专项整治活动的工作流引擎 — a workflow engine for Party campaigns.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
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


def main() -> None:
    """Run the command; anything it did not handle ends in one `错误:` line (cli/failure.py)."""
    import sys

    try:
        build_app()()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("已中断。\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the one place every unhandled failure ends
        from .failure import report

        sys.exit(report(exc))
