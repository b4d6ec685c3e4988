"""Shared CLI helpers: exit codes and error output."""

from __future__ import annotations

import sys

from rich.console import Console

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def out_console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    """Print `错误: message` on stderr and exit with `code` (2 bad input, 1 failure)."""
    err_console().print(f"[bold red]错误[/]: {message}", markup=True)
    sys.exit(code)
