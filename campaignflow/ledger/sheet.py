"""The 整改台账 workbook: current problems and their rectification measures, as officers print it.

One sheet per problem form (`<问题清单标题>整改台账`), one row per rectification measure in the
usual column order; a problem's cells (序号, 问题来源, 问题表现) are repeated on each of its
measures' rows rather than merged (sortable, filterable), and a problem without measures has
one row with the measure columns empty. 问题编号 and 措施编号 close each row for reference.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from .. import db
from ..asof import state_as_of
from ..collect.template import DATE_FORMAT, HEADER_FILL, text_width
from ..errors import CampaignflowError
from ..spec import LoadedCampaign
from ..spec.tables import column_letter

COLUMNS = (
    "序号",
    "问题来源",
    "问题表现",
    "整改措施",
    "整改时限",
    "责任领导",
    "责任部门/责任人",
    "进展",
    "状态",
    "销号日期",
    "佐证材料",
    "备注",
    "问题编号",
    "措施编号",
)
WIDE = {"问题表现": 40, "整改措施": 40, "进展": 30, "佐证材料": 24, "备注": 20}
DATES = {"整改时限", "销号日期"}


class LedgerUnavailable(CampaignflowError, ValueError):
    """There is nothing to export (campaign not synced, or no problem form)."""


@dataclass
class LedgerResult:
    path: Path
    sheets: dict[str, int] = field(default_factory=dict)  # sheet -> data rows
    problems: int = 0
    measures: int = 0


def natural_order(text: str) -> list:
    """BP-2 before BP-10."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text or "")]


def problem_forms(session, campaign_id: int) -> list[db.Form]:
    """The campaign's problem forms (kind: problem) not archived, in creation order."""
    return list(
        session.scalars(
            select(db.Form)
            .where(
                db.Form.campaign_id == campaign_id,
                db.Form.kind == "problem",
                db.Form.archived.is_(False),
            )
            .order_by(db.Form.id)
        ).all()
    )


def ledger_rows(
    session, campaign_id: int, form: db.Form, as_of: dt.date | None = None
) -> tuple[list[list], int, int]:
    """The ledger rows of one problem form; (rows, problems, measures). With `as_of`, the
    problems found by then, and each measure's state and 销号日期 as they were that day."""
    units: dict[int, str] = dict(
        session.execute(
            select(db.Unit.id, db.Unit.name).where(db.Unit.campaign_id == campaign_id)
        ).all()
    )
    problems = session.scalars(
        select(db.Problem)
        .join(db.Submission, db.Submission.id == db.Problem.submission_id)
        .where(db.Problem.form_id == form.id, db.Submission.archived.is_(False))
    ).all()
    if as_of is not None:
        problems = [p for p in problems if p.found_on is None or p.found_on <= as_of]
    fix_forms = session.scalars(
        select(db.Form.id).where(
            db.Form.campaign_id == campaign_id,
            db.Form.kind == "rectification",
            db.Form.of_form == form.key,
        )
    ).all()
    by_problem: dict[int, list[db.Rectification]] = {}
    measures = 0
    if fix_forms:
        for m in session.scalars(
            select(db.Rectification)
            .join(db.Submission, db.Submission.id == db.Rectification.submission_id)
            .where(db.Rectification.form_id.in_(fix_forms), db.Submission.archived.is_(False))
        ):
            by_problem.setdefault(m.problem_id, []).append(m)
            measures += 1
    rows: list[list] = []
    for number, problem in enumerate(sorted(problems, key=lambda p: natural_order(p.code)), 1):
        head = [number, problem.source or "", problem.description]
        own = sorted(by_problem.get(problem.id, []), key=lambda m: natural_order(m.code))
        if not own:
            rows.append(head + [""] * 9 + [problem.code, ""])
            continue
        for m in own:
            unit = units.get(m.owner_unit_id or problem.unit_id or -1, "")
            owner = "/".join(x for x in (unit, m.owner_person or "") if x)
            state, closed_on = m.state, m.closed_on
            if as_of is not None:
                values = {"state": m.state, "closed_on": m.closed_on, "review_on": m.review_on}
                state = state_as_of("rectification", values, as_of)
                closed_on = closed_on if closed_on and closed_on <= as_of else None
            rows.append(
                head
                + [
                    m.measure,
                    m.due_on,
                    m.leader or "",
                    owner,
                    m.progress or "",
                    state,
                    closed_on,
                    m.evidence or "",
                    m.note or "",
                    problem.code,
                    m.code,
                ]
            )
    return rows, len(problems), measures


def write_ledger(*, engine: Engine, loaded: LoadedCampaign, path: Path) -> LedgerResult:
    """Write the campaign's 整改台账 to `path` (.xlsx)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    meta = loaded.spec.campaign
    result = LedgerResult(Path(path))
    with db.read_session(engine) as session:
        campaign = db.find_campaign(session, meta.id)
        forms = problem_forms(session, campaign.id)
        if not forms:
            raise LedgerUnavailable(
                f"活动 {meta.id} 没有问题清单类表单（kind: problem），无台账可导出"
            )
        sheets = [(form, *ledger_rows(session, campaign.id, form)) for form in forms]
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = f"{meta.title} 整改台账"
    fill = PatternFill(start_color=HEADER_FILL, end_color=HEADER_FILL, fill_type="solid")
    thin = Side(style="thin", color="FFBFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for form, rows, problems, measures in sheets:
        title = re.sub(r"[\[\]:*?/\\]", "_", f"{form.title}整改台账")[:31]
        ws = workbook.create_sheet(title)
        ws.append(list(COLUMNS))
        for row in rows:
            ws.append(row)
        for col, name in enumerate(COLUMNS):
            letter = column_letter(col)
            ws.column_dimensions[letter].width = WIDE.get(name, max(text_width(name) + 4, 10))
        for cells in ws.iter_rows():
            for cell in cells:
                cell.border = border
                name = COLUMNS[cell.column - 1]
                if cell.row == 1:
                    cell.font = Font(bold=True)
                    cell.fill = fill
                    cell.alignment = Alignment(
                        horizontal="center", vertical="center", wrap_text=True
                    )
                    continue
                cell.alignment = Alignment(vertical="top", wrap_text=name in WIDE)
                if name in DATES:
                    cell.number_format = DATE_FORMAT
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{column_letter(len(COLUMNS) - 1)}{max(len(rows) + 1, 1)}"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        result.sheets[title] = len(rows)
        result.problems += problems
        result.measures += measures
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return result
