"""问卷星 answers in common form: column names, `Answer`, `WjxResult`, titles and times."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cells import as_text, header_text
from ..importer import ImportResult
from ..rows import ImportIssue

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
# never stored in a ballot, whatever the mapping says
IDENTITY = {NUMBER, "答卷编号", IP, "来源详情", "joinid", "ipaddress"}
BLANK = {"(跳过)", "（跳过）", "(空)", "（空）", "-3", "-2"}  # wjx's skipped / not shown
SUBJECT_SLOT = "{subject}"
DEFAULT_STATUS, DEFAULT_CHANNEL = "待核实", "问卷星"
_SEP = r"[、.．:：)）]"
_NUMBERED = re.compile(  # 1、 / Q1. / Q1 / 第1题： (a bare number needs its separator)
    rf"^\s*(?:第\s*(\d+)\s*题{_SEP}?|[Qq]\s*(\d+)\s*{_SEP}?|(\d+)\s*{_SEP})\s*(?=\S)"
)
Q_KEY = re.compile(r"^[Qq](\d+)$")
_TIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
WJX_FILE = re.compile(r"^\d+_\d+_(.+)$")  # 123456_3_作风测评 (the export's file name)


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


def blank(raw: Any) -> Any:
    return "" if as_text(raw) in BLANK else raw
