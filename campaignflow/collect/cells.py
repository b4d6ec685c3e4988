"""One spreadsheet cell -> one typed field value, or a Chinese message saying what is wrong.

Calamine gives floats for every number, '' for empty cells and date/datetime for date cells;
CSV gives strings. Both are normalised here, once, by field type.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from ..spec.models import FormField, Person, Unit

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
    re.compile(r"^((?:19|20)\d{2})(\d{2})(\d{2})$"),  # 20230315
)
_MIDNIGHT = re.compile(r"[ T]00:00(?::00(?:\.0+)?)?$")  # 2023-03-15 00:00:00 (exported datetimes)
_NO_YEAR = re.compile(r"^\d{1,2}\s*(?:月\s*\d{1,2}\s*日?|[-/.]\d{1,2})$")
_WITH_ID = re.compile(r"^(.+?)\s*[（(]\s*([^（()）]+?)\s*[)）]$")  # 张三（P001）
_COUNT = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*(?:人次|人|次|个|名|项|条|场|册|篇|件)\s*$")
_TRUE = {"是", "√", "✓", "true", "True", "TRUE", "1", "Y", "y", "yes", "有"}
_FALSE = {"否", "×", "✗", "false", "False", "FALSE", "0", "N", "n", "no", "无", ""}
# the texts a bool cell may hold (an empty cell is no answer, not 否)
YES, NO = frozenset(_TRUE), frozenset(_FALSE - {""})


def header_text(raw: Any) -> str:
    """A header cell as compared with field labels: required marks (*) and all spaces removed."""
    return re.sub(r"[\s*＊]", "", as_text(raw))


class CellError(ValueError):
    """The cell's value does not fit its field."""


class Lookup:
    """Resolves unit and person cells (id or name) against the campaign's organisation."""

    def __init__(self, units: list[Unit], people: list[Person]) -> None:
        self.units = {u.id: u.id for u in units} | {u.name: u.id for u in units}
        self.people = {p.id: p.id for p in people}
        names: dict[str, list[str]] = {}
        for p in people:
            names.setdefault(p.name, []).append(p.id)
        self.person_names = names
        self.has_people = bool(people)

    def unit(self, text: str) -> str:
        if text in self.units:
            return self.units[text]
        raise CellError(f"未知组织“{text}”：应为组织名称或编号")

    def person(self, text: str) -> str:
        if not self.has_people:
            return text
        if text in self.people:
            return text
        with_id = _WITH_ID.match(text)  # 张三（P001）, as offered in the template's dropdown
        if with_id and with_id.group(2) in self.people:
            name, pid = with_id.groups()
            if pid in self.person_names.get(name, []):
                return pid
            raise CellError(f"人员编号 {pid} 对应的不是“{name}”：请从下拉列表中选择")
        ids = self.person_names.get(text, [])
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            raise CellError(f"“{text}”有 {len(ids)} 人同名，请填写人员编号（{'、'.join(ids)}）")
        raise CellError(f"未知人员“{text}”：应为人员名单中的姓名或编号")


def as_text(raw: Any) -> str:
    """The cell as trimmed text (whole floats without the .0)."""
    if type(raw) is str:  # the common case first (CSV cells, text cells)
        return raw.strip()
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def convert(raw: Any, field: FormField, lookup: Lookup) -> Any:
    """The typed value of a cell for `field`; None for an empty optional cell."""
    text = as_text(raw)
    if text == "":
        if field.required:
            raise CellError("必填项为空")
        return None
    kind = field.type
    if kind == "int":
        value = _number(raw, text, integer=True)
    elif kind == "number":
        value = _number(raw, text, integer=False)
    elif kind == "date":
        return _date(raw, text)
    elif kind == "bool":
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise CellError(f"应为 是 或 否，而不是“{text}”")
    elif kind == "choice":
        if text not in (field.choices or []):
            raise CellError(f"应为以下之一：{'、'.join(field.choices or [])}；而不是“{text}”")
        return text
    elif kind == "unit":
        return lookup.unit(text)
    elif kind == "person":
        return lookup.person(text)
    else:
        return text
    if field.min is not None and value < field.min:
        raise CellError(f"应不小于 {_fmt(field.min)}，而不是 {_fmt(value)}")
    if field.max is not None and value > field.max:
        raise CellError(f"应不大于 {_fmt(field.max)}，而不是 {_fmt(value)}")
    return value


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _number(raw: Any, text: str, *, integer: bool) -> float | int:
    if isinstance(raw, bool):
        raise CellError(f"应为数字，而不是“{text}”")
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        cleaned = unicodedata.normalize("NFKC", text).replace(",", "")
        match = _COUNT.match(cleaned)  # 12人 / 12 人次 / 3个
        try:
            value = float(match.group(1) if match else cleaned)
        except ValueError:
            raise CellError(f"应为{'整数' if integer else '数字'}，而不是“{text}”") from None
    if integer:
        if not value.is_integer():
            raise CellError(f"应为整数，而不是 {text}")
        return int(value)
    return value


def _date(raw: Any, text: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float):
        if 19000101 <= raw <= 21001231 and float(raw).is_integer():
            text = str(int(raw))  # 20230315 typed as a number
        else:
            raise CellError(
                f"日期格式应为 2023-03-15（此单元格是数字 {text}，请把单元格设为日期格式）"
            )
    text = _MIDNIGHT.sub("", text)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                raise CellError(f"日期不存在：{text}") from None
    if _NO_YEAR.match(text):
        raise CellError(f"日期缺少年份：应写成 2023-03-15 或 2023年3月15日，而不是“{text}”")
    raise CellError(f"日期格式应为 2023-03-15 或 2023年3月15日，而不是“{text}”")
