"""Load a campaign file: YAML -> models -> cross-reference checks, every error located."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..calendar import WorkCalendar
from . import checks
from .due import resolve_due_dates
from .errors import SpecError, SpecIssue
from .kinds import effective_fields
from .models import Campaign, FormField, Measure, PeopleFile, Unit, UnitsFile
from .paths import inside, outside
from .people import PersonRecord, records
from .prune import about_pruned, is_key, original, validate_pruned
from .syntax import syntax_issue
from .tables import read_people, read_units
from .yamlpos import Pos, Positions, parse

MAX_BYTES = 2 * 1024 * 1024


@dataclass
class LoadedCampaign:
    """A validated campaign with its units and people resolved and due dates computed."""

    path: Path
    spec: Campaign
    units: list[Unit]
    people: list[PersonRecord]
    due: dict[str, dt.date | None] = field(default_factory=dict)
    source_digest: str = ""  # sha256 of the campaign file and the tables it names, as read

    @property
    def root(self) -> Path:
        return self.path.parent

    def file(self, name: str | None) -> Path | None:
        """A file the campaign names (a template, a table), inside the campaign folder; None
        for None. Raises OutsideCampaign for a path that leaves it (validate refuses it first)."""
        return None if name is None else inside(self.root, name)

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

    def subtree(self, unit: str) -> list[str]:
        """`unit` and every unit under it (keys), in the organisation's order."""
        children: dict[str | None, list[str]] = {}
        for u in self.units:
            children.setdefault(u.parent, []).append(u.id)
        found, todo = {unit}, [unit]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return [u.id for u in self.units if u.id in found]

    def form_fields(self, form_id: str) -> dict[str, FormField]:
        return effective_fields(self.spec.forms[form_id])


class Located:
    """Builds issues for one file from data paths."""

    def __init__(self, display: str, text: str, positions: Positions) -> None:
        self.display = display
        self.lines = text.splitlines()
        self.positions = positions

    def issue(self, path: tuple, msg: str, *, key: bool = False) -> SpecIssue:
        return self.at(self.positions.of(path, key=key), msg)

    def at(self, pos: Pos, msg: str) -> SpecIssue:
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
        raise SpecError([syntax_issue(exc, display, text)]) from None
    except RecursionError:
        msg = "YAML 嵌套层级过深：请检查是否有未闭合或多余的括号"
        raise SpecError([SpecIssue(display, 1, 1, msg)]) from None
    loc = Located(display, text, positions)
    if data is None:
        raise SpecError(
            [SpecIssue(display, 1, 1, "文件为空：至少需要 campaign 段（活动名称、单位、年度）")]
        )
    if not isinstance(data, dict):
        raise SpecError([loc.issue((), "顶层应为键值对，如 campaign:、phases:、measures:")])
    issues = [
        loc.at(
            pos,
            f"重复的键 {p[-1]}（第 {positions.of(p, key=True).line} 行已有；同一层级只能出现一次）",
        )
        for p, pos in positions.duplicates
    ]
    issues += [
        loc.at(
            pos,
            f'键 {p[-1]} 会被 YAML 当作是/否（布尔值）：请换个名字（如 seq），或加引号写成 "{p[-1]}"',
        )
        for p, pos in positions.bool_keys
    ]
    spec, pruned, origin = validate_pruned(data, issues, loc)
    if spec is None:
        raise SpecError(issues)
    if isinstance(data.get("forms"), dict):
        spec._declared_forms = [str(k) for k in data["forms"]]
    before = len(issues)
    units, people = _resolve_tables(spec, path.parent, issues, loc)
    # owners are only checked against a complete organisation tree (no cascade of 未知责任单位
    # when units.xlsx is missing or some of its rows, or inline units, are broken)
    given = data.get("units", [])
    complete = len(issues) == before and (
        not isinstance(spec.units, list) or (isinstance(given, list) and len(given) == len(units))
    )
    known_units = units if complete else None
    calendar = WorkCalendar.from_spec(spec.calendar)
    due, due_errors = resolve_due_dates(spec, calendar)
    found = [
        *checks.check_units(
            units, people, isinstance(spec.units, UnitsFile), isinstance(spec.people, PeopleFile)
        ),
        *checks.check_stages(spec),
        *checks.check_measures(spec, known_units, due, due_errors, calendar),
        *checks.check_forms(spec),
        *checks.check_metrics(spec),
        *checks.check_reports(spec, path.parent),
        *checks.check_templates(spec, path.parent),
        *checks.check_reminders(spec, known_units),
        *checks.check_secrets(spec),
        *checks.check_calendar(spec, calendar),
        *checks.check_calendar_years(spec),
        *checks.check_questionnaires(spec),
    ]
    issues.extend(
        loc.issue(original(p, origin), msg, key=is_key(original(p, origin), data))
        for p, msg in found
        if not about_pruned(msg, pruned)
    )
    if issues:
        raise SpecError(issues)
    return LoadedCampaign(
        path=path,
        spec=spec,
        units=units,
        people=people,
        due=due,
        source_digest=_digest(text, [p for p in _files_read(spec, path.parent)[:2] if p]),
    )


