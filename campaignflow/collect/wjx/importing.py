"""Importing answers: window, de-duplication, all-or-nothing store, the raw file kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from ... import db
from ...spec import LoadedCampaign
from ...spec.models import Form
from ..cells import as_text, header_text
from ..importer import BATCH, ImportRejected, sorted_issues
from ..reader import FileRefused
from ..rows import ImportIssue, ParsedRow
from ..store import SubmissionWriter
from .builder import Builder
from .common import META, Answer, WjxResult
from .excel import excel_answers, round_from_file
from .json_push import json_answers, read_json

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
    sheet, answers = excel_answers(path, loaded, form_id)
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
    parsed = json_answers(items, label)
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
    builder = Builder(loaded, form_id, sheet, round_name, _paper_secret(home, loaded))
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
            mode="append",  # an export holds every answer so far; pushes come one by one
            channel="问卷星",
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
