"""Sample data of the “躺平式”干部专项整治 campaign (deterministic).

Run from the repository root:  uv run python campaign_specs/tangping-review-2023/data/_generate.py

Writes people.xlsx beside campaign.yaml and the form files in data/. The ballots are aimed so
that, with the rules in campaign.yaml, 6 cadres are 实干型 and 1 is 躺平式 (the seed's figures):
- 8 raters (2 per rater group) each fill one sheet rating all 8 cadres, and each sheet gives
  “优秀” to exactly 2 of the 8 (within the 30% quota); the rest of the 6 good cadres' votes are
  “称职” → weighted scores 85–88 (≥ 82: 实干型);
- 黄伟 gets 称职/基本称职 half and half → 70 (一般);
- 马超 gets 基本称职/不称职 → 50, and 7 of 8 ballots tick the veto manifestation
  “在岗不在状态、出工不出力”, confirmed by the 党组 in findings.csv (躺平式).
Ballots are anonymous: no rater identity is written, and rows are shuffled within each cadre.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # campaign_specs/: what the generators share
import _sample_data  # noqa: E402
from _sample_data import write_xlsx  # noqa: E402

ROUND = "2023年“躺平式”干部专项整治测评"

PEOPLE = [  # 编号, 姓名, 所在组织, 身份, 是否干部, 职务, 出生年份
    ("T01", "王磊", "bangongshi", "党员", "是", "办公室主任", 1982),
    ("T02", "陈静", "renshi", "党员", "是", "人事教育科科长", 1985),
    ("T03", "刘洋", "caizheng", "党员", "是", "财政审计科科长", 1984),
    ("T04", "张婷", "jingze", "党员", "是", "经济责任审计科科长", 1987),
    ("T05", "黄伟", "touzi", "党员", "是", "固定资产投资审计科科长", 1979),
    ("T06", "孙浩", "caizheng", "党员", "是", "财政审计科副科长", 1992),
    ("T07", "吴倩", "jingze", "党员", "是", "经济责任审计科副科长", 1995),
    ("T08", "马超", "bangongshi", "群众", "是", "办公室四级主任科员", 1980),
]
GOOD = ["王磊", "陈静", "刘洋", "张婷", "孙浩", "吴倩"]
RATERS = [g for g in ("班子成员", "中层干部", "一般干部", "服务对象") for _ in range(2)]
EXCELLENT = [  # per rater sheet: the 2 cadres rated 优秀
    ("王磊", "陈静"),
    ("刘洋", "张婷"),
    ("孙浩", "吴倩"),
    ("王磊", "刘洋"),
    ("陈静", "张婷"),
    ("王磊", "孙浩"),
    ("刘洋", "孙浩"),
    ("张婷", "吴倩"),
]
INDICATORS = [  # ballot columns, in campaign.yaml order
    ("complacent", "安于现状、不思进取"),
    ("perfunctory", "标准不高、敷衍应付"),
    ("shirking", "推诿扯皮、遇事上交"),
    ("idle", "在岗不在状态、出工不出力"),
    ("risk-averse", "怕担责任、遇到矛盾绕道走"),
    ("self-protecting", "明哲保身、求稳怕乱"),
    ("people-pleaser", "不敢较真碰硬、当“老好人”"),
    ("evading", "对急难险重任务推脱回避"),
    ("skill-gap", "本领不足、能力与岗位要求不匹配"),
    ("slow-learning", "学习不主动、知识更新慢"),
    ("no-innovation", "方法简单、缺乏创新思路"),
    ("weak-delivery", "抓落实不力、工作长期滞后"),
]
POINTS = {"优秀": 100, "称职": 80, "基本称职": 60, "不称职": 40, "不了解": None}
WEIGHTS = {"班子成员": 0.3, "中层干部": 0.3, "一般干部": 0.2, "服务对象": 0.2}


def vote(rater: int, name: str) -> tuple[str, set[str]]:
    """The grade and ticked manifestations that rater sheet `rater` gives cadre `name`."""
    if name in GOOD:
        if name == "陈静" and rater == 7:
            return "不了解", set()  # a service user who does not know the personnel chief
        return ("优秀" if name in EXCELLENT[rater] else "称职"), set()
    if name == "黄伟":
        ticks = {"no-innovation"} if rater in (1, 4, 6) else set()
        return ("称职" if rater % 2 == 0 else "基本称职"), ticks
    ticks = {"idle"} if rater != 2 else set()  # 马超: 7 of 8 tick the veto manifestation
    if rater in (0, 1, 3, 4, 5):
        ticks |= {"complacent"}
    if rater in (1, 3, 5, 6, 7):
        ticks |= {"shirking"}
    return ("基本称职" if rater in (0, 2, 5, 6) else "不称职"), ticks


def write_csv(name: str, header: list[str], rows: list[list]) -> None:
    _sample_data.write_csv(HERE / name, header, rows)


def people_xlsx() -> None:
    header = ["编号", "姓名", "所在组织", "身份", "是否干部", "职务", "出生年份"]
    write_xlsx(HERE.parent / "people.xlsx", "人员", header, PEOPLE, [8, 10, 12, 8, 10, 24, 10])


def ballots() -> list[list]:
    rng = random.Random(2023)
    rows = []
    for _, name, *_ in PEOPLE:
        sheet = []
        for rater, group in enumerate(RATERS):
            grade, ticks = vote(rater, name)
            marks = ["是" if ind in ticks else "否" for ind, _ in INDICATORS]
            sheet.append([ROUND, name, group, grade, *marks])
        order = sorted(range(len(sheet)), key=lambda i: (RATERS[i], rng.random()))
        rows.extend(sheet[i] for i in order)
    return rows


def expected_scores() -> dict[str, float]:
    """Weighted score per cadre: mean points per rater group (不了解 left out), then weights."""
    scores = {}
    for _, name, *_ in PEOPLE:
        by_group: dict[str, list[int]] = {}
        for rater, group in enumerate(RATERS):
            points = POINTS[vote(rater, name)[0]]
            if points is not None:
                by_group.setdefault(group, []).append(points)
        scores[name] = sum(WEIGHTS[g] * sum(p) / len(p) for g, p in by_group.items())
    return scores


def main() -> None:
    people_xlsx()
    write_csv(
        "ballots.csv",
        ["测评轮次", "被测评人", "测评人类别", "总体评价", *(title for _, title in INDICATORS)],
        ballots(),
    )
    write_csv(
        "lessons.csv",
        ["日期", "党组织", "活动类型", "主题", "参加人数", "主讲人"],
        [["2023-09-15", "局党组", "党课", "牢记初心使命 做敢于担当的新时代审计人", 46, "杨建国"]],
    )
    write_csv(
        "findings.csv",
        ["干部姓名", "表现形式", "认定结论", "认定日期", "认定机构", "认定依据"],
        [
            ["马超", "在岗不在状态、出工不出力", "认定", "2023-11-08", "局党组会议",
             "测评8票中7票勾选；考勤记录及科室评价印证"],
            ["黄伟", "方法简单、缺乏创新思路", "不予认定", "2023-11-08", "局党组会议",
             "仅3票勾选，未见事实依据；谈话提醒"],
        ],
    )  # fmt: skip
    write_csv(
        "issues.csv",
        ["问题编号", "责任部门", "问题来源", "问题类别", "问题表现", "发现日期", "涉及干部"],
        [
            ["TP-01", "办公室", "群众评议", "不愿担当",
             "个别干部在岗不在状态，承办文件多次超期", "2023-10-19", "马超"],
            ["TP-02", "固定资产投资审计科", "自己找", "不善担当",
             "审计方法较为传统，运用数据分析不够", "2023-10-18", "黄伟"],
            ["TP-03", "人事教育科", "领导点", "不敢担当",
             "干部考核中评价意见“一团和气”，不敢较真碰硬", "2023-10-20", ""],
        ],
    )  # fmt: skip
    write_csv(
        "fixes.csv",
        ["措施编号", "问题编号", "整改措施", "责任部门", "责任人", "责任领导", "整改时限", "状态",
         "进展", "佐证材料", "审核人", "销号日期", "巩固复查日期", "备注"],
        [
            ["TZ-01", "TP-01", "党组书记约谈提醒，明确3个月整改期，每月报告思想工作情况", "局党组",
             "杨建国", "杨建国", "2023-12-15", "已完成", "已约谈并签订整改承诺", "谈话记录、整改承诺书",
             "陈静", "2023-12-12", "", ""],
            ["TZ-02", "TP-01", "调整岗位分工，实行承办文件限时办结督办", "办公室", "王磊", "赵志强",
             "2023-12-15", "已完成", "已建立督办台账", "督办台账", "陈静", "2023-12-14", "", ""],
            ["TZ-03", "TP-02", "参加审计数据分析专题培训，下一个项目运用数据分析方法", "固定资产投资审计科",
             "黄伟", "周文斌", "2023-12-22", "已完成", "已完成培训", "培训结业证明", "陈静",
             "2023-12-20", "", ""],
            ["TZ-04", "TP-03", "修订干部考核评价办法，评价意见须写明不足", "人事教育科", "陈静", "李红梅",
             "2023-12-22", "已完成", "已印发修订稿", "考核办法（修订）", "王磊", "2023-12-21", "", ""],
        ],
    )  # fmt: skip
    for name, score in expected_scores().items():
        print(f"{name}\t{score:.1f}")


if __name__ == "__main__":
    main()
