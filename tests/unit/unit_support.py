"""Helpers for the unit tests: a small campaign written here (every kind of metric over the
form kinds that carry dates and states, two phases with gates), and rows filed through the
importer as a branch's sheet would be."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheets import write_rows
from sqlalchemy import Engine

from campaignflow.collect import import_file
from campaignflow.collect.importer import ImportResult
from campaignflow.spec import LoadedCampaign

SPEC = """\
campaign: {id: unit-metrics, title: 指标单元测试, organisation: 测试党委, year: 2023}
units:
  - {id: root, name: 党委, kind: 党委}
  - {id: b1, name: 一支部, kind: 党支部, parent: root}
  - {id: b2, name: 二支部, kind: 党支部, parent: root}
  - {id: b3, name: 三支部, kind: 党支部, parent: root}
phases:
  - id: p1
    name: 学习
    window: [2023-03-01, 2023-04-30]
    exit: {all_measures_done: true, sign_off: 支部书记, metrics: {held: 3, attendance: 40}}
  - id: p2
    name: 整改
    window: [2023-05-01, 2023-06-30]
    entry: {metrics: {problems_found: 2}}
    exit: {sign_off: 党委书记}
measures:
  - {id: meet, title: 开会, phase: p1, owner: 各党支部, due: 2023-04-28, form: meetings,
     target: {metric: held, at_least: 2}}
  - {id: find, title: 查找问题, phase: p2, owner: 各党支部, due: 2023-06-30, form: problems}
forms:
  meetings: {kind: activity, title: 会议, activity_types: [支委会, 党课]}
  problems:
    kind: problem
    title: 问题清单
    fields: {category: {type: choice, choices: [甲, 乙, 丙], label: 类别}}
  fixes: {kind: rectification, title: 整改清单, of: problems}
  feedback: {kind: feedback, title: 群众评议}
  visits:
    kind: record
    title: 走访
    key: [code]
    fields:
      code: {type: text, label: 编号, required: true}
      date: {type: date, label: 日期}
      unit: {type: unit, label: 党组织}
      visited: {type: bool, label: 已走访}
      hours: {type: number, label: 时长}
metrics:
  held: {count: meetings, title: 会议, unit: 次}
  lectures: {count: meetings, where: {type: 党课}, title: 党课, unit: 次}
  attendance: {sum: meetings.attendees, title: 参加人次, unit: 人次}
  speakers: {distinct: meetings.speaker, title: 主讲人, unit: 人}
  by_type: {count: meetings, by: type}
  by_unit: {count: meetings, by: unit}
  meeting_days: {days: meetings, unit: 天}
  longest: {span: meetings, unit: 天}
  problems_found: {count: problems, title: 查找问题, unit: 条}
  by_category: {count: problems, by: category}
  fixes_closed: {count: fixes, where: {state: [已完成, 巩固]}}
  fixes_by_state: {count: fixes, by: state}
  satisfied:
    title: 满意率
    rate: {form: feedback, where: {satisfaction: 满意}}
    where: {status: [已办结, 已回复]}
  replied: {count: feedback, where: {status: 已回复}}
  visited_by: {count: visits, by: visited}
  hours: {sum: visits.hours, unit: 小时}
"""

BRANCHES = {"b1": "一支部", "b2": "二支部", "b3": "三支部"}  # unit key -> name, in spec order
HEADERS = {
    "meetings": ["日期", "结束日期", "党组织", "活动类型", "主题", "参加人数", "主讲人"],
    "problems": ["问题编号", "责任部门", "类别", "问题表现", "发现日期"],
    "fixes": ["措施编号", "问题编号", "整改措施", "责任部门", "整改时限", "状态", "销号日期",
              "审核人", "佐证材料", "巩固复查日期"],
    "feedback": ["编号", "收到日期", "反映内容", "承办部门", "办理状态", "回复日期", "满意度"],
    "visits": ["编号", "日期", "党组织", "已走访", "时长"],
}  # fmt: skip


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def write_csv(path: Path, header: list[str], rows: list[dict[str, Any]]) -> Path:
    return write_rows(path, rows, header)


@dataclass
class Campaign:
    """The test campaign synced into one database; `file` imports rows as one filing."""

    loaded: LoadedCampaign
    engine: Engine
    tmp: Path
    filed: list[ImportResult] = field(default_factory=list)

    def file(
        self, form: str, rows: list[dict[str, Any]], unit: str | None = None, mode="replace"
    ) -> ImportResult:
        """Import `rows` (header label -> value) into `form` as one filing (of `unit`: its
        key or name)."""
        unit = {u.name: u.id for u in self.loaded.units}.get(unit, unit)
        path = write_csv(self.tmp / f"{len(self.filed)}-{form}.csv", HEADERS[form], rows)
        result = import_file(
            engine=self.engine, loaded=self.loaded, form_id=form, path=path, mode=mode, unit=unit
        )
        assert not result.rejected, result.issues
        self.filed.append(result)
        return result


def meeting(
    on: str,
    unit: str,
    title: str,
    people: int | str = "",
    speaker: str = "",
    kind: str = "支委会",
    end: str = "",
) -> dict[str, Any]:
    """A 会议 row (an activity form): its date, unit name, title, attendees, speaker, type."""
    return {"日期": on, "结束日期": end, "党组织": unit, "活动类型": kind, "主题": title,
            "参加人数": people, "主讲人": speaker}  # fmt: skip


def problem(code: str, unit: str = "", category: str = "", found: str = "2023-05-02"):
    return {"问题编号": code, "责任部门": unit, "类别": category, "问题表现": f"问题{code}",
            "发现日期": found}  # fmt: skip


def fix(code: str, problem_code: str, state: str, closed: str = "", review: str = "", unit=""):
    done = state in ("已完成", "巩固")
    return {"措施编号": code, "问题编号": problem_code, "整改措施": f"措施{code}", "责任部门": unit,
            "整改时限": "2023-06-30", "状态": state, "销号日期": closed,
            "审核人": "审核人" if done else "", "佐证材料": "材料" if done else "",
            "巩固复查日期": review}  # fmt: skip


def feedback(code: str, received: str, status: str, replied: str = "", satisfaction: str = ""):
    return {"编号": code, "收到日期": received, "反映内容": f"反映{code}", "承办部门": "",
            "办理状态": status, "回复日期": replied, "满意度": satisfaction}  # fmt: skip


def visit(code: str, on: str = "", unit: str = "", visited: str = "", hours: str = ""):
    return {"编号": code, "日期": on, "党组织": unit, "已走访": visited, "时长": hours}
