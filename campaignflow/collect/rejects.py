"""The rejects workbook of a partial import: bad rows, each bad cell highlighted with its error
as a comment, so the user fixes them in place and imports the file again.

The sheet keeps the source sheet's name and header, so the fixed file imports into the same
form (the extra 原行号/错误 columns are ignored by the import).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .cells import as_text
from .rows import ImportIssue

HIGHLIGHT = "FFFFC7CE"
EXTRA_COLUMNS = ("原行号", "错误")


def rejects_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.rejects.xlsx")


def safe_sheet_title(name: str) -> str:
    """An Excel sheet name: no []:*?/\\ and at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "拒收"


def write_rejects(
    source: Path,
    header: list[Any],
    bad_rows: list[tuple[int, list[Any], list[ImportIssue]]],
    sheet: str = "拒收",
) -> Path:
    """Write `<name>.rejects.xlsx` beside the source and return its path."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    fill = PatternFill(start_color=HIGHLIGHT, end_color=HIGHLIGHT, fill_type="solid")
    workbook = Workbook()
    ws = workbook.active
    ws.title = safe_sheet_title(sheet)
    width = max([len(header), *(len(cells) for _, cells, _ in bad_rows)])
    ws.append([as_text(h) for h in header] + [""] * (width - len(header)) + list(EXTRA_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for out_row, (row_number, cells, issues) in enumerate(bad_rows, start=2):
        ws.append(
            [as_text(c) for c in cells]
            + [""] * (width - len(cells))
            + [row_number, "；".join(f"{i.cell}: {i.message}" for i in issues)]
        )
        for issue in issues:
            cell = ws.cell(row=out_row, column=issue.col + 1)
            cell.fill = fill
            cell.comment = Comment(issue.message, "campaignflow", width=300, height=80)
    ws.freeze_panes = "A2"
    path = rejects_path(source)
    workbook.save(path)
    return path
