"""Map a sheet's header to a form's fields and turn each row into typed values or located errors."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..spec import LoadedCampaign, effective_fields, natural_key
from ..spec.models import Form, FormField
from ..spec.tables import column_letter
from .bulk import sorted_json_text
from .cells import NO, YES, CellError, Lookup, as_text, convert, header_text
from .reader import UNCACHED_FORMULA, Table

# The template's hint row (right below the header) wraps every hint in full-width brackets:
# “（必填｜日期，如 2023-03-15）”. A row of only such cells there is skipped, not imported.
HINT_OPEN, HINT_CLOSE = "（", "）"


@dataclass(frozen=True)
class ImportIssue:
    """A problem at `sheet!C7`."""

    sheet: str
    row: int  # 1-based
    col: int  # 0-based
    message: str

    @property
    def cell(self) -> str:
        return f"{self.sheet}!{column_letter(self.col)}{self.row}"

    def render(self) -> str:
        return f"{self.cell}: {self.message}"


@dataclass
class ParsedRow:
    """A valid row: its number in the sheet, natural key and typed values by field id."""

    row: int
    key: str
    values: dict[str, Any]
    cells: list[Any] = field(default_factory=list, repr=False)  # as read, for a rejects file


def header_labels(form: Form) -> set[str]:
    """Every header text that names a field of `form` (ids, labels, the `columns` mapping)."""
    labels = set(form.columns)
    for fid, spec in effective_fields(form).items():
        labels.add(fid)
        if spec.label:
            labels.add(spec.label)
    return labels


def has_text(cells: list[Any]) -> bool:
    """Whether any cell is non-blank (`as_text` of it is not empty)."""
    for cell in cells:
        if cell.__class__ is str:
            if cell and not cell.isspace():
                return True
        elif cell is not None and as_text(cell):
            return True
    return False


def cell_converter(spec: FormField, lookup: Lookup) -> Callable[[Any], Any]:
    """`convert` for one field, with fast paths for the common cells (text, a known choice,
    unit or person, a date cell or ISO date text, 是/否, a number within bounds); anything else
    goes to `convert` itself, which gives the same value or the cell's message."""

    def slow(raw: Any) -> Any:
        return convert(raw, spec, lookup)

    kind = spec.type
    if kind in ("text", "file"):

        def text(raw: Any) -> Any:
            if raw.__class__ is str:
                value = raw.strip()
                if value:
                    return value
            return convert(raw, spec, lookup)

        return text
    if kind == "choice":
        allowed = frozenset(spec.choices or ())

        def choice(raw: Any) -> Any:
            if raw.__class__ is str:
                value = raw.strip()
                if value and value in allowed:
                    return value
            return convert(raw, spec, lookup)

        return choice
    if kind == "unit":
        units = lookup.units

        def unit(raw: Any) -> Any:
            if raw.__class__ is str:
                value = raw.strip()
                if value and value in units:
                    return units[value]
            return convert(raw, spec, lookup)

        return unit
    if kind == "date":
        iso = dt.date.fromisoformat

        def date(raw: Any) -> Any:
            cls = raw.__class__
            if cls is dt.datetime:
                return raw.date()
            if cls is dt.date:
                return raw
            if cls is str and len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
                try:
                    return iso(raw)  # 2023-03-15: what the first of cells' patterns reads
                except ValueError:
                    pass
            return convert(raw, spec, lookup)

        return date
    if kind == "bool":

        def yes_no(raw: Any) -> Any:
            if raw is True or raw is False:
                return raw
            if raw.__class__ is str:
                value = raw.strip()
                if value in YES:
                    return True
                if value in NO:
                    return False
            return convert(raw, spec, lookup)

        return yes_no
    if kind == "person" and lookup.has_people:
        people = lookup.people

        def person(raw: Any) -> Any:
            if raw.__class__ is str:
                value = raw.strip()
                if value in people:
                    return value
            return convert(raw, spec, lookup)

        return person
    if kind in ("int", "number"):
        integer, low, high = kind == "int", spec.min, spec.max

        def number(raw: Any) -> Any:
            cls = raw.__class__
            if cls is float or cls is int:
                value = float(raw)
                if (low is None or value >= low) and (high is None or value <= high):
                    if not integer:
                        return value
                    if value.is_integer():
                        return int(value)
            return convert(raw, spec, lookup)  # text, out of bounds, not whole: its message

        return number
    return slow


def is_hint_row(cells: list[Any]) -> bool:
    texts = [as_text(c) for c in cells]
    filled = [t for t in texts if t]
    return bool(filled) and all(t.startswith(HINT_OPEN) and t.endswith(HINT_CLOSE) for t in filled)


