"""Import 问卷星 (wjx) answers into a feedback or ballot form: the Excel export (按文本导出) and
the JSON push (数据推送), with de-duplication, the questionnaire's time window and the raw file
kept beside the import.

The form's `questionnaire:` section turns this on; its `columns` map questions to fields, by the
question title without its number ("1、" / "Q1." are dropped) or by its number (`q3`). A ballot
questionnaire with one question per cadre maps a pattern: `对{subject}的评价: grade` gives one
ballot per (answer, cadre); other mapped questions (测评人类别 …) go on each of them.

Excel export columns: 序号, 提交答卷时间, 所用时间, 来源, 来源详情, 来自IP, then the questions
("1、您对…"), maybe 总分. JSON push: one answer per object, `{"activity", "name", "joinid",
"submittime", "ipaddress", "source", "timetaken", "answer": {"q1": "…", …}}` (question keys
may also be top-level; `answer` may be a list of `{"q": "q1", "title": "…", "answer": "…"}`).

Rules, in this order, per answer:
- submitted outside `questionnaire.window`: the answer is rejected (listed, not stored);
- the same 序号/joinid twice, or the same answers from the same IP within `dedupe_minutes`:
  stored once (the IP is only hashed with a per-run salt, in memory);
- every mapped cell converted by its field type: any bad cell rejects the whole file, located
  (`Sheet1!H7: …`; JSON: `push.jsonl 第3条 q2: …`), nothing written (all-or-nothing).
Rows are then upserted through the normal store (idempotent natural keys, audit on change).

Feedback: 编号 = code_prefix + 序号 (JSON: joinid), 收到日期 = the submit date, 渠道 = 问卷星 and
办理状态 = 待核实 unless mapped. Ballot: only the fields are stored — never the IP, 序号, joinid
or a name; the paper key is a digest of 序号/joinid keyed by a secret kept in the raw folder
(`.paper-key`), so re-imports are idempotent but the database alone links no ballot to an answer.
The original file goes to `<data folder>/raw/<campaign id>/<yyyymmdd-HHMMSS>-<name>`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from .. import db
from ..spec import LoadedCampaign, date_field, effective_fields
from ..spec.models import Form
from .cells import CellError, Lookup, as_text, convert, header_text
from .importer import BATCH, ImportRejected, ImportResult, form_sheet_names, sorted_issues
from .reader import FileRefused, open_table
from .rows import ImportIssue, ParsedRow
from .store import SubmissionWriter

NUMBER, SUBMITTED, IP = "序号", "提交答卷时间", "来自IP"
META = (NUMBER, SUBMITTED, "所用时间", "来源", "来源详情", IP, "总分", "答卷编号")
# JSON push keys -> the Excel export's column names (so one `columns` mapping serves both)
JSON_META = {
    "index": NUMBER,
    "joinid": "答卷编号",
    "submittime": SUBMITTED,
    "timetaken": "所用时间",
    "source": "来源",
    "ipaddress": IP,
    "totalvalue": "总分",
}
JSON_IGNORED = {"activity", "name", "answer", "sign", "ext", "sojumpparm"}
# never stored in a ballot, whatever the mapping says
IDENTITY = {NUMBER, "答卷编号", IP, "来源详情", "joinid", "ipaddress"}
BLANK = {"(跳过)", "（跳过）", "(空)", "（空）", "-3", "-2"}  # wjx's skipped / not shown
SUBJECT_SLOT = "{subject}"
DEFAULT_STATUS, DEFAULT_CHANNEL = "待核实", "问卷星"
_SEP = r"[、.．:：)）]"
_NUMBERED = re.compile(  # 1、 / Q1. / Q1 / 第1题： (a bare number needs its separator)
    rf"^\s*(?:第\s*(\d+)\s*题{_SEP}?|[Qq]\s*(\d+)\s*{_SEP}?|(\d+)\s*{_SEP})\s*(?=\S)"
)
_Q_KEY = re.compile(r"^[Qq](\d+)$")
_TIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_WJX_FILE = re.compile(r"^\d+_\d+_(.+)$")  # 123456_3_作风测评 (the export's file name)


@dataclass(frozen=True)
class JsonIssue(ImportIssue):
    """A problem in a pushed answer: `push.jsonl 第3条 q2: …` (row = answer number)."""

    key: str = ""

    def render(self) -> str:
        key = f" {self.key}" if self.key else ""
        return f"{self.sheet} 第{self.row}条{key}: {self.message}"


@dataclass
class Answer:
    """One 答卷: where it is, its identifiers (never stored for ballots) and its cells."""

    row: int
    number: str  # 序号 or joinid
    submitted: dt.datetime | None
    ip: str
    items: list[tuple[str, int | None, int, Any]]  # (title, question number, column, raw)
    name: str = ""  # questionnaire name (JSON `name`)
    time_col: int = 0
    keys: dict[int, str] | None = None  # JSON: pseudo column -> key (for located messages)

    def issue(self, sheet: str, col: int, message: str) -> ImportIssue:
        if self.keys is None:
            return ImportIssue(sheet, self.row, col, message)
        return JsonIssue(sheet, self.row, col, message, self.keys.get(col, ""))


@dataclass
class WjxResult(ImportResult):
    """What a questionnaire import did: `rows` records stored from `answers` answers."""

    answers: int = 0
    duplicates: int = 0
    raw_file: Path | None = None

    def summary(self) -> str:
        text = (
            f"{self.file} → {self.form}：答卷 {self.answers} 份，重复 {self.duplicates} 份，"
            f"拒收 {self.rejected} 份；写入 {self.rows} 行，新增 {self.inserted}，"
            f"更新 {self.updated}，未变 {self.unchanged}"
        )
        return text + (f"；原始文件已保存到 {self.raw_file}" if self.raw_file else "")


def normalise_title(text: Any) -> str:
    """A question title as compared with `columns` keys: no "1、"/"Q1." number, no spaces/*."""
    return header_text(_NUMBERED.sub("", as_text(text), count=1))


def question_number(text: Any) -> int | None:
    match = _NUMBERED.match(as_text(text))
    return int(next(g for g in match.groups() if g)) if match else None


def parse_time(raw: Any) -> dt.datetime | None:
    """提交答卷时间 "2023/11/5 14:32:10" (or a datetime cell); None when not a time."""
    if isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, dt.date):
        return dt.datetime.combine(raw, dt.time())
    match = _TIME.match(as_text(raw))
    if not match:
        return None
    try:
        return dt.datetime(*(int(g or 0) for g in match.groups()))
    except ValueError:
        return None


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
            elif _Q_KEY.match(key.strip()):
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


# ---------------------------------------------------------------- reading


def _blank(raw: Any) -> Any:
    return "" if as_text(raw) in BLANK else raw


def _excel_answers(path: Path, loaded: LoadedCampaign, form_id: str) -> tuple[str, list[Answer]]:
    table = open_table(path, [*form_sheet_names(loaded, form_id), "Sheet1"], META)
    header = [as_text(h) for h in table.header]
    cols = {header_text(h): c for c, h in enumerate(header)}
    if NUMBER not in cols and SUBMITTED not in cols:
        raise FileRefused(
            f"{path.name}!{table.sheet} 不像问卷星导出的答卷：第 {table.header_row} 行应有"
            "“序号”“提交答卷时间”等列（请在问卷星“下载答卷数据”中选“按文本导出”的 Excel）"
        )
    answers = []
    for row, cells in table.rows:
        if not any(as_text(c) for c in cells):
            continue

        def cell(name: str, cells=cells) -> Any:
            col = cols.get(name)
            return cells[col] if col is not None and col < len(cells) else ""

        items = [
            (title, question_number(title), c, _blank(cells[c] if c < len(cells) else ""))
            for c, title in enumerate(header)
            if title
        ]
        answers.append(
            Answer(
                row=row,
                number=as_text(cell(NUMBER)) or str(row - table.header_row),
                submitted=parse_time(cell(SUBMITTED)),
                ip=as_text(cell(IP)).split("(", 1)[0].strip(),
                items=items,
                time_col=cols.get(SUBMITTED, 0),
            )
        )
    return table.sheet, answers


def _json_items(answer: dict[str, Any], keys: dict[int, str]) -> list[tuple]:
    items: list[tuple[str, int | None, int, Any]] = []
    col = 0

    def add(title: str, raw: Any, key: str) -> None:
        nonlocal col
        if isinstance(raw, list):
            raw = "┋".join(as_text(r) for r in raw)
        number = int(_Q_KEY.match(key).group(1)) if _Q_KEY.match(key) else None
        items.append((title, number, col, _blank(raw)))
        keys[col] = key
        col += 1

    for key, raw in answer.items():
        if key in JSON_META:
            add(JSON_META[key], raw, key)
        elif _Q_KEY.match(key):
            add(key.lower(), raw, key)
    given = answer.get("answer") or {}
    if isinstance(given, dict):
        for key, raw in given.items():
            add(key.lower() if _Q_KEY.match(key) else key, raw, key)
    elif isinstance(given, list):
        for item in given:
            if isinstance(item, dict):
                key = as_text(item.get("q") or item.get("id") or item.get("index"))
                key = f"q{key}" if key.isdigit() else key
                title = as_text(item.get("title")) or key.lower()
                raw = next((item[k] for k in ("answer", "text", "value") if k in item), "")
                add(title, raw, key or title)
                if key and title != key.lower() and _Q_KEY.match(key):
                    items[-1] = (title, int(key[1:]), items[-1][2], items[-1][3])
    return items


def _json_answers(answers: Iterable[dict[str, Any]], label: str) -> list[Answer]:
    result = []
    for index, answer in enumerate(answers, start=1):
        if not isinstance(answer, dict):
            raise FileRefused(f"{label} 第{index}条 不是 JSON 对象（问卷星推送的一份答卷）")
        keys: dict[int, str] = {}
        items = _json_items(answer, keys)
        time_col = next((c for t, _, c, _r in items if t == SUBMITTED), 0)
        result.append(
            Answer(
                row=index,
                number=as_text(answer.get("joinid") or answer.get("index")) or f"#{index}",
                submitted=parse_time(answer.get("submittime")),
                ip=as_text(answer.get("ipaddress")).split("(", 1)[0].strip(),
                items=items,
                name=as_text(answer.get("name")),
                time_col=time_col,
                keys=keys,
            )
        )
    return result


def read_json(path: Path) -> list[dict[str, Any]]:
    """The answers of a .json (one object or a list) or .jsonl file (one object a line)."""
    from ..textfiles import decode

    try:
        text = decode(path.read_bytes())
    except (OSError, UnicodeDecodeError) as exc:
        raise FileRefused(f"无法读取 {path.name}：{exc}") from None
    if path.suffix.lower() == ".jsonl":
        found = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    found.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise FileRefused(
                        f"{path.name} 第 {number} 行不是 JSON：{exc.msg}（第 {exc.colno} 个字符）"
                    ) from None
        return found
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRefused(
            f"{path.name} 不是 JSON：{exc.msg}（第 {exc.lineno} 行第 {exc.colno} 个字符）"
        ) from None
    return data if isinstance(data, list) else [data]


# ---------------------------------------------------------------- answers -> rows


class _Builder:
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
        from .rows import row_key

        return row_key(self.form, values)


# ---------------------------------------------------------------- importing


def raw_folder(home: Path, loaded: LoadedCampaign) -> Path:
    return Path(home) / "raw" / loaded.spec.campaign.id


def _paper_secret(home: Path, loaded: LoadedCampaign) -> bytes:
    """The campaign's ballot paper key (created once, kept with the raw answers)."""
    path = raw_folder(home, loaded) / ".paper-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def _keep_raw(home: Path, loaded: LoadedCampaign, name: str, source: Path | bytes) -> Path:
    folder = raw_folder(home, loaded)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{stamp}-{name}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{stamp}-{n}-{name}"
    if isinstance(source, Path):
        shutil.copy2(source, target)
    else:
        target.write_bytes(source)
    return target


def _form(loaded: LoadedCampaign, form_id: str) -> Form:
    if form_id not in loaded.spec.forms:
        raise FileRefused(f"活动中没有表单 {form_id}（可选：{', '.join(loaded.spec.forms)}）")
    form = loaded.spec.forms[form_id]
    if form.questionnaire is None:
        raise FileRefused(
            f"表单 {form_id}（{form.title}）没有 questionnaire 设置：请在活动方案中为它加上 "
            "questionnaire: {source: wjx} 并在 columns 中把题目对应到字段"
        )
    return form


def round_from_file(path: Path) -> str:
    """A ballot round named after the export: 123456_3_作风测评.wjx.xlsx -> 作风测评."""
    stem = path.name.split(".", 1)[0]
    match = _WJX_FILE.match(stem)
    return match.group(1) if match else stem


def import_wjx(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    form_id: str,
    path: Path,
    home: Path,
    round_name: str | None = None,
    actor: str = "import",
    now: dt.datetime | None = None,
) -> WjxResult:
    """Import a 问卷星 Excel export (.xlsx/.csv), or a .json/.jsonl push file, into `form_id`."""
    path = Path(path)
    _form(loaded, form_id)
    if path.suffix.lower() in (".json", ".jsonl"):
        return import_wjx_json(
            engine=engine,
            loaded=loaded,
            form_id=form_id,
            answers=read_json(path),
            home=home,
            round_name=round_name,
            actor=actor,
            now=now,
            source=path,
        )
    sheet, answers = _excel_answers(path, loaded, form_id)
    round_name = round_name or round_from_file(path)
    return _import(
        engine, loaded, form_id, path, path.name, sheet, answers,
        home, round_name, actor, now, raw=path,
    )  # fmt: skip


def import_wjx_json(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    form_id: str,
    answers: dict[str, Any] | Iterable[dict[str, Any]],
    home: Path,
    round_name: str | None = None,
    actor: str = "import",
    now: dt.datetime | None = None,
    source: Path | None = None,
) -> WjxResult:
    """Import pushed answers (one dict, a list of them, or read from `source`), same rules."""
    _form(loaded, form_id)
    items = [answers] if isinstance(answers, dict) else list(answers)
    label = source.name if source else "wjx-push.jsonl"
    parsed = _json_answers(items, label)
    raw: Path | bytes = source or "".join(
        json.dumps(a, ensure_ascii=False, default=str) + "\n" for a in items
    ).encode("utf-8")
    return _import(
        engine, loaded, form_id, Path(label), label, label, parsed,
        home, round_name, actor, now, raw=raw,
    )  # fmt: skip


@dataclass
class _Dedupe:
    """Answers seen: by number, and by a salted digest of IP + answers (in memory only)."""

    minutes: int
    salt: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    numbers: set[str] = field(default_factory=set)
    seen: dict[str, list[dt.datetime | None]] = field(default_factory=dict)

    def repeated(self, answer: Answer) -> bool:
        if answer.number in self.numbers:
            return True
        self.numbers.add(answer.number)
        if not answer.ip or not self.minutes:
            return False
        given = [(t, as_text(r)) for t, n, _, r in answer.items if header_text(t) not in META]
        digest = hashlib.sha256(
            self.salt + json.dumps([answer.ip, given], ensure_ascii=False).encode()
        ).hexdigest()
        times = self.seen.setdefault(digest, [])
        window = dt.timedelta(minutes=self.minutes)
        at = answer.submitted
        if any(t is None or at is None or abs(at - t) <= window for t in times):
            return True
        times.append(at)
        return False


def _import(
    engine, loaded, form_id, path, name, sheet, answers, home, round_name, actor, now,
    *, raw,
) -> WjxResult:  # fmt: skip
    form = loaded.spec.forms[form_id]
    q = form.questionnaire
    result = WjxResult(form=form_id, file=name, sheet=sheet, answers=len(answers))
    builder = _Builder(loaded, form_id, sheet, round_name, _paper_secret(home, loaded))
    dedupe = _Dedupe(q.dedupe_minutes)
    errors: list[ImportIssue] = []
    rejected: list[ImportIssue] = []
    rows: list[ParsedRow] = []
    ordered = sorted(answers, key=lambda a: (a.submitted or dt.datetime.max, a.row))
    for answer in ordered:
        if q.window is not None:
            start, end = q.window
            when = answer.submitted
            if when is None or not start <= when.date() <= end:
                shown = when.strftime("%Y-%m-%d %H:%M:%S") if when else "（无）"
                rejected.append(
                    answer.issue(
                        sheet,
                        answer.time_col,
                        f"提交时间 {shown} 不在问卷有效期 {start} 至 {end} 内：此答卷不导入",
                    )
                )
                continue
        if dedupe.repeated(answer):
            result.duplicates += 1
            continue
        built = builder.rows(answer)
        if built and isinstance(built[0], ImportIssue):
            errors.extend(built)
        else:
            rows.extend(built)
    rows.sort(key=lambda r: r.row)
    by_row = {a.row: a for a in answers}
    with db.write_session(engine) as session:
        writer = SubmissionWriter(
            session=session,
            loaded=loaded,
            form_id=form_id,
            source=name,
            sheet=sheet,
            actor=actor,
            now=now,
        )
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            for row, fid, message in writer.check(batch):
                col = builder.columns.get(row.key, {}).get(fid, 0)
                errors.append(by_row[row.row].issue(sheet, col, message))
            if not errors:
                writer.write(batch)
        if errors:
            raise ImportRejected(path, sorted_issues(errors), len(errors))
        writer.finish()
        result.inserted, result.updated, result.unchanged = writer.counts()
    result.rows = len(rows)
    result.issues = sorted_issues(rejected)
    result.rejected = len({i.row for i in rejected})
    if result.duplicates:
        result.warnings.append(f"重复答卷 {result.duplicates} 份只计一次")
    if not answers:
        result.warnings.append("没有答卷（只有表头）")
    result.raw_file = _keep_raw(home, loaded, name, raw)
    return result
