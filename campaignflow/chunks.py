"""Splitting per-branch work into chunks (the unit a worker takes)."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def chunked(items: list[T], size: int) -> list[list[T]]:
    """`items` in consecutive chunks of at most `size` (a size below 1 counts as 1)."""
    size = max(int(size), 1)
    return [items[i : i + size] for i in range(0, len(items), size)]