def _digest(text: str, tables: list[Path]) -> str:
    import hashlib

    digest = hashlib.sha256(text.encode("utf-8"))
    for table in tables:
        digest.update(b"\0" + table.name.encode() + b"\0")
        try:
            digest.update(table.read_bytes())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()


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
        start = raw.rfind(b"\n", 0, exc.start) + 1
        col = len(raw[start : exc.start].decode("utf-8", errors="replace")) + 1
        end = raw.find(b"\n", exc.start)
        source = raw[start : end if end >= 0 else len(raw)].decode("gb18030", errors="replace")
        msg = "文件不是 UTF-8 编码（可能是 GBK）：请用“UTF-8”另存为后再试"
        raise SpecError([SpecIssue(display, line, col, msg, source.rstrip("\r"))]) from None
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise fail("文件为空：至少需要 campaign 段（活动名称、单位、年度）")
    return text


def _resolve_tables(spec: Campaign, root: Path, issues: list[SpecIssue], loc: Located):
    """Units and people: inline lists as they are, files read (their problems become issues)."""
    tables = []
    for section, reader in (("units", read_units), ("people", read_people)):
        value = getattr(spec, section)
        if isinstance(value, list):
            tables.append(records(value) if section == "people" else value)
            continue
        problem = outside(root, value.file)
        if problem:
            issues.append(loc.issue((section, "file"), problem))
            tables.append([])
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


# ---------------------------------------------------------------- one load per content

_LOADED: dict[Path, tuple[str, tuple, LoadedCampaign]] = {}
LOAD_STATS = {"loads": 0, "hits": 0}  # this process's full loads, and loads answered from cache


def _files_read(spec: Campaign, root: Path) -> list[Path | None]:
    """The files a load reads besides the campaign file: the units and people tables (None
    when inline), then the templates."""
    tables = [getattr(spec.units, "file", None), getattr(spec.people, "file", None)]
    templates = [spec.reports.phase, spec.reports.final, spec.reports.branch,
                 *spec.reports.phases.values()]  # fmt: skip
    return [root / t if t and not outside(root, t) else None for t in tables] + [
        root / t for t in templates if t and not outside(root, t)
    ]


def _stamp(paths: list[Path | None]) -> tuple:
    out = []
    for p in paths:
        if p is None:
            continue
        try:
            st = p.stat()
            out.append((str(p), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(p), None, None))
    return tuple(out)


def adopt(path: str | Path, loaded: LoadedCampaign) -> bool:
    """Let `load_cached(path)` answer with `loaded` — the campaign another process loaded (the
    one that spawned this one) — when the file and the tables it names still read as they did
    for it; False (nothing kept) when they changed since."""
    import hashlib

    key = Path(path).resolve()
    try:
        raw = key.read_bytes()
        text = _read(key, str(path))
    except (OSError, SpecError):
        return False
    if _digest(text, [p for p in _files_read(loaded.spec, key.parent)[:2] if p]) != (
        loaded.source_digest
    ):
        return False
    stamp = _stamp(_files_read(loaded.spec, key.parent))
    _LOADED[key] = (hashlib.sha256(raw).hexdigest(), stamp, loaded)
    return True


def load_cached(path: str | Path) -> LoadedCampaign:
    """`load(path)`, answered from this process's cache while the campaign file's content and
    the files it names (units, people, templates) are unchanged: a flow run and its subflows
    load a campaign once."""
    import hashlib

    path = Path(path)
    key = path.resolve()
    try:
        digest = hashlib.sha256(key.read_bytes()).hexdigest()
    except OSError:
        return load(path)  # reports the missing or unreadable file
    hit = _LOADED.get(key)
    if (
        hit is not None
        and hit[0] == digest
        and hit[1] == _stamp(_files_read(hit[2].spec, key.parent))
    ):
        LOAD_STATS["hits"] += 1
        return hit[2]
    loaded = load(path)
    LOAD_STATS["loads"] += 1
    _LOADED[key] = (digest, _stamp(_files_read(loaded.spec, key.parent)), loaded)
    return loaded
