"""Import a spreadsheet into a form: all rows validated, stored in one transaction, idempotent.

One pass, streaming: rows are converted and upserted in batches inside one write transaction;
each batch is also checked against the database (a measure's 问题编号 must exist), one query per
batch. The first bad cell stops the writing but not the checking, and at the end the transaction
is rolled back (all-or-nothing) unless `partial` is set. Every error is an `ImportIssue` located
at `sheet!C7`.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from .. import db
from ..errors import CampaignflowError
from ..spec import LoadedCampaign
from .reader import FileRefused, open_table
from .rows import ImportIssue, ParsedRow, RowParser, header_labels
from .store import SubmissionWriter

BATCH = 5000
PROGRESS_EVERY = 1000
MAX_ISSUES_SHOWN = 200
MAX_REJECT_ROWS = 10_000
MAX_ISSUES_KEPT = 10_000  # beyond this, issues are only counted
STATISTICS_AFTER = 1000  # rows changed: the query planner's statistics are refreshed


class ImportRejected(CampaignflowError, ValueError):
    """The file has bad cells; nothing was written. `issues` lists every one."""

    def __init__(self, path: Path, issues: list[ImportIssue], total: int) -> None:
        self.path, self.issues, self.total = path, issues, total
        self.rejects_file: Path | None = None
        shown = "\n".join(i.render() for i in issues[:MAX_ISSUES_SHOWN])
        more = f"\n……另有 {total - MAX_ISSUES_SHOWN} 处错误" if total > MAX_ISSUES_SHOWN else ""
        super().__init__(f"{path.name}：{total} 处错误，未导入任何数据\n{shown}{more}")


@dataclass
class ImportResult:
    """What an import did."""

    form: str
    file: str
    sheet: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    withdrawn: int = 0  # rows of the scope the file left out (replace), cascades excluded
    issues: list[ImportIssue] = field(default_factory=list)
    rejects_file: Path | None = None
    warnings: list[str] = field(default_factory=list)
    filing: int | None = None  # the filing's number (campaignflow history)
    lifecycle: str = ""  # e.g. 替换 局机关党支部 的 支委会 记录：新增 0、更新 2、未变 5、撤回 1

    def summary(self) -> str:
        text = (
            f"{self.file}（{self.sheet}）：{self.lifecycle}"
            if self.lifecycle
            else (
                f"{self.file}（{self.sheet}）→ {self.form}：{self.rows} 行，新增 {self.inserted}，"
                f"更新 {self.updated}，未变 {self.unchanged}"
            )
        )
        if self.rejected:
            text += f"，拒收 {self.rejected} 行（见 {self.rejects_file}）"
        return text


def form_sheet_names(loaded: LoadedCampaign, form_id: str) -> list[str]:
    """The sheet names a form is imported from, in order of preference."""
    form = loaded.spec.forms[form_id]
    return [n for n in (form.sheet, form.title, form_id) if n]


Progress = Callable[[int, int | None], None]


def _no_cycle_collection(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Pause Python's cyclic garbage collector while `fn` runs. An import allocates many
    short-lived, acyclic objects (cells, rows, parameters), each batch of which would set off a
    collection walking every live object (the loaded campaign's people included) and finding no
    cycle. Reference counting still frees everything; the collector resumes (if it was on) after."""

    @functools.wraps(fn)
    def paused(*args: Any, **kwargs: Any) -> Any:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused


