"""Blank import templates: one sheet per form, ready to fill in Excel/WPS and import as is.

Each sheet has the Chinese field labels as header (required ones with a red *), a hint row below
it (type, required, allowed values: every hint in full-width brackets, so the import skips the
row), dropdowns for choice/unit/person/bool columns (lists on the hidden `_lists` sheet, through
defined names: Excel caps inline lists at 255 characters), date columns formatted as dates, text
columns as text (keeps 001 and long numbers), the two top rows frozen and column widths fitted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..spec import LoadedCampaign, effective_fields
from ..spec.models import Form, FormField
from ..spec.tables import column_letter
from .rows import HINT_CLOSE, HINT_OPEN

LISTS_SHEET = "_lists"
FIRST_DATA_ROW = 3  # header, hint row, then data
LAST_ROW = 1_048_576
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = "FFDDEBF7"
HINT_COLOUR = "FF7F7F7F"
REQUIRED_COLOUR = "FFC00000"
MAX_CHOICES_IN_HINT = 6
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass
class TemplateResult:
    path: Path
    sheets: dict[str, str] = field(default_factory=dict)  # form id -> sheet name


def text_width(text: str) -> int:
    """Display width: CJK (wide/full-width) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_title(form_id: str, form: Form) -> str:
    """The sheet name the import looks for: `sheet`, else the title, else the id (if valid)."""
    for name in (form.sheet, form.title):
        if name and len(name) <= 31 and not _BAD_SHEET_CHARS.search(name):
            return name
    return form_id


def template_fields(form: Form) -> dict[str, FormField]:
    """The columns of a form's template (a fixed activity type needs no column)."""
    fields = effective_fields(form)
    if form.kind == "activity" and form.activity_type:
        fields.pop("type", None)
    return fields


def hint(spec: FormField) -> str:
    """The hint-row text of a field, e.g. （必填｜日期，如 2023-03-15）."""
    parts = ["必填" if spec.required else "选填"]
    kind = spec.type
    if kind == "date":
        parts.append("日期，如 2023-03-15")
    elif kind == "int":
        parts.append("整数" + _range(spec))
    elif kind == "number":
        parts.append("数字" + _range(spec))
    elif kind == "bool":
        parts.append("下拉选择：是/否")
    elif kind == "choice":
        choices = spec.choices or []
        shown = "/".join(choices[:MAX_CHOICES_IN_HINT])
        more = f" 等 {len(choices)} 项" if len(choices) > MAX_CHOICES_IN_HINT else ""
        parts.append(f"下拉选择：{shown}{more}")
    elif kind == "unit":
        parts.append("党组织/部门名称，下拉选择")
    elif kind == "person":
        parts.append("姓名，下拉选择")
    elif kind == "file":
        parts.append("文件名或链接")
    else:
        parts.append("文字")
    if spec.help:
        parts.append(spec.help)
    return HINT_OPEN + "｜".join(parts) + HINT_CLOSE


def _range(spec: FormField) -> str:
    def fmt(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else str(v)

    if spec.min is not None and spec.max is not None:
        return f"，{fmt(spec.min)}–{fmt(spec.max)}"
    if spec.min is not None:
        return f"，不小于 {fmt(spec.min)}"
    if spec.max is not None:
        return f"，不大于 {fmt(spec.max)}"
    return ""


def person_choices(loaded: LoadedCampaign) -> list[str]:
    """Names; a name shared by several people is offered as 姓名（编号）."""
    counts: dict[str, int] = {}
    for p in loaded.people:
        counts[p.name] = counts.get(p.name, 0) + 1
    return [p.name if counts[p.name] == 1 else f"{p.name}（{p.id}）" for p in loaded.people]


def write_template(
    *, loaded: LoadedCampaign, path: Path, form_ids: list[str] | None = None
) -> TemplateResult:
    """Write the template workbook for `form_ids` (default: every form) to `path`."""
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    forms = form_ids or list(loaded.spec.forms)
    result = TemplateResult(Path(path))
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = f"{loaded.spec.campaign.title} 数据填报模板"
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    list_names: dict[tuple[str, ...], str] = {}

    def list_name(values: list[str], label: str) -> str:
        key = tuple(values)
        if key not in list_names:
            col = len(list_names) + 1
            letter = column_letter(col - 1)
            lists.cell(row=1, column=col, value=label)
            for row, value in enumerate(values, start=2):
                lists.cell(row=row, column=col, value=value)
            name = f"list_{col}"
            ref = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
            workbook.defined_names[name] = DefinedName(name, attr_text=ref)
            list_names[key] = name
        return list_names[key]

    header_fill = PatternFill(start_color=HEADER_FILL, end_color=HEADER_FILL, fill_type="solid")
    used_titles: set[str] = set()
    units = [u.name for u in loaded.units]
    people = person_choices(loaded)
    for form_id in forms:
        form = loaded.spec.forms[form_id]
        title = sheet_title(form_id, form)
        if title in used_titles:
            title = form_id
        used_titles.add(title)
        result.sheets[form_id] = title
        ws = workbook.create_sheet(title)
        for col, (fid, spec) in enumerate(template_fields(form).items()):
            letter = column_letter(col)
            label = spec.label or fid
            header = ws.cell(row=1, column=col + 1)
            if spec.required:
                header.value = CellRichText(
                    [TextBlock(InlineFont(b=True, color=REQUIRED_COLOUR), "*"), label]
                )
            else:
                header.value = label
            header.font = Font(bold=True)
            header.fill = header_fill
            header.alignment = Alignment(horizontal="center", vertical="center")
            text = hint(spec)
            if spec.type == "person" and not people:  # no 人员名单 in the campaign: free text
                text = text.replace("姓名，下拉选择", "姓名")
            tip = ws.cell(row=2, column=col + 1, value=text)
            tip.font = Font(italic=True, size=9, color=HINT_COLOUR)
            tip.alignment = Alignment(wrap_text=True, vertical="top")
            if spec.help:
                header.comment = Comment(spec.help, "campaignflow", width=240, height=80)
            width = max(text_width(label) + 4, 10)
            ws.column_dimensions[letter].width = min(width, 40)
            if spec.type == "date":
                ws.column_dimensions[letter].number_format = DATE_FORMAT
            elif spec.type in ("text", "file"):
                ws.column_dimensions[letter].number_format = "@"
            values: list[str] | None = None
            if spec.type == "choice":
                values = list(spec.choices or [])
            elif spec.type == "bool":
                values = ["是", "否"]
            elif spec.type == "unit":
                values = units
            elif spec.type == "person" and people:
                values = people
            cells = f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_ROW}"
            if values:
                strict = spec.type in ("choice", "bool")
                validation = DataValidation(
                    type="list",
                    formula1=f"={list_name(values, label)}",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorStyle="stop" if strict else "warning",
                    errorTitle=label,
                    error="请从下拉列表中选择" + ("" if strict else "（也可填写编号）"),
                )
                validation.add(cells)
                ws.add_data_validation(validation)
            elif spec.type == "date":
                validation = DataValidation(
                    type="date",
                    operator="between",
                    formula1="DATE(1990,1,1)",
                    formula2="DATE(2100,12,31)",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorStyle="warning",
                    errorTitle=label,
                    error="请填写日期，如 2023-03-15",
                )
                validation.add(cells)
                ws.add_data_validation(validation)
        ws.row_dimensions[2].height = 45
        ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    workbook.move_sheet(lists, offset=len(workbook.sheetnames) - 1)
    workbook.active = 0
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return result
