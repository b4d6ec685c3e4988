"""Reading a 问卷星 Excel export (按文本导出) into answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...spec import LoadedCampaign
from ..cells import as_text, header_text
from ..importer import form_sheet_names
from ..reader import FileRefused, open_table
from .common import (
    IP,
    META,
    NUMBER,
    SUBMITTED,
    WJX_FILE,
    Answer,
    blank,
    parse_time,
    question_number,
)


def excel_answers(path: Path, loaded: LoadedCampaign, form_id: str) -> tuple[str, list[Answer]]:
    table = open_table(path, [*form_sheet_names(loaded, form_id), "Sheet1"], META)
    header = [as_text(h) for h in table.header]
    cols = {header_text(h): c for c, h in enumerate(header)}
    if NUMBER not in cols and SUBMITTED not in cols:
        raise FileRefused(
            f"{path.name}!{table.sheet} 不像问卷星导出的答卷：第 {table.header_row} 行应有"
            "“序号”“提交答卷时间”等列（请在问卷星“下载答卷数据”中选“按文本导出”的 Excel）"
        )
    answers = []
    for row, cells in table.rows:
        if not any(as_text(c) for c in cells):
            continue

        def cell(name: str, cells=cells) -> Any:
            col = cols.get(name)
            return cells[col] if col is not None and col < len(cells) else ""

        items = [
            (title, question_number(title), c, blank(cells[c] if c < len(cells) else ""))
            for c, title in enumerate(header)
            if title
        ]
        answers.append(
            Answer(
                row=row,
                number=as_text(cell(NUMBER)) or str(row - table.header_row),
                submitted=parse_time(cell(SUBMITTED)),
                ip=as_text(cell(IP)).split("(", 1)[0].strip(),
                items=items,
                time_col=cols.get(SUBMITTED, 0),
            )
        )
    return table.sheet, answers


def round_from_file(path: Path) -> str:
    """A ballot round named after the export: 123456_3_作风测评.wjx.xlsx -> 作风测评."""
    stem = path.name.split(".", 1)[0]
    match = WJX_FILE.match(stem)
    return match.group(1) if match else stem
