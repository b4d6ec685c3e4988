"""Serve deployments in this process (Prefect's Runner), from the deployment list."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path


def _flow(entrypoint: str):
    path, name = entrypoint.split(":")
    module = path.removesuffix(".py").replace("/", ".")
    return getattr(importlib.import_module(module), name)


def serve_deployments(specs, root: Path, *, limit: int | None = None) -> None:
    """Block serving every deployment until Ctrl-C / SIGTERM (schedules stay active)."""
    from prefect import serve
    from prefect.schedules import RRule

    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    os.chdir(root)
    deployments = [
        _flow(s.entrypoint).to_deployment(
            name=s.name,
            parameters=s.parameters,
            tags=list(s.tags),
            description=s.description,
            schedules=[
                RRule(
                    s.schedule.rrule,
                    timezone=s.schedule.timezone,
                    parameters=s.schedule.parameters or None,
                )
            ]
            if s.schedule
            else None,
        )
        for s in specs
    ]
    serve(*deployments, pause_on_shutdown=False, print_starting_message=False, limit=limit)