@_no_cycle_collection
def import_file(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    form_id: str,
    path: Path,
    partial: bool = False,
    rejects: bool = False,
    actor: str = "import",
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    mode: str = "replace",
    unit: str | None = None,
    channel: str = "文件导入",
) -> ImportResult:
    """Validate every row of `path` and store it into `form_id` as one filing (see module doc).

    `mode` "replace" (default): the file is the whole current data of its scope — the 填报单位
    `unit` when given, else the units its rows name — and the scope's rows it leaves out are
    withdrawn; "append": it only adds and updates. With `partial`, good rows are stored and the
    bad ones written to a rejects workbook (and then nothing is withdrawn); with `rejects` (and
    not partial), a rejected file also gets its rejects workbook.
    `progress(rows_read, total)` is called every `PROGRESS_EVERY` rows and at the end; `total`
    is the number of rows below the header (an estimate for CSV), or None when unknown.

    Memory stays flat: rows are converted and written in batches of `BATCH`; only the natural
    keys seen (for duplicates) and up to `MAX_REJECT_ROWS` bad rows are kept.
    """
    path = Path(path)
    if form_id not in loaded.spec.forms:
        raise FileRefused(f"活动中没有表单 {form_id}（可选：{', '.join(loaded.spec.forms)}）")
    form = loaded.spec.forms[form_id]
    table = open_table(path, form_sheet_names(loaded, form_id), header_labels(form))
    parser = RowParser(loaded, form_id, table)
    result = ImportResult(form=form_id, file=path.name, sheet=table.sheet)
    if parser.ignored:
        result.warnings.append(f"未识别的列已忽略：{'、'.join(parser.ignored)}")
    if parser.header_issues:
        raise ImportRejected(path, parser.header_issues, len(parser.header_issues))
    issues: list[ImportIssue] = []
    total_issues = rejected_rows = 0
    bad_rows: list[tuple[int, list[Any], list[ImportIssue]]] = []
    keep_bad = partial or rejects

    def reject(row_number: int, cells: list[Any], found: list[ImportIssue]) -> None:
        nonlocal total_issues, rejected_rows
        total_issues += len(found)
        rejected_rows += 1
        issues.extend(found[: max(MAX_ISSUES_KEPT - len(issues), 0)])
        if keep_bad and len(bad_rows) < MAX_REJECT_ROWS:
            bad_rows.append((row_number, cells, found))

    with db.write_session(engine) as session:
        writer = SubmissionWriter(
            session=session,
            loaded=loaded,
            form_id=form_id,
            source=path.name,
            sheet=table.sheet,
            actor=actor,
            now=now,
            background=True,  # inserts overlap reading the next batch
            mode=mode,
            channel=channel,
            unit=unit,
            incoming=table.total_rows,
        )

        def flush(batch: list[ParsedRow]) -> None:
            """Check the batch against the database; write its good rows unless rejecting."""
            refused = {}
            for row, fid, message in writer.check(batch):
                issue = ImportIssue(table.sheet, row.row, parser.column_of(fid), message)
                refused.setdefault(row.row, (row, []))[1].append(issue)
            for row, found in refused.values():
                reject(row.row, row.cells, found)
            if issues and not partial:
                return  # keep checking, stop writing: the transaction will be rolled back
            writer.write([row for row in batch if row.row not in refused])

        try:
            batch: list[ParsedRow] = []
            read = 0
            for row_number, cells in table.rows:
                read = row_number - table.header_row
                if progress and read % PROGRESS_EVERY == 0:
                    progress(read, table.total_rows)
                parsed = parser.parse(row_number, cells)
                if parsed is None:
                    continue
                result.rows += 1
                if isinstance(parsed, list):
                    reject(row_number, cells, parsed)
                    continue
                batch.append(parsed)
                if len(batch) >= BATCH:
                    flush(batch)
                    batch = []
            flush(batch)
            if progress:
                progress(read, read)
            if issues and not partial:
                error = ImportRejected(path, sorted_issues(issues), total_issues)
                if bad_rows:
                    from .rejects import write_rejects

                    error.rejects_file = write_rejects(
                        path, table.header, sorted(bad_rows), table.sheet
                    )
                raise error
            if partial and rejected_rows and writer.mode == "replace":
                writer.mode = writer.filing.mode = "append"
                result.warnings.append("有拒收的行：本次只新增和更新，未撤回任何记录")
            writer.finish()
            result.inserted, result.updated, result.unchanged = writer.counts()
            result.withdrawn = writer.withdrawn.own(form_id)
            result.filing = writer.filing.id if writer.recorded else None
            result.lifecycle = writer.summary()
            result.warnings.extend(writer.warnings)
        finally:
            writer.close()  # the worker thread is done before the transaction ends
    if result.inserted + result.updated + result.withdrawn >= STATISTICS_AFTER:
        db.refresh_statistics(engine)
    result.issues = sorted_issues(issues)
    result.rejected = rejected_rows
    if result.rows == 0:
        result.warnings.append("文件中没有数据行（只有表头）")
    if bad_rows:
        from .rejects import write_rejects

        result.rejects_file = write_rejects(path, table.header, sorted(bad_rows), table.sheet)
    return result


def sorted_issues(issues: list[ImportIssue]) -> list[ImportIssue]:
    """In sheet order: by row, then column (batch checks report after the row checks)."""
    return sorted(issues, key=lambda i: (i.row, i.col))
