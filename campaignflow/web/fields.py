"""A form's fields as a web page shows them, and posted values read with the import's checks.

Every field keeps its label, required mark and hint (the Excel template's hint text); choices
become a select (radios for up to four), a unit field offers the link's unit and the units
under it, a person field the people of those units. Values are converted by
`collect.cells.convert`, so a web form says exactly what the Excel import says of a bad cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..collect.cells import CellError, Lookup, convert
from ..collect.template import hint, template_fields
from ..spec import LoadedCampaign
from ..spec.models import FormField

MAX_TEXT = 2000  # characters of one text value
MAX_PEOPLE_LISTED = 500  # more people than this: the person field is typed, not chosen
RADIOS_UP_TO = 4
LONG_TEXT = {"content", "description", "measure", "progress", "note"}


@dataclass(frozen=True)
class WebField:
    id: str
    label: str
    widget: str  # text, textarea, int, number, date, select, radio, bool, fixed
    required: bool
    hint: str
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, shown)
    spec: FormField | None = None


def web_fields(loaded: LoadedCampaign, form_id: str, unit: str | None) -> list[WebField]:
    """The fields of `form_id` as filled by `unit` (None: the public, who choose no unit)."""
    form = loaded.spec.forms[form_id]
    units = loaded.subtree(unit) if unit else []
    within = set(units)
    names = {u.id: u.name for u in loaded.units}
    result = []
    for fid, spec in template_fields(form).items():
        label = spec.label or fid
        text = hint(spec)[1:-1]
        kind = spec.type
        options: list[tuple[str, str]] = []
        widget = "text"
        if kind == "unit":
            options = [(u, names[u]) for u in units]
            widget = "fixed" if len(options) == 1 else "select"
        elif kind == "person":
            people = [p for p in loaded.people if p.unit in within]
            if 0 < len(people) <= MAX_PEOPLE_LISTED:  # else typed: a name or a 人员编号
                options = [(p.id, f"{p.name}（{names.get(p.unit, p.unit)}）") for p in people]
                widget = "select"
        elif kind == "choice":
            options = [(c, c) for c in spec.choices or []]
            widget = "radio" if len(options) <= RADIOS_UP_TO else "select"
        elif kind == "bool":
            widget = "bool"
        elif kind in ("int", "number", "date"):
            widget = kind
        elif fid in LONG_TEXT:
            widget = "textarea"
        result.append(WebField(fid, label, widget, spec.required, text, options, spec))
    return result


def read_row(
    lookup: Lookup, fields: list[WebField], raw: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """(typed values, {field id: message}) of one posted row, checked as an Excel row is."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for f in fields:
        text = (raw.get(f.id) or "").strip()
        if f.widget == "fixed" and f.options:
            text = f.options[0][0]
        if len(text) > MAX_TEXT:
            problems[f.id] = f"不能超过 {MAX_TEXT} 字（现有 {len(text)} 字）"
            continue
        if f.widget == "bool":
            text = "是" if text in ("1", "on", "是") else "否"
        if f.options and text and text not in {value for value, _ in f.options}:
            if f.spec is not None and f.spec.type in ("unit", "person"):
                problems[f.id] = f"“{text}”不在可选范围内：请从列表中选择"
                continue
        try:
            values[f.id] = convert(text, f.spec, lookup) if f.spec else text
        except CellError as exc:
            problems[f.id] = str(exc)
    return values, problems


def blank(raw: dict[str, str], fields: list[WebField]) -> bool:
    """Whether a posted row has nothing typed in it (fixed fields and unticked boxes aside)."""
    return not any(
        (raw.get(f.id) or "").strip() for f in fields if f.widget not in ("fixed", "bool")
    )


def shown_row(fields: list[WebField], raw: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value as shown) of a posted row's filled fields: units and people by name."""
    result = []
    for f in fields:
        value = (raw.get(f.id) or "").strip()
        if f.widget == "fixed" and f.options:
            value = f.options[0][0]
        if f.widget == "bool":
            value = "是" if value in ("1", "on", "是") else ""
        names = dict(f.options)
        if value:
            result.append((f.label, names.get(value, value)))
    return result
