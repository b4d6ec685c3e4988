"""Check that the sample data reproduce the seed annual summary's figures.

Run from the repository root:  uv run python campaign_specs/party-building-2023/data/_check_figures.py

Evaluates the metrics *as declared in campaign.yaml* (count / sum / distinct / rate with `where`)
over the CSV files in data/, with a few lines of plain Python (independent of the metrics
engine), and compares them with the figures of the 2023 summary. Exit status 1 on a mismatch.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

from campaignflow.spec import effective_fields, load

HERE = Path(__file__).resolve().parent

EXPECTED = {  # metric id -> figure in the seed summary (and the sentence it comes from)
    "study_sessions": (37, "截至11月上旬，开展各类型学习37次"),
    "study_attendance": (301, "参与人数301人次"),
    "secretary_talks": (3, "党组织书记……讲授党的二十大精神3次"),
    "lesson_speakers": (4, "4名党组成员"),
    "party_lessons": (12, "上台讲党课12次"),
    "ideas_planned": (5, "拟定5条“我为发展献一策”计划"),
    "deeds_planned": (5, "制定5条“为民服务办实事”计划"),
    "ideology_reviews": (3, "党组会议分析研判意识形态工作3次"),
    "ideology_notices": (1, "在全局通报意识形态工作1次"),
    "ideology_seminars": (1, "专题学习研讨意识形态工作1次"),
    "ideology_lessons": (1, "讲授思政党课1次"),
    "committee_meetings": (12, "截至11月，召开支委会议12次"),
    "member_meetings": (13, "党员大会13次"),
    "members_confirmed": (1, "1名预备党员如期转正"),
    "members_admitted": (1, "1名发展对象接收为预备党员"),
    "theme_days": (12, "共开展主题党日活动12次"),
    "other_activities": (12, "其他活动12次"),
    "volunteer_services": (77, "组织各类志愿服务77次"),
    "volunteer_attendance": (224, "参与人数224人次"),
    "pb_issues_found": (6, "两个方面不足……四个问题"),
    "pb_fixes_open": (0, "所涉及的问题已全部整改到位"),
    "bapo_seminars": (2, "组织两次集中研讨"),
    "bapo_problems": (85, "查找……问题85条"),
    "bapo_fixes": (92, "分类制定整改措施92条"),
    "bapo_blueprints": (2, "2项目标蓝图"),
    "bapo_work_items": (27, "27项工作清单"),
    "doers": (6, "推选出“实干型”干部6名"),
    "lying_flat": (1, "“躺平式”干部1名"),
    "feedback_closed": (34, "共办结留言事项34件"),
    "feedback_satisfied": (34, "均为满意件"),
    "satisfaction_rate": (1.0, "均为满意件"),
    "quality_files": (54, "建立优秀年轻干部政治素质档案54册"),
    "promotions": (3, "共提任科级年轻3名"),
    "promotions_1990s": (2, "其中90后科级年轻干部2名"),
    "young_cadres_by_generation": ({"80后": 6, "90后": 5}, "80后……6名、90后……5名"),
}
CUTOFFS = {  # form -> last date the summary counts (“截至11月上旬” / “截至11月”)
    "studies": dt.date(2023, 11, 10),
    "meetings": dt.date(2023, 11, 30),
    "volunteering": dt.date(2023, 11, 30),
}


def read_form(loaded, form_id: str) -> list[dict]:
    fields = effective_fields(loaded.spec.forms[form_id])
    by_label = {(f.label or k): k for k, f in fields.items()}
    with open(HERE / f"{form_id}.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    records = []
    for row in rows:
        record = {}
        for label, text in row.items():
            fid = by_label[label]
            kind = fields[fid].type
            if text == "":
                record[fid] = None
            elif kind == "int":
                record[fid] = int(text)
            elif kind == "date":
                record[fid] = dt.date.fromisoformat(text)
            else:
                record[fid] = text
        records.append(record)
    return records


def matches(record: dict, where: dict) -> bool:
    for name, wanted in where.items():
        allowed = {str(v) for v in (wanted if isinstance(wanted, list) else [wanted])}
        if str(record.get(name)) not in allowed:
            return False
    return True


def evaluate(metric, records: list[dict]):
    rows = [r for r in records if matches(r, metric.where)]

    def one(rows: list[dict]):
        if metric.count is not None:
            return len(rows)
        if metric.sum is not None:
            return sum(r[metric.field] or 0 for r in rows)
        if metric.distinct is not None:
            return len({r[metric.field] for r in rows if r[metric.field] is not None})
        hits = sum(1 for r in rows if matches(r, metric.rate.where))
        return hits / len(rows) if rows else None

    if not metric.group_by:
        return one(rows)
    groups: dict = {}
    for r in rows:
        groups.setdefault(r[metric.group_by[0]], []).append(r)
    return {k: one(v) for k, v in sorted(groups.items())}


def main() -> int:
    loaded = load(HERE.parent / "campaign.yaml")
    data = {f: read_form(loaded, f) for f in loaded.spec.forms if (HERE / f"{f}.csv").exists()}
    failures = 0
    print(f"{'指标':<28}{'数据计算':>12}{'总结原文':>12}  出处")
    for metric_id, (expected, source) in EXPECTED.items():
        metric = loaded.spec.metrics[metric_id]
        got = evaluate(metric, data[metric.form])
        ok = got == expected
        failures += not ok
        shown = "、".join(f"{k}{v}" for k, v in got.items()) if isinstance(got, dict) else got
        want = (
            "、".join(f"{k}{v}" for k, v in expected.items())
            if isinstance(expected, dict)
            else expected
        )
        mark = "✓" if ok else "✗"
        print(f"{mark} {metric_id:<26}{shown!s:>12}{want!s:>12}  {source}")
    for form_id, last in CUTOFFS.items():
        latest = max(r["date"] for r in data[form_id])
        ok = latest <= last
        failures += not ok
        print(f"{'✓' if ok else '✗'} {form_id} 最晚日期 {latest}（应不晚于 {last}）")
    files = len(data["quality_files"])
    ok = files == len(loaded.people) == len({r["person"] for r in data["quality_files"]})
    failures += not ok
    print(
        f"{'✓' if ok else '✗'} 政治素质档案一人一册：{files} 册，人员名单 {len(loaded.people)} 人"
    )
    born = {p.name: p.birth_year for p in loaded.people}
    ok = all(born[r["person"]] == r["birth_year"] for r in data["promotions"])
    failures += not ok
    print(f"{'✓' if ok else '✗'} 干部选任的出生年份与人员名单一致")
    print("全部一致" if not failures else f"{failures} 处不一致")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
