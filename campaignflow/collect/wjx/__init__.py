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

from .builder import Mapping
from .common import (
    BLANK,
    DEFAULT_CHANNEL,
    DEFAULT_STATUS,
    IDENTITY,
    IP,
    JSON_META,
    META,
    NUMBER,
    SUBJECT_SLOT,
    SUBMITTED,
    Answer,
    JsonIssue,
    WjxResult,
    normalise_title,
    parse_time,
    question_number,
)
from .excel import round_from_file
from .importing import import_wjx, import_wjx_json, raw_folder
from .json_push import read_json

__all__ = [
    "Answer",
    "BLANK",
    "DEFAULT_CHANNEL",
    "DEFAULT_STATUS",
    "IDENTITY",
    "IP",
    "JSON_META",
    "JsonIssue",
    "META",
    "Mapping",
    "NUMBER",
    "SUBJECT_SLOT",
    "SUBMITTED",
    "WjxResult",
    "import_wjx",
    "import_wjx_json",
    "normalise_title",
    "parse_time",
    "question_number",
    "raw_folder",
    "read_json",
    "round_from_file",
]
