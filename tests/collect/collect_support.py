"""Helpers for the collection tests: files written in tmp_path, row counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

PROBLEM_HEADER = [
    "问题编号",
    "责任部门",
    "问题来源",
    "问题类别",
    "问题表现",
    "发现日期",
    "问题主体",
]
FIX_HEADER = ["措施编号", "问题编号", "整改措施", "责任部门", "责任人", "整改时限", "状态"]


def problem(i: int, **changes: Any) -> list[Any]:
    """A valid 问题清单 row of 八破八立 (columns as PROBLEM_HEADER)."""
    row = {
        "问题编号": f"T-{i:02d}",
        "责任部门": "办公室",
        "问题来源": "自己找",
        "问题类别": "不想担当",
        "问题表现": f"第 {i} 个问题的表现",
        "发现日期": "2023-04-19",
        "问题主体": "党支部",
    }
    row.update(changes)
    return [row[h] for h in PROBLEM_HEADER]


def fix(i: int, problem_code: str, **changes: Any) -> list[Any]:
    row = {
        "措施编号": f"Z-{i:02d}",
        "问题编号": problem_code,
        "整改措施": f"第 {i} 条整改措施",
        "责任部门": "办公室",
        "责任人": "王磊",
        "整改时限": "2023-06-30",
        "状态": "整改中",
    }
    row.update(changes)
    return [row[h] for h in FIX_HEADER]


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A workbook with the given sheets (name -> rows), written by openpyxl."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        ws = workbook.create_sheet(name)
        for row in rows:
            ws.append(row)
    workbook.save(path)
    return path


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table (every campaignflow table)."""
    from campaignflow.db import Base

    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def submissions(engine: Engine, form_key: str) -> dict[str, dict[str, Any]]:
    """natural key -> data of a form's submissions."""
    from campaignflow import db

    with db.read_session(engine) as session:
        rows = session.execute(
            select(db.Submission.natural_key, db.Submission.data)
            .join(db.Form, db.Form.id == db.Submission.form_id)
            .where(db.Form.key == form_key)
        ).all()
    return dict(rows)


def date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def csv_rows(path: Path) -> list[dict[str, str]]:
    """The data rows of a shipped sample .csv (header → value), to derive expected figures."""
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
