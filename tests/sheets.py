"""CSV files written by tests the way a branch fills a sheet: a header, then rows by column."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any


def write_rows(path: Path, rows: list[dict[str, Any]], header: list[str]) -> Path:
    """`rows` (dicts keyed by column title; a missing key is a blank cell) as a UTF-8 CSV."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path
