"""Answers -> rows of one form: questions mapped to fields, cells converted, located issues."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from ...spec import date_field, effective_fields
from ...spec.models import Form
from ..cells import CellError, Lookup, as_text, convert, header_text
from ..rows import ImportIssue, ParsedRow
from .common import (
    DEFAULT_CHANNEL,
    DEFAULT_STATUS,
    IDENTITY,
    Q_KEY,
    SUBJECT_SLOT,
    Answer,
    normalise_title,
    parse_time,
)

# ---------------------------------------------------------------- mapping


class Mapping:
    """Questions -> fields for one form: exact titles, `q3` numbers and `{subject}` patterns."""

    def __init__(self, form: Form) -> None:
        self.fields = effective_fields(form)
        self.ballot = form.kind == "ballot"
        self.exact: dict[str, str] = {}
        for fid, spec in self.fields.items():
            self.exact[header_text(fid)] = fid
            if spec.label:
                self.exact[header_text(spec.label)] = fid
        self.patterns: list[tuple[re.Pattern[str], str]] = []
        for key, fid in form.columns.items():
            if SUBJECT_SLOT in key:
                before, after = (normalise_title(p) for p in key.split(SUBJECT_SLOT, 1))
                regex = f"^{re.escape(before)}(?P<subject>.+?){re.escape(after)}$"
                self.patterns.append((re.compile(regex), fid))
            elif Q_KEY.match(key.strip()):
                self.exact[key.strip().lower()] = fid
            else:
                self.exact[normalise_title(key)] = fid

    def find(self, title: str, number: int | None) -> tuple[str, str | None] | None:
        """(field id, cadre name for a pattern) of a question, or None when not mapped."""
        if self.ballot and header_text(title) in IDENTITY:
            return None
        norm = normalise_title(title)
        if norm in self.exact:
            return self.exact[norm], None
        if number is not None and f"q{number}" in self.exact:
            return self.exact[f"q{number}"], None
        for pattern, fid in self.patterns:
            match = pattern.match(norm)
            if match:
                return fid, match.group("subject")
        return None


class Builder:
    """Turns answers into ParsedRows of one form (or located issues)."""

    def __init__(self, loaded, form_id, sheet, round_name, paper_secret) -> None:
        self.form = loaded.spec.forms[form_id]
        self.q = self.form.questionnaire
        self.mapping = Mapping(self.form)
        self.fields = self.mapping.fields
        self.lookup = Lookup(loaded.units, loaded.people)
        self.sheet = sheet
        self.round_name = round_name
        self.secret = paper_secret
        self.form_id = form_id
        self.date_field = date_field(self.form)
        self.columns: dict[str, dict[str, int]] = {}  # row key -> field -> column

    def rows(self, answer: Answer) -> list[ParsedRow] | list[ImportIssue]:
        shared: dict[str, list[tuple[int, str, Any]]] = {}
        per_subject: dict[str, dict[str, list[tuple[int, str, Any]]]] = {}
        for title, number, col, raw in answer.items:
            found = self.mapping.find(title, number)
            if found is None:
                continue
            fid, subject = found
            target = shared if subject is None else per_subject.setdefault(subject, {})
            target.setdefault(fid, []).append((col, title, raw))
        issues: list[ImportIssue] = []
        values, cols = self._convert(answer, shared, issues)
        if self.form.kind == "feedback":
            values.setdefault("code", f"{self.q.code_prefix}{answer.number}")
            if self.date_field and values.get(self.date_field) is None and answer.submitted:
                values[self.date_field] = answer.submitted.date()
                cols[self.date_field] = answer.time_col
            if not values.get("status"):
                values["status"] = DEFAULT_STATUS
            if not values.get("channel") and "channel" in self.fields:
                values["channel"] = DEFAULT_CHANNEL
            records = [(values, cols)]
        else:
            values.setdefault("round", self.round_name or answer.name or None)
            records = []
            for name, own in per_subject.items():
                if not any(as_text(raw) for cells in own.values() for _, _, raw in cells):
                    continue  # this cadre's questions were skipped
                mine, mine_cols = self._convert(answer, own, issues)
                col = next(iter(own.values()))[0][0]
                try:
                    mine["subject"] = self.lookup.person(name)
                except CellError as exc:
                    issues.append(answer.issue(self.sheet, col, str(exc)))
                    continue
                records.append(({**values, **mine}, {**cols, **mine_cols, "subject": col}))
            if not per_subject:
                records = [(values, cols)]
        for values, cols in records:
            for fid, spec in self.fields.items():
                if spec.required and values.get(fid) in (None, ""):
                    issues.append(self._missing(answer, fid, cols))
        if issues:
            return issues
        parsed = []
        for values, cols in records:
            key = self._key(answer, values)
            self.columns[key] = cols
            parsed.append(ParsedRow(answer.row, key, values))
        return parsed

    def _convert(self, answer, cells, issues) -> tuple[dict[str, Any], dict[str, int]]:
        values: dict[str, Any] = {}
        cols: dict[str, int] = {}
        for fid, found in cells.items():
            spec = self.fields[fid]
            filled = [(c, t, r) for c, t, r in found if as_text(r)]
            cols[fid] = (filled or found)[0][0]
            if spec.type == "text" and len(filled) > 1:  # several questions into one text
                raw = "\n".join(f"{normalise_title(t)}：{as_text(r)}" for _, t, r in filled)
            else:
                raw = filled[0][2] if filled else ""
            if fid == self.date_field and parse_time(raw):
                raw = parse_time(raw).date()
            try:
                values[fid] = convert(raw, spec.model_copy(update={"required": False}), self.lookup)
            except CellError as exc:
                issues.append(answer.issue(self.sheet, cols[fid], str(exc)))
        return values, cols

    def _missing(self, answer: Answer, fid: str, cols: dict[str, int]) -> ImportIssue:
        label = self.fields[fid].label or fid
        if fid in cols:
            return answer.issue(self.sheet, cols[fid], f"{label}：必填项为空")
        hint = "（用 --round 指定测评轮次）" if fid == "round" else ""
        return answer.issue(
            self.sheet,
            0 if answer.keys is None else -1,
            f"缺少{label}：问卷中没有对应的题目（在表单的 columns 中把题目对应到 {fid}）{hint}",
        )

    def _key(self, answer: Answer, values: dict[str, Any]) -> str:
        if self.form.kind == "ballot":  # opaque: not derivable from 序号/joinid without the key
            text = f"{self.form_id}|{values.get('round')}|{answer.number}|{values.get('subject')}"
            return hmac.new(self.secret, text.encode(), hashlib.sha256).hexdigest()[:24]
        from ..rows import row_key

        return row_key(self.form, values)
