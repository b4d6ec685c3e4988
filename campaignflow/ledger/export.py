"""The three-sheet 整改台账 workbook: 新增 / 推进落实 / 已办结销号.

The same columns as `ledger.sheet` (one row per rectification measure, the problem's
cells repeated), over every problem form of the campaign, split into:

- **新增**: problems found in [since, as_of] (default: the month of `as_of`), with all their measures;
- **推进落实**: measures not closed (未启动、整改中、长期坚持) and problems with no measure yet;
- **已办结销号**: measures 已完成 or 巩固.

States are those of `as_of` (a measure 销号 after it is still 推进落实), problems found after it
are left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from .. import db
from ..spec import LoadedCampaign
from .sheet import COLUMNS, WIDE, LedgerUnavailable, ledger_rows, problem_forms
from .states import CLOSED_STATES

SHEETS = ("新增", "推进落实", "已办结销号")
STATE_COL, PROBLEM_COL = COLUMNS.index("状态"), COLUMNS.index("问题编号")


@dataclass
class LedgerBook:
    path: Path
    since: dt.date
    as_of: dt.date
    sheets: dict[str, int] = field(default_factory=dict)  # sheet -> data rows


def ledger_book_rows(
    *, engine: Engine, loaded: LoadedCampaign, as_of: dt.date, since: dt.date | None = None
) -> dict[str, list[list]]:
    """The rows of each sheet (first column 序号 renumbered per sheet)."""
    since = since or as_of.replace(day=1)
    meta = loaded.spec.campaign
    with db.read_session(engine) as session:
        campaign = db.find_campaign(session, meta.id)
        forms = problem_forms(session, campaign.id)
        if not forms:
            raise LedgerUnavailable(f"活动 {meta.id} 没有问题清单类表单（kind: problem）")
        rows: list[tuple[list, dt.date | None]] = []
        for form in forms:
            found = dict(
                session.execute(
                    select(db.Problem.code, db.Problem.found_on).where(
                        db.Problem.form_id == form.id
                    )
                ).all()
            )
            form_rows, _, _ = ledger_rows(session, campaign.id, form, as_of)
            rows += [(r, found.get(r[PROBLEM_COL])) for r in form_rows]
    sheets: dict[str, list[list]] = {name: [] for name in SHEETS}
    for row, found_on in rows:
        if found_on is not None and since <= found_on <= as_of:
            sheets["新增"].append(list(row))
        if row[STATE_COL] in CLOSED_STATES:
            sheets["已办结销号"].append(list(row))
        else:
            sheets["推进落实"].append(list(row))
    for sheet_rows in sheets.values():
        numbers: dict[str, int] = {}
        for row in sheet_rows:
            row[0] = numbers.setdefault(row[PROBLEM_COL], len(numbers) + 1)
    return sheets


def write_ledger_book(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    path: Path,
    as_of: dt.date,
    since: dt.date | None = None,
) -> LedgerBook:
    """Write the 新增 / 推进落实 / 已办结销号 workbook to `path` (.xlsx)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from ..collect.template import DATE_FORMAT
    from ..spec.tables import column_letter

    since = since or as_of.replace(day=1)
    sheets = ledger_book_rows(engine=engine, loaded=loaded, as_of=as_of, since=since)
    book = LedgerBook(Path(path), since, as_of)
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = f"{loaded.spec.campaign.title} 整改台账"
    for name, rows in sheets.items():
        ws = workbook.create_sheet(name)
        ws.append(list(COLUMNS))
        for row in rows:
            ws.append(row)
        for col, column in enumerate(COLUMNS):
            ws.column_dimensions[column_letter(col)].width = WIDE.get(column, 12)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = DATE_FORMAT
                cell.alignment = Alignment(
                    vertical="top", wrap_text=COLUMNS[cell.column - 1] in WIDE
                )
        ws.freeze_panes = "A2"
        book.sheets[name] = len(rows)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return book