class RowParser:
    """Built once per file: header mapping and converters for one form."""

    def __init__(self, loaded: LoadedCampaign, form_id: str, table: Table) -> None:
        self.form = loaded.spec.forms[form_id]
        self.fields = effective_fields(self.form)
        self.key_fields = natural_key(self.form)
        self.lookup = Lookup(loaded.units, loaded.people)
        self.sheet = table.sheet
        self.header_row = table.header_row
        self.uncached = table.uncached
        self.ignored: list[str] = []  # header texts that name no field
        self.columns, self.header_issues = self._map_header(table.header)
        self._seen_keys: Counter[str] = Counter()
        self._first_row: dict[str, int] = {}
        self._merged_cols: dict[int, set[int]] = {}  # row -> columns inside a merged range
        self.merged_rows = self._merged(table.merged)
        self._column_set = frozenset(self.columns)
        self._hint_row = self.header_row + 1
        self._converters = [
            (col, fid, cell_converter(self.fields[fid], self.lookup))
            for col, fid in self.columns.items()
        ]

    def column_of(self, fid: str) -> int:
        """The 0-based column of field `fid` (0 when it has none)."""
        return next((c for c, f in self.columns.items() if f == fid), 0)

    def _map_header(self, header: list[Any]) -> tuple[dict[int, str], list[ImportIssue]]:
        by_label: dict[str, str] = {}
        for fid, spec in self.fields.items():
            by_label[header_text(fid)] = fid
            if spec.label:
                by_label[header_text(spec.label)] = fid
        by_label.update({header_text(k): v for k, v in self.form.columns.items()})
        columns: dict[int, str] = {}
        issues: list[ImportIssue] = []
        row = self.header_row
        for col, cell in enumerate(header):
            text = header_text(cell)
            fid = by_label.get(text)
            if fid is None:
                if text:
                    self.ignored.append(as_text(cell))
                continue
            if fid in columns.values():
                first = column_letter(next(c for c, f in columns.items() if f == fid))
                issues.append(
                    ImportIssue(self.sheet, row, col, f"表头“{text}”重复（{first} 列已有）")
                )
                continue
            columns[col] = fid
        if not columns:
            expected = "、".join(f.label or k for k, f in self.fields.items())
            return columns, [
                ImportIssue(
                    self.sheet,
                    row,
                    0,
                    f"找不到表头：第 {row} 行不是表单“{self.form.title}”的列名。"
                    f"第一行应为表头，列名包括 {expected}",
                )
            ]
        present = set(columns.values())
        for fid, spec in self.fields.items():
            if spec.required and fid not in present:
                label = spec.label or fid
                near = difflib.get_close_matches(label, self.ignored, n=1, cutoff=0.5)
                hint = f"；表头中的“{near[0]}”是否就是它？" if near else ""
                issues.append(
                    ImportIssue(
                        self.sheet,
                        row,
                        len(header),
                        f"缺少必填列“{label}”（表头应为字段名称{hint}）",
                    )
                )
        return columns, issues

    def _merged(self, merged: list[tuple[int, int, int, int]]) -> dict[int, list[ImportIssue]]:
        """Each data row inside a merged range -> its issue (merges in the header are fine)."""
        rows: dict[int, list[ImportIssue]] = {}
        for r0, c0, r1, c1 in merged:
            if r1 + 1 <= self.header_row:
                continue
            span = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
            for r in range(max(r0 + 1, self.header_row + 1), r1 + 2):
                rows.setdefault(r, []).append(
                    ImportIssue(
                        self.sheet, r, c0, f"合并单元格（{span}）：请取消合并并在每行填写完整"
                    )
                )
                self._merged_cols.setdefault(r, set()).update(range(c0, c1 + 1))
        return rows

    def parse(self, row_number: int, cells: list[Any]) -> ParsedRow | list[ImportIssue] | None:
        """A ParsedRow, the row's issues, or None for an empty row (or the template's hints)."""
        uncached = self.uncached.get(row_number) if self.uncached else None
        if uncached:
            uncached = uncached & self._column_set
        if not uncached and not has_text(cells):
            return None
        if row_number == self._hint_row and is_hint_row(cells):
            return None
        values: dict[str, Any] = {}
        issues: list[ImportIssue] = list(self.merged_rows.get(row_number, ()))
        merged = self._merged_cols.get(row_number) if self._merged_cols else None
        width = len(cells)
        for col, fid, convert_cell in self._converters:
            if merged and col in merged:
                continue  # reported once for the merged range
            if uncached and col in uncached:
                issues.append(ImportIssue(self.sheet, row_number, col, UNCACHED_FORMULA))
                continue
            try:
                values[fid] = convert_cell(cells[col] if col < width else "")
            except CellError as exc:
                issues.append(ImportIssue(self.sheet, row_number, col, str(exc)))
        if issues:
            return issues
        if self.form.activity_type and not values.get("type"):
            values["type"] = self.form.activity_type
        key = self._key(values)
        if self.key_fields:
            first = self._first_row.get(key)
            if first is not None:
                labels = "、".join(self._label(k) for k in self.key_fields)
                return [
                    ImportIssue(
                        self.sheet,
                        row_number,
                        self.column_of(self.key_fields[0]),
                        f"与第 {first} 行重复（{labels}相同）：同一条记录只能填一行",
                    )
                ]
            self._first_row[key] = row_number
        return ParsedRow(row_number, key, values, cells)

    def _label(self, fid: str) -> str:
        return self.fields[fid].label or fid

    def _key(self, values: dict[str, Any]) -> str:
        if len(self.key_fields) == 1:
            return as_text(values.get(self.key_fields[0]))
        if self.key_fields:
            return "|".join(as_text(values.get(k)) for k in self.key_fields)
        # no declared key: the row's content, numbered among identical rows of the file
        digest = hashlib.sha256(sorted_json_text(values).encode()).hexdigest()[:24]
        self._seen_keys[digest] += 1
        return f"{digest}#{self._seen_keys[digest]}"


def row_key(form, values: dict[str, Any]) -> str:
    """The natural key of one row entered on its own (not part of a file)."""
    key_fields = natural_key(form)
    if key_fields:
        return "|".join(as_text(values.get(k)) for k in key_fields)
    digest = hashlib.sha256(sorted_json_text(values).encode()).hexdigest()[:24]
    return f"{digest}#1"
