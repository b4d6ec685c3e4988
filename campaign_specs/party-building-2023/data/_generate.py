"""Sample data of the 2023 annual Party-building campaign (deterministic).

Run from the repository root:  uv run python campaign_specs/party-building-2023/data/_generate.py
Then check the figures:        uv run python campaign_specs/party-building-2023/data/_check_figures.py

Writes units.xlsx and people.xlsx beside campaign.yaml and one CSV per form in data/. The rows
are invented but realistic, and their totals are those of the seed annual summary
(37 study sessions with 301 人次 by early November, 12 支委会, 13 党员大会, 77 volunteer
services with 224 人次, 34 feedback items all 满意, 54 political-quality files, ...).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import chinese_calendar

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # campaign_specs/: what the generators share
import _sample_data  # noqa: E402
from _sample_data import write_xlsx  # noqa: E402

SPEC = HERE.parent
YEAR = 2023
STUDY_CUTOFF = dt.date(2023, 11, 10)  # “截至11月上旬”
MONTHS = range(1, 12)  # “截至11月”: January to November

UNITS = [  # 编号, 名称, 类型, 上级
    ("dangzu", "局党组", "党组", None),
    ("zhibu", "局党支部", "党支部", "dangzu"),
    ("xiaozu1", "第一党小组", "党小组", "zhibu"),
    ("xiaozu2", "第二党小组", "党小组", "zhibu"),
    ("xiaozu3", "第三党小组", "党小组", "zhibu"),
    ("bangongshi", "办公室", "部门", "dangzu"),
    ("renshi", "人事教育科", "部门", "dangzu"),
    ("caizheng", "财政审计科", "部门", "dangzu"),
    ("jingze", "经济责任审计科", "部门", "dangzu"),
    ("touzi", "固定资产投资审计科", "部门", "dangzu"),
    ("nongye", "农业农村审计科", "部门", "dangzu"),
]
GROUP_OF_DEPT = {  # which 党小组 a department's Party members belong to
    "dangzu": "xiaozu1",
    "bangongshi": "xiaozu1",
    "renshi": "xiaozu1",
    "caizheng": "xiaozu2",
    "jingze": "xiaozu2",
    "touzi": "xiaozu3",
    "nongye": "xiaozu3",
}
DEPT_NAME = {uid: name for uid, name, *_ in UNITS}

# 姓名, 部门, 身份, 职务, 出生年份 — the people the data speaks about by name
NAMED = [
    ("杨建国", "dangzu", "党员", "党组书记、局长", 1968),
    ("李红梅", "dangzu", "党员", "党组成员、副局长", 1972),
    ("赵志强", "dangzu", "党员", "党组成员、副局长", 1975),
    ("周文斌", "dangzu", "党员", "党组成员、总审计师", 1974),
    ("王磊", "bangongshi", "党员", "党支部书记、办公室主任", 1982),
    ("陈静", "renshi", "党员", "党支部组织委员、人事教育科科长", 1985),
    ("刘洋", "caizheng", "党员", "财政审计科科长", 1984),
    ("张婷", "jingze", "党员", "经济责任审计科科长", 1987),
    ("黄伟", "touzi", "党员", "固定资产投资审计科科长", 1979),
    ("何建平", "nongye", "党员", "农业农村审计科科长", 1976),
    ("孙浩", "caizheng", "党员", "财政审计科副科长", 1992),
    ("吴倩", "jingze", "党员", "经济责任审计科副科长", 1995),
    ("马超", "bangongshi", "群众", "办公室四级主任科员", 1980),
    ("李思远", "caizheng", "党员", "财政审计科一级科员", 1996),  # 2023年预备党员转正
    ("周雨萱", "bangongshi", "预备党员", "办公室一级科员", 1998),  # 2023年接收为预备党员
    # the rest of the 优秀年轻干部库 (80后 6 名, 90后 5 名 with 王磊 陈静 刘洋 张婷 孙浩 吴倩)
    ("邓晓东", "touzi", "党员", "固定资产投资审计科副科长", 1983),
    ("罗丹", "nongye", "党员", "农业农村审计科副科长", 1988),
    ("蒋文杰", "renshi", "党员", "人事教育科一级主任科员", 1990),
    ("谢雨晴", "nongye", "党员", "农业农村审计科二级主任科员", 1991),
    ("唐凯", "touzi", "党员", "固定资产投资审计科二级主任科员", 1993),
]
YOUNG_POOL = {
    "80后": ["王磊", "陈静", "刘洋", "张婷", "邓晓东", "罗丹"],
    "90后": ["孙浩", "吴倩", "蒋文杰", "谢雨晴", "唐凯"],
}
LEADERS = ["杨建国", "李红梅", "赵志强", "周文斌"]  # the 4 党组成员
SURNAMES = "杨李赵周王陈刘张黄何孙吴郭林高梁郑罗宋谢韩唐冯于董萧程曹袁许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = [
    "志华", "建军", "海燕", "丽娟", "国强", "春梅", "晓明", "红霞", "文涛", "玉兰", "振宇",
    "慧敏", "家豪", "思彤", "俊杰", "雅琴", "德明", "秀英", "永刚", "佳怡", "子轩", "梦洁",
    "明辉", "晓燕", "立新", "亚楠", "浩然", "雪梅", "正阳", "嘉欣", "宏伟", "婉婷", "学军",
    "丽萍", "天宇", "诗涵", "锦程", "凤英", "一鸣", "欣怡",
]  # fmt: skip
POSTS = ["一级主任科员", "二级主任科员", "三级主任科员", "四级主任科员", "一级科员", "二级科员"]


def workdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days = [start + dt.timedelta(n) for n in range((end - start).days + 1)]
    return [d for d in days if chinese_calendar.is_workday(d)]


def month_workdays(month: int) -> list[dt.date]:
    first = dt.date(YEAR, month, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return workdays(first, last)


def fit_total(values: list[int], total: int, low: int, high: int, rng: random.Random) -> list[int]:
    """Nudge values one at a time (staying within low..high) until they add up to total."""
    values = list(values)
    while sum(values) != total:
        step = 1 if sum(values) < total else -1
        i = rng.randrange(len(values))
        if low <= values[i] + step <= high:
            values[i] += step
    return values


def write_csv(name: str, header: list[str], rows: list[list]) -> None:
    _sample_data.write_csv(HERE / name, header, rows)


# ---------------------------------------------------------------- organisation


def people(rng: random.Random) -> list[tuple]:
    """54 people: 编号, 姓名, 所在组织, 身份, 是否干部, 职务, 出生年份."""
    taken = {name for name, *_ in NAMED}
    rows = list(NAMED)
    depts = ["bangongshi", "renshi", "caizheng", "jingze", "touzi", "nongye"]
    roles = ["党员"] * 24 + ["群众"] * 6 + ["入党积极分子"] * 2 + ["发展对象"] * 2
    rng.shuffle(roles)
    for role in roles:
        name = ""
        while not name or name in taken:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        taken.add(name)
        dept = rng.choice(depts)
        year = (
            rng.choice(range(1966, 1980)) if rng.random() < 0.4 else rng.choice(range(1980, 2000))
        )
        rows.append((name, dept, role, DEPT_NAME[dept] + rng.choice(POSTS), year))
    result = []
    for i, (name, dept, role, post, year) in enumerate(rows, start=1):
        in_party = role in ("党员", "预备党员")
        unit = GROUP_OF_DEPT[dept] if in_party else dept
        result.append((f"P{i:03d}", name, unit, role, "是", post, year))
    return result


# ---------------------------------------------------------------- 政治建设: study


def studies(rng: random.Random) -> list[list]:
    """37 study sessions up to 10 November with 301 attendances in total."""
    lecture = "党课大讲授"
    plan = [  # month, 党组织, 类型, 主题, 主讲人, 主讲人身份, 所属活动
        # 党组书记 on the 20th Congress at the linked village and the county audit offices
        (2, "局党组", "宣讲", "深入挂钩帮扶村寨宣讲党的二十大精神", "杨建国", "党组书记", "基层大宣讲"),
        (4, "局党组", "宣讲", "面向全州审计机关宣讲党的二十大精神", "杨建国", "党组书记", "基层大宣讲"),
        (6, "局党组", "宣讲", "深入县审计局宣讲党的二十大精神", "杨建国", "党组书记", "基层大宣讲"),
        # other 班子成员 in the departments they are in charge of
        (3, "局党支部", "宣讲", "深入财政审计科现场宣讲党的二十大精神", "李红梅", "党组成员", "基层大宣讲"),
        (3, "局党支部", "宣讲", "深入办公室现场宣讲党的二十大精神", "赵志强", "党组成员", "基层大宣讲"),
        (4, "局党支部", "宣讲", "深入经济责任审计科现场宣讲党的二十大精神", "周文斌", "党组成员", "基层大宣讲"),
        # 4 党组成员 give 12 党课, three each
        (1, "局党支部", "党课", "专题党课：踔厉奋发 勇毅前行——学习党的二十大报告", "杨建国", "党组书记", lecture),
        (4, "局党支部", "党课", "专题党课：学思想 强党性 重实践 建新功", "杨建国", "党组书记", lecture),
        (9, "局党支部", "党课", "专题党课：牢记初心使命 做敢于担当的新时代审计人", "杨建国", "党组书记", lecture),
        (2, "局党支部", "党课", "专题党课：以中国式现代化全面推进中华民族伟大复兴", "李红梅", "党组成员", lecture),
        (6, "局党支部", "党课", "专题党课：深刻领会“六个必须坚持”", "李红梅", "党组成员", lecture),
        (8, "局党支部", "党课", "专题党课：筑牢廉洁防线 做清廉审计人", "李红梅", "党组成员", lecture),
        (3, "局党支部", "党课", "专题党课：坚持党的自我革命 推进全面从严治党", "赵志强", "党组成员", lecture),
        (7, "局党支部", "党课", "专题党课：传承红色基因 赓续精神血脉", "赵志强", "党组成员", lecture),
        (10, "局党支部", "党课", "专题党课：以审计精神立身 以创新规范立业 以自身建设立信", "赵志强", "党组成员", lecture),
        (2, "局党支部", "党课", "专题党课：新时代审计机关如何践行“两个维护”", "周文斌", "党组成员", lecture),
        (5, "局党支部", "党课", "专题党课：发挥审计监督作用 服务高质量发展", "周文斌", "党组成员", lecture),
        (8, "局党支部", "党课", "专题党课：推进审计全覆盖 做好常态化“经济体检”", "周文斌", "党组成员", lecture),
        # 集中学习
        (1, "局党组", "集中学习", "党组理论学习中心组学习党的二十大报告", "杨建国", "党组书记", "专题大学习"),
        (2, "局党组", "集中学习", "党组理论学习中心组学习新修订的《中国共产党章程》", "杨建国", "党组书记", "专题大学习"),
        (5, "局党组", "集中学习", "党组理论学习中心组学习习近平总书记关于审计工作的重要论述", "杨建国", "党组书记", "专题大学习"),
        (9, "局党组", "集中学习", "党组理论学习中心组专题研讨中国式现代化", "杨建国", "党组书记", "专题大学习"),
        (1, "局党支部", "集中学习", "学习贯彻党的二十大精神专题学习", "王磊", "支部书记", "专题大学习"),
        (3, "局党支部", "集中学习", "学习贯彻全国两会精神", "王磊", "支部书记", "专题大学习"),
        (5, "局党支部", "集中学习", "学习《习近平新时代中国特色社会主义思想专题摘编》", "王磊", "支部书记", "专题大学习"),
        (9, "局党支部", "集中学习", "学习《习近平著作选读》第一卷", "王磊", "支部书记", "专题大学习"),
        (10, "局党支部", "集中学习", "学习习近平总书记关于调查研究的重要论述", "王磊", "支部书记", "专题大学习"),
        (3, "局党支部", "集中学习", "党员大培训：新《党章》和党内法规知识测试", "王磊", "支部书记", "党员大培训"),
        (7, "局党支部", "集中学习", "党员大培训：审计业务与党的二十大精神融合专题培训", "刘洋", "普通党员", "党员大培训"),
        (11, "局党支部", "集中学习", "党员大培训：网络意识形态安全专题辅导", "州委党校讲师", "特邀专家", "党员大培训"),
        (2, "第一党小组", "集中学习", "普通党员谈学习党的二十大精神心得", "周雨萱", "普通党员", "专题大学习"),
        (4, "第二党小组", "集中学习", "审计组临时党小组学习党的二十大报告", "孙浩", "普通党员", "专题大学习"),
        (5, "第二党小组", "集中学习", "普通党员谈学习党的二十大精神心得", "吴倩", "普通党员", "专题大学习"),
        (6, "第三党小组", "集中学习", "审计组临时党小组学习党的二十大报告", "唐凯", "普通党员", "专题大学习"),
        (7, "第三党小组", "集中学习", "普通党员谈学习党的二十大精神心得", "谢雨晴", "普通党员", "专题大学习"),
        (6, "局党支部", "集中学习", "学习全国审计系统先进典型事迹", "王磊", "支部书记", "典型大宣传"),
        (10, "局党支部", "集中学习", "学习身边优秀共产党员先进事迹", "王磊", "支部书记", "典型大宣传"),
    ]  # fmt: skip
    assert len(plan) == 37, len(plan)
    span = {"宣讲": (5, 10), "党课": (8, 12), "集中学习": (5, 10)}
    counts = fit_total([rng.randint(*span[p[2]]) for p in plan], 301, 4, 14, rng)
    fixed = {"专题党课：牢记初心使命 做敢于担当的新时代审计人": dt.date(2023, 9, 15)}
    used: set[dt.date] = set(fixed.values())
    rows = []
    for (month, unit, kind, title, speaker, role, item), n in zip(plan, counts, strict=True):
        date = fixed.get(title)
        if date is None:
            free = [d for d in month_workdays(month) if d <= STUDY_CUTOFF and d not in used]
            date = rng.choice(free)
            used.add(date)
        rows.append([date.isoformat(), unit, kind, title, n, speaker, role, item])
    rows.sort(key=lambda r: r[0])
    return rows


def ideology() -> list[list]:
    return [
        ["2023-03-20", "党组会议分析研判", "党组会议分析研判一季度意识形态工作形势"],
        ["2023-05-24", "中心组专题学习研讨", "理论学习中心组（扩大）会议专题学习研讨意识形态工作"],
        ["2023-06-26", "党组会议分析研判", "党组会议分析研判上半年意识形态工作形势"],
        ["2023-07-18", "全局通报", "在全局通报上半年意识形态工作情况"],
        ["2023-08-22", "思政党课", "支部书记赴县审计局讲授思政党课"],
        ["2023-09-25", "党组会议分析研判", "党组会议分析研判三季度意识形态工作形势"],
    ]


# ---------------------------------------------------------------- 组织建设: meetings


def meetings(rng: random.Random) -> list[list]:
    """支委会 12, 党员大会 13, 党小组会 33, 主题党日 12, 其他活动 12 — January to November."""
    focus = {
        1: "党的二十大精神学习计划",
        2: "年度党建工作要点",
        3: "“八破八立”解放思想大讨论",
        4: "查摆剖析问题清单",
        5: "整改提升工作",
        6: "“七一”系列活动",
        7: "上半年党建工作总结",
        8: "廉洁文化建设",
        9: "主题教育工作计划",
        10: "“躺平式”干部专项整治",
        11: "主题教育检视整改",
    }
    themes = {
        1: "新春走访慰问困难党员",
        2: "学雷锋志愿服务",
        3: "“八破八立”解放思想",
        4: "清明祭英烈",
        5: "爱国卫生运动",
        6: "重温入党誓词",
        7: "“七一”庆祝建党102周年",
        8: "“弘扬清廉家风 助推廉洁审计”",
        9: "登革热疫情防控宣传",
        10: "乡村振兴政策宣传进村寨",
        11: "“学思想、强党性”主题教育",
    }
    others = [
        (1, "开展“我为群众办实事”走访调研"),
        (2, "参观州廉政教育基地"),
        (3, "“三八”妇女节女党员座谈"),
        (4, "阅读一本清廉书籍读书分享会"),
        (5, "签订助廉承诺书"),
        (6, "开展一次廉政家访"),
        (7, "与挂钩帮扶村党支部结对共建"),
        (8, "廉政宣传栏更新和廉洁文化展陈"),
        (9, "审计“家风故事”公众号专栏征集"),
        (9, "“清廉机关”创建推进会"),
        (10, "参观红色教育基地"),
        (11, "党史知识竞赛"),
    ]
    plan: list[tuple[int, str, str, str, tuple[int, int]]] = []
    for m in MONTHS:
        plan.append((m, "局党支部", "支委会", f"研究{focus[m]}", (4, 5)))
        plan.append((m, "局党支部", "党员大会", f"传达学习上级精神，部署{focus[m]}", (34, 42)))
        plan.append((m, "局党支部", "主题党日", f"主题党日：{themes[m]}", (30, 42)))
        for group in ("第一党小组", "第二党小组", "第三党小组"):
            plan.append((m, group, "党小组会", f"{m}月党小组学习：{focus[m]}", (8, 14)))
    plan.append((9, "局党支部", "支委会", "研究主题教育专题学习安排", (4, 5)))
    plan.append((5, "局党支部", "党员大会", "讨论李思远同志预备党员转正", (35, 42)))
    plan.append((10, "局党支部", "党员大会", "讨论接收周雨萱同志为预备党员", (35, 42)))
    plan.append((7, "局党支部", "主题党日", "主题党日：“七一”走访慰问老党员", (20, 30)))
    plan.extend((m, "局党支部", "其他活动", title, (12, 38)) for m, title in others)
    rows, used = [], set()
    for month, unit, kind, title, span in plan:
        recruit = [name for name in RECRUIT_MEETINGS if name in title]
        if kind == "党员大会" and recruit:
            date = RECRUIT_MEETINGS[recruit[0]]
        else:
            lo, hi = WHEN_IN_MONTH[kind]
            days = month_workdays(month)[lo:hi]
            date = rng.choice([d for d in days if (d, unit) not in used])
        used.add((date, unit))
        speaker = "" if kind == "其他活动" else LEADS[unit]
        rows.append([date.isoformat(), unit, kind, title, rng.randint(*span), speaker])
    rows.sort(key=lambda r: (r[0], r[2]))
    return rows


WHEN_IN_MONTH = {  # which working days of the month each kind of meeting falls on
    "支委会": (0, 7),
    "党员大会": (7, 14),
    "党小组会": (9, 20),
    "主题党日": (10, 20),
    "其他活动": (0, 20),
}
LEADS = {"局党支部": "王磊", "第一党小组": "陈静", "第二党小组": "刘洋", "第三党小组": "黄伟"}
RECRUIT_MEETINGS = {"李思远": dt.date(2023, 5, 26), "周雨萱": dt.date(2023, 10, 27)}


def recruitment() -> list[list]:
    return [
        ["李思远", "预备党员转正", RECRUIT_MEETINGS["李思远"].isoformat(), "2023-06-09"],
        ["周雨萱", "接收预备党员", RECRUIT_MEETINGS["周雨萱"].isoformat(), "2023-11-10"],
    ]


def volunteering(rng: random.Random) -> list[list]:
    """77 volunteer services with 224 attendances, January to November."""
    every = range(1, 12)
    kinds = [  # 主题, 服务地点, months
        ("挂钩帮扶村寨入户走访", "挂钩帮扶村", every),
        ("爱国卫生运动环境整治", "机关周边社区", every),
        ("登革热疫情防控宣传和清除积水", "挂钩社区", range(5, 12)),
        ("文明交通劝导", "城区主干道路口", every),
        ("审计政策法规进社区宣传", "挂钩社区", every),
        ("乡村振兴政策宣讲", "挂钩帮扶村", every),
        ("关爱留守儿童", "挂钩帮扶村小学", every),
        ("无偿献血", "州中心血站", every),
        ("“清廉家风”进家庭宣传", "机关家属区", range(8, 12)),
        ("防范电信诈骗宣传", "挂钩社区", every),
        ("助农采收", "挂钩帮扶村", [1, 2, 3, 10, 11]),
    ]
    days = [  # to 30 November; volunteering happens on weekends too, but not on public holidays
        day
        for day in (dt.date(YEAR, 1, 1) + dt.timedelta(n) for n in range(334))
        if chinese_calendar.get_holiday_detail(day)[1] is None
    ]
    dates = sorted(rng.sample(days, 77))
    counts = fit_total([rng.choice([2, 2, 3, 3, 3, 4]) for _ in dates], 224, 1, 8, rng)
    rows = []
    for date, n in zip(dates, counts, strict=True):
        title, place, _ = rng.choice([k for k in kinds if date.month in k[2]])
        rows.append([date.isoformat(), "局党支部", "志愿服务", title, n, "", place])
    return rows


def pb_issues_and_fixes() -> tuple[list[list], list[list]]:
    issues = [
        ["DJ-01", "局党支部", "述职评议反馈", "党建与业务融合", "党建与审计业务融合不够紧密，存在“两张皮”现象", "2023-02-15"],
        ["DJ-02", "局党支部", "述职评议反馈", "党员教育管理", "党员教育方式较为单一，对青年党员吸引力不强", "2023-02-15"],
        ["DJ-03", "局党支部", "规范化建设回头看", "组织生活", "部分“三会一课”会议记录不规范，缺少研讨发言内容", "2023-07-12"],
        ["DJ-04", "人事教育科", "规范化建设回头看", "党员发展", "党员发展档案材料归档不及时", "2023-07-12"],
        ["DJ-05", "局党支部", "规范化建设回头看", "党费管理", "党费收缴台账更新不及时", "2023-07-12"],
        ["DJ-06", "办公室", "规范化建设回头看", "阵地建设", "党建宣传栏内容更新不及时", "2023-07-12"],
    ]  # fmt: skip
    fixes = [
        ["DZ-01", "DJ-01", "推行“党建+审计项目”，每个审计组明确1名党员联络员", "局党支部", "王磊", "杨建国", "2023-05-31", "巩固", "已在全部审计组推行", "审计组党员联络员名单", "陈静", "2023-05-26", "2023-10-31", ""],
        ["DZ-02", "DJ-01", "将党建工作纳入科室年度综合考核", "人事教育科", "陈静", "李红梅", "2023-04-28", "巩固", "已写入考核办法", "2023年度综合考核办法", "王磊", "2023-04-26", "2023-10-31", ""],
        ["DZ-03", "DJ-02", "开展青年党员微宣讲、读书分享等活动，每季度不少于1次", "局党支部", "王磊", "赵志强", "2023-06-30", "巩固", "已开展3次", "活动记录", "陈静", "2023-06-28", "2023-10-31", ""],
        ["DZ-04", "DJ-03", "统一“三会一课”记录模板，支委会逐月检查", "局党支部", "陈静", "杨建国", "2023-08-31", "已完成", "已统一模板", "记录模板、检查记录", "王磊", "2023-08-25", "", ""],
        ["DZ-05", "DJ-04", "补齐党员发展档案材料，实行“一人一档”及时归档", "人事教育科", "陈静", "李红梅", "2023-08-31", "已完成", "已补齐归档", "档案目录", "王磊", "2023-08-30", "", ""],
        ["DZ-06", "DJ-05", "按月更新党费收缴台账并公示", "局党支部", "陈静", "杨建国", "2023-08-15", "巩固", "已按月公示", "党费台账", "王磊", "2023-08-10", "2023-11-15", ""],
        ["DZ-07", "DJ-06", "党建宣传栏每月更新，明确专人负责", "办公室", "王磊", "赵志强", "2023-07-31", "已完成", "已明确专人", "宣传栏照片", "陈静", "2023-07-28", "", ""],
        ["DZ-08", "DJ-06", "建设线上党建阵地，在公众号开设党建专栏", "办公室", "王磊", "赵志强", "2023-09-29", "已完成", "专栏已上线", "公众号专栏截图", "陈静", "2023-09-27", "", ""],
    ]  # fmt: skip
    return issues, fixes


# ---------------------------------------------------------------- 作风建设: 群众评议


def comments(rng: random.Random) -> list[list]:
    """34 messages on the 群众评议 platform, all 已办结 and 满意."""
    topics = [
        ("咨询审计结果公告在哪里查询", "办公室", "已告知门户网站“审计结果公告”栏目位置"),
        ("建议公众号增加审计知识科普内容", "办公室", "已在公众号开设“审计小课堂”"),
        ("反映窗口工作人员午间无人值守", "办公室", "已落实午间轮流值班"),
        ("询问政府投资项目结算审计办理进度", "固定资产投资审计科", "已电话告知办理进度"),
        ("反映某项目结算审计时间较长", "固定资产投资审计科", "已核实并说明审计程序和时限"),
        ("咨询经济责任审计对象范围", "经济责任审计科", "已解释相关规定"),
        ("建议审计整改情况向社会公开", "财政审计科", "已按规定公告整改情况"),
        ("反映惠民补贴资金发放不及时", "财政审计科", "已纳入民生资金审计关注"),
        ("咨询乡村振兴衔接资金审计发现问题整改情况", "农业农村审计科", "已答复整改进展"),
        ("反映村集体经济项目资金使用问题", "农业农村审计科", "已核实并移交属地处理"),
        ("建议办公楼设置便民停车指引", "办公室", "已设置指引标识"),
        ("咨询审计机关招录考试信息", "人事教育科", "已告知发布渠道"),
        ("询问审计干部廉洁纪律规定", "人事教育科", "已答复并公开廉洁审计“八不准”"),
        ("对审计人员工作作风表示肯定", "经济责任审计科", "已转达并致谢"),
        ("咨询养老保险基金审计发现问题的处理", "财政审计科", "已答复处理情况"),
        ("建议简化审计资料报送要求", "固定资产投资审计科", "已优化资料清单"),
        ("反映保障性住房分配问题", "固定资产投资审计科", "已纳入保障性安居工程审计关注"),
    ]
    channels = ["评议二维码", "“×审计”公众号", "门户网站"]
    days = workdays(dt.date(YEAR, 3, 1), dt.date(YEAR, 11, 20))
    received = sorted(rng.sample(days, 34))
    rows = []
    for i, day in enumerate(received, start=1):
        content, unit, result = topics[(i - 1) % len(topics)]
        replied = workdays(day + dt.timedelta(1), day + dt.timedelta(20))[rng.randint(1, 4)]
        channel = rng.choice(channels)
        row = [f"PY-{YEAR}-{i:03d}", day.isoformat(), channel, content, unit, "已办结"]
        rows.append([*row, replied.isoformat(), "满意", result])
    return rows


def plans() -> list[list]:
    ideas = [
        ("推进大数据审计，建设审计数据分析平台", "财政审计科"),
        ("完善审计查出问题整改跟踪督办机制", "经济责任审计科"),
        ("统筹全州审计项目计划，推行“一审多项、一果多用”", "办公室"),
        ("加强审计与纪检监察、巡察贯通协同", "经济责任审计科"),
        ("实施审计干部“以老带新”“一专多能”培养计划", "人事教育科"),
    ]
    deeds = [
        ("养老保险基金审计：推动追回违规领取的待遇", "财政审计科"),
        ("衔接资金审计：推动资金及时拨付到户到项目", "农业农村审计科"),
        ("保障性安居工程审计：推动已竣工住房分配入住", "固定资产投资审计科"),
        ("就业补助资金审计：推动惠企惠民政策落地", "财政审计科"),
        ("农村饮水安全工程审计：推动落实工程管护责任", "农业农村审计科"),
    ]
    rows = [["我为发展献一策", i, t, o] for i, (t, o) in enumerate(ideas, start=1)]
    rows += [["为民服务办实事", i, t, o] for i, (t, o) in enumerate(deeds, start=1)]
    return rows


# ---------------------------------------------------------------- 干部建设


def quality_files(persons: list[tuple], rng: random.Random) -> list[list]:
    """One political-quality file per person (一人一册): 54."""
    days = workdays(dt.date(YEAR, 4, 3), dt.date(YEAR, 6, 30))
    materials = "廉洁自律结论性意见、政治表现证明、年度考核登记表、谈心谈话记录"
    rows = []
    for _, name, *_ in persons:
        positive = rng.choice([8, 9, 9, 10, 10, 10])
        conclusion = "好" if positive >= 9 else "较好"
        rows.append([name, rng.choice(days).isoformat(), positive, 0, conclusion, materials])
    return rows


def promotions(persons: list[tuple]) -> list[list]:
    born = {name: year for _, name, *_, year in persons}
    moves = [
        ("张婷", "经济责任审计科副科长", "经济责任审计科科长", "2023-06-16"),
        ("孙浩", "财政审计科一级主任科员", "财政审计科副科长", "2023-06-16"),
        ("吴倩", "经济责任审计科二级主任科员", "经济责任审计科副科长", "2023-08-25"),
    ]
    return [[name, born[name], old, new, day] for name, old, new, day in moves]


def young_cadres(persons: list[tuple]) -> list[list]:
    post = {name: p for _, name, _, _, _, p, _ in persons}
    return [
        [name, generation, "科级" if "科长" in post[name] else "主任科员"]
        for generation, names in YOUNG_POOL.items()
        for name in names
    ]


def narrative() -> list[list]:
    problems = [
        "对习近平新时代中国特色社会主义思想的学习广度、深度和高度不够，还没有完全做到进入工作指导、进入岗位实践，学以致用、学用结合相对欠缺。",
        "党建工作创新意识不强，满足于沿用老模式、老办法开展工作，形式方法比较单一，还没有充分调动起党员队伍的朝气活力。",
        "个别同志对全面加强党的建设认识不深，存在重业务轻党建的现象，参与党建工作热情不高、力度不大、行动不快，制约了党建工作整体提升。",
        "抓党建执行力不够，存在重部署、轻落实问题，抓党建方式方法不多，党建工作特色亮点不多。",
    ]
    plans_ = [
        ("进一步加强党性修养", "坚持将习近平新时代中国特色社会主义思想和党的二十大精神列为“三会一课”学习重点，及时跟进学习习近平总书记最新重要讲话精神，充分发挥好党组织班子示范带动作用，激发广大党员、干部职工的学习热情。"),
        ("进一步严格工作要求", "紧密联系单位职能、部门及个人职责，明确年度党建工作目标及任务，确保工作有布置、检查有反馈、整改有成效，改进工作作风，提升服务能力。"),
        ("持续巩固推进模范机关创建成果", "认真履行机关党建工作主体责任和监督责任，充分发挥党支部战斗堡垒作用，积极做好与联系单位结对共建工作，切实提高新时代机关党建工作质量。"),
    ]  # fmt: skip
    rows = [["存在问题和不足", i, "", text] for i, text in enumerate(problems, start=1)]
    rows += [["下一步工作打算", i, h, text] for i, (h, text) in enumerate(plans_, start=1)]
    return rows


def main() -> None:
    rng = random.Random(20231110)
    write_xlsx(
        SPEC / "units.xlsx",
        "组织架构",
        ["编号", "名称", "类型", "上级"],
        UNITS,
        [12, 20, 10, 12],
    )
    persons = people(rng)
    assert len(persons) == 54
    write_xlsx(
        SPEC / "people.xlsx",
        "人员",
        ["编号", "姓名", "所在组织", "身份", "是否干部", "职务", "出生年份"],
        persons,
        [8, 10, 12, 12, 10, 34, 10],
    )
    activity = ["日期", "党组织", "活动类型", "主题", "参加人数", "主讲人"]
    write_csv("studies.csv", [*activity, "主讲人身份", "所属活动"], studies(rng))
    write_csv("meetings.csv", activity, meetings(rng))
    write_csv("volunteering.csv", [*activity, "服务地点"], volunteering(rng))
    write_csv("ideology.csv", ["日期", "工作类型", "内容"], ideology())
    write_csv(
        "recruitment.csv", ["姓名", "事项", "支部大会日期", "上级党组织批准日期"], recruitment()
    )
    issues, fixes = pb_issues_and_fixes()
    write_csv(
        "pb_issues.csv",
        ["问题编号", "责任部门", "问题来源", "问题类别", "问题表现", "发现日期"],
        issues,
    )
    write_csv(
        "pb_fixes.csv",
        ["措施编号", "问题编号", "整改措施", "责任部门", "责任人", "责任领导", "整改时限", "状态",
         "进展", "佐证材料", "审核人", "销号日期", "巩固复查日期", "备注"],
        fixes,
    )  # fmt: skip
    write_csv(
        "comments.csv",
        ["编号", "收到日期", "渠道", "反映内容", "承办部门", "办理状态", "回复日期", "满意度", "办理结果"],
        comments(rng),
    )  # fmt: skip
    write_csv("plans.csv", ["清单", "序号", "内容", "牵头部门"], plans())
    write_csv(
        "quality_files.csv",
        [
            "干部姓名",
            "建档日期",
            "正向指标符合项数",
            "负向指标触及项数",
            "政治素质评价",
            "收集材料",
        ],
        quality_files(persons, rng),
    )
    write_csv(
        "promotions.csv",
        ["姓名", "出生年份", "原任职务", "提任职务", "任职日期"],
        promotions(persons),
    )
    write_csv("young_cadres.csv", ["姓名", "年龄段", "职级"], young_cadres(persons))
    write_csv("narrative.csv", ["部分", "序号", "小标题", "内容"], narrative())


if __name__ == "__main__":
    main()
