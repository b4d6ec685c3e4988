"""The `campaignflow` command line: the one composition root (only it may import flows/Prefect).

Commands live in small modules by group and register themselves on `app` in `build_app()`.
"""

from __future__ import annotations

import typer


def build_app() -> typer.Typer:
    from . import collect, db, ledger, lifecycle, notify, questionnaire, run, server, spec

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
    return app


def main() -> None:
    build_app()()
