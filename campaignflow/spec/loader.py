"""Load a campaign file: YAML -> models -> cross-reference checks, every error located."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from ..calendar import WorkCalendar
from . import checks
from .due import resolve_due_dates
from .errors import SpecError, SpecIssue
from .kinds import effective_fields
from .models import Campaign, FormField, Measure, PeopleFile, Person, Unit, UnitsFile
from .tables import read_people, read_units
from .translate import data_path, message
from .yamlpos import Positions, parse

MAX_BYTES = 2 * 1024 * 1024


@dataclass
class LoadedCampaign:
    """A validated campaign with its units and people resolved and due dates computed."""

    path: Path
    spec: Campaign
    units: list[Unit]
    people: list[Person]
    due: dict[str, dt.date | None] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def calendar(self) -> WorkCalendar:
        return WorkCalendar.from_spec(self.spec.calendar)

    def owner_units(self, measure: Measure) -> list[Unit]:
        """The units responsible for a measure (groups such as 各党支部 expanded)."""
        result: dict[str, Unit] = {}
        for owner in measure.owners:
            for unit in checks.resolve_owner(owner, self.units) or []:
                result[unit.id] = unit
        return list(result.values())

    def form_fields(self, form_id: str) -> dict[str, FormField]:
        return effective_fields(self.spec.forms[form_id])


class _Located:
    """Builds issues for one file from data paths."""

    def __init__(self, display: str, text: str, positions: Positions) -> None:
        self.display = display
        self.lines = text.splitlines()
        self.positions = positions

    def issue(self, path: tuple, msg: str, *, key: bool = False) -> SpecIssue:
        pos = self.positions.of(path, key=key)
        source = self.lines[pos.line - 1] if 0 < pos.line <= len(self.lines) else None
        return SpecIssue(self.display, pos.line, pos.col, msg, source)


def load(path: str | Path) -> LoadedCampaign:
    """Read and validate a campaign file; raises SpecError listing every problem found."""
    path = Path(path)
    display = str(path)
    text = _read(path, display)
    try:
        data, positions = parse(text)
    except yaml.YAMLError as exc:
        raise SpecError([_syntax_issue(exc, display, text)]) from None
    loc = _Located(display, text, positions)
    if data is None:
        raise SpecError(
            [SpecIssue(display, 1, 1, "文件为空：至少需要 campaign 段（活动名称、单位、年度）")]
        )
    if not isinstance(data, dict):
        raise SpecError([loc.issue((), "顶层应为键值对，如 campaign:、phases:、measures:")])
    issues = [
        loc.issue(p, f"重复的键 {p[-1]}（同一层级只能出现一次）", key=True)
        for p, _ in positions.duplicates
    ]
    spec, pruned = _validate(data, issues, loc)
    if spec is None:
        raise SpecError(issues)
    units, people = _resolve_tables(spec, path.parent, issues, loc)
    calendar = WorkCalendar.from_spec(spec.calendar)
    due, due_errors = resolve_due_dates(spec, calendar)
    found = [
        *checks.check_units(
            units, people, isinstance(spec.units, UnitsFile), isinstance(spec.people, PeopleFile)
        ),
        *checks.check_stages(spec),
        *checks.check_measures(spec, units, due, due_errors),
        *checks.check_forms(spec),
        *checks.check_metrics(spec),
        *checks.check_reports(spec, path.parent),
        *checks.check_reminders(spec, units),
        *checks.check_calendar(spec, calendar),
    ]
    issues.extend(
        loc.issue(p, msg, key=_is_key(p, data))
        for p, msg in found
        if not any(re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", msg) for i in pruned)
    )
    if issues:
        raise SpecError(issues)
    return LoadedCampaign(path=path, spec=spec, units=units, people=people, due=due)


_OPTIONAL_SECTIONS = {"calendar", "units", "people", "reminders", "reports"}


def _validate(
    data: dict, issues: list[SpecIssue], loc: _Located
) -> tuple[Campaign | None, set[str]]:
    """Validate; on errors, record them, drop the broken items and retry so that the
    cross-reference checks still run over the rest (all errors at once). Returns the model
    (None when a required part is broken) and the ids of the items dropped."""
    pruned: set[str] = set()
    current = data
    for _attempt in range(8):
        try:
            spec = Campaign.model_validate(current)
        except ValidationError as exc:
            broken: set[tuple] = set()
            for error in exc.errors():
                p = data_path(error["loc"], current)
                if error["type"] == "missing":
                    issue = loc.issue(p[:-1], message(error, p), key=True)
                else:
                    issue = loc.issue(p, message(error, p), key=error["type"] == "extra_forbidden")
                if issue not in issues:
                    issues.append(issue)
                broken.add(p[:2] if len(p) >= 2 else p)
            current = _drop(current, broken, pruned)
            if current is None:
                return None, pruned
            continue
        return spec, pruned
    return None, pruned


def _drop(data: dict, broken: set[tuple], pruned: set[str]) -> dict | None:
    """A copy of data without the broken section items; None if a required part is broken."""
    result = {
        k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
        for k, v in data.items()
    }
    drops: dict[str, set] = {}
    for path in broken:
        if not path or path[0] not in result:
            return None
        section = path[0]
        if len(path) == 1 or section in _OPTIONAL_SECTIONS:
            if section not in _OPTIONAL_SECTIONS and section not in (
                "measures",
                "forms",
                "metrics",
            ):
                return None
            result.pop(section)
            continue
        if section == "campaign":  # keep checking the rest against a stand-in header
            result["campaign"] = {"id": "x", "title": "-", "organisation": "-", "year": 2000}
            continue
        if not isinstance(result[section], list | dict):
            return None
        drops.setdefault(section, set()).add(path[1])
    for section, keys in drops.items():
        value = result.get(section)
        if isinstance(value, list):
            for i in keys:
                item = value[i] if isinstance(i, int) and i < len(value) else None
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    pruned.add(item["id"])
            result[section] = [v for i, v in enumerate(value) if i not in keys]
        elif isinstance(value, dict):
            pruned.update(str(k) for k in keys)
            result[section] = {k: v for k, v in value.items() if k not in keys}
    return result


def _is_key(path: tuple, data: dict) -> bool:
    """Point at the key when the value is a mapping or list (the value starts on the next line)."""
    value = data
    for step in path:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return True
    return isinstance(value, dict | list) and bool(path) and isinstance(path[-1], str)


def _read(path: Path, display: str) -> str:
    def fail(msg: str) -> SpecError:
        return SpecError([SpecIssue(display, 1, 1, msg)])

    if not path.exists():
        raise fail("文件不存在")
    if path.is_dir():
        raise fail("这是一个文件夹；请指定其中的 campaign.yaml")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise fail(
            f"文件过大（{size / 1024 / 1024:.1f} MB）：活动方案不应超过 2 MB，数据请放在 Excel/CSV 中导入"
        )
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise fail("这不是文本文件（含二进制内容）：活动方案应为 UTF-8 编码的 YAML 文本")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError(
            [
                SpecIssue(
                    display, line, 1, "文件不是 UTF-8 编码（可能是 GBK）：请用“UTF-8”另存为后再试"
                )
            ]
        ) from None
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise fail("文件为空：至少需要 campaign 段（活动名称、单位、年度）")
    return text


_SYNTAX_HINTS = {
    "found character '\\t' that cannot start any token": "YAML 不允许用 Tab 缩进，请改用空格",
    "mapping values are not allowed here": "此处不能出现冒号：若文字里有冒号，请给整段文字加引号",
    "could not find expected ':'": "缺少冒号“:”（键和值之间要有冒号和空格）",
    "found undefined alias": "引用了未定义的锚点",
    "expected <block end>, but found": "缩进不一致：同一层级的项目要对齐",
    "found unexpected end of stream": "引号或括号没有闭合",
    "did not find expected key": "缩进不一致或缺少“- ”：同一层级的项目要对齐",
    "did not find expected '-' indicator": "列表项缺少“- ”或缩进不一致",
    "found unhashable key": "键不能是列表或键值对",
}


def _syntax_issue(exc: yaml.YAMLError, display: str, text: str) -> SpecIssue:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    hint = next((h for k, h in _SYNTAX_HINTS.items() if problem.startswith(k)), None)
    lines = text.splitlines()
    if (
        mark is not None
        and mark.line < len(lines)
        and _quote_then_text(lines[mark.line], mark.column)
    ):
        hint = (
            "引号之后还有文字：以引号开头的内容须整段加引号，如 title: '“八破八立”解放思想大讨论'"
        )
    msg = f"YAML 语法错误：{hint}" if hint else f"YAML 语法错误：{problem}"
    if mark is None:
        return SpecIssue(display, 1, 1, msg)
    line = min(mark.line + 1, max(len(lines), 1))
    source = lines[line - 1] if lines else None
    return SpecIssue(display, line, mark.column + 1, msg, source)


def _quote_then_text(line: str, column: int) -> bool:
    before = line[:column].rstrip()
    return before.endswith(('"', "'")) and ': "' in before or ": '" in before


def _resolve_tables(spec: Campaign, root: Path, issues: list[SpecIssue], loc: _Located):
    """Units and people: inline lists as they are, files read (their problems become issues)."""
    tables = []
    for section, reader in (("units", read_units), ("people", read_people)):
        value = getattr(spec, section)
        if isinstance(value, list):
            tables.append(value)
            continue
        file = root / value.file
        if not file.is_file():
            issues.append(loc.issue((section, "file"), f"找不到文件 {value.file}（相对于 {root}）"))
            tables.append([])
            continue
        rows, problems = reader(file, str(Path(loc.display).parent / value.file))
        issues.extend(problems)
        tables.append(rows)
    return tables[0], tables[1]
