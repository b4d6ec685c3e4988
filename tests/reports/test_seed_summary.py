"""The party-building campaign's final report is the seed's 2023 annual summary, from data."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

from campaignflow.reports import render_template
from campaignflow.reports.filters import cn_quantity

SEED_FIGURES = [
    "开展各类型学习37次，参与人数301人次",
    "讲授党的二十大精神3次，4名党组成员上台讲党课12次",
    "召开支委会议12次，党员大会13次",
    "今年1名预备党员如期转正，1名发展对象接收为预备党员",
    "共开展主题党日活动12次，其他活动12次，组织各类志愿服务77次，参与人数224人次",
    # from the 八破八立 and 躺平式 campaigns' own data and structure (reports.campaigns)
    "细化3个阶段8项工作措施",
    "通过自己找、领导点、互相提，查找不想担当、不善担当、不敢担当等问题13条，分类制定整改措施15条",
    "定制绘就2项目标蓝图、4项工作清单",
    "“不愿担当”、“不敢担当”、“不善担当”3种情形12种表现形式",
    "推选出“实干型”干部6名，“躺平式”干部1名",
    "共办结留言事项34件，均为满意件",
    "建立优秀年轻干部政治素质档案54册",
    "共提任科级年轻干部3名，其中90后科级年轻干部2名",
    "组织两次集中研讨",
    "反馈的两个方面不足",
    "包括80后科级年轻干部6名、90后科级年轻干部5名",
]


def test_seed_summary_structure_and_figures(seed_report):
    md = seed_report.markdown
    assert md.startswith("# 2023年基层支部党建工作总结\n")
    headings = [ln for ln in md.splitlines() if ln.startswith("#")]
    assert headings == [
        "# 2023年基层支部党建工作总结",
        "## 一、主要做法和成效",
        "### （一）以学铸魂强引领，持续深化政治建设",
        "### （二）以学增智强规矩，持续深化组织建设",
        "### （三）以学正风强担当，持续深化作风建设",
        "### （四）以学促干强落实，持续深化干部建设",
        "## 二、存在问题和不足",
        "## 三、下一步工作打算",
    ]
    for figure in SEED_FIGURES:
        assert figure in md, figure
    # narrative from data/narrative.csv, numbered; plans as run-in bold headings GFM renders
    assert "（一）对习近平新时代中国特色社会主义思想的学习广度" in md
    assert "（四）抓党建执行力不够" in md
    assert "**（一）进一步加强党性修养**。坚持" in md
    assert not re.search(r"。\*\*[^\s*]", md), "bold must close before the full stop"
    assert "{{" not in md and "None" not in md


def test_no_figure_is_hard_coded(seed_report):
    """Every metric the template uses comes out as given: replace each by a sentinel number."""
    context = dict(seed_report.context)
    sentinels: dict[str, int] = {}
    m = {}
    for i, (key, value) in enumerate(seed_report.context["m"].items()):
        if isinstance(value, dict):
            m[key] = {k: 500 + 10 * i + j for j, k in enumerate(value)}
        elif isinstance(value, int | float) and key != "satisfaction_rate":
            sentinels[key] = m[key] = 500 + 10 * i
        else:
            m[key] = value
    context["m"] = m
    md = render_template(
        seed_report.loaded.root / "templates" / "final.md.j2", "final.md.j2", context
    )
    template = (seed_report.loaded.root / "templates" / "final.md.j2").read_text(encoding="utf-8")
    used = set(re.findall(r"\bm\.(\w+)", template))
    for key in used & set(sentinels):
        assert str(sentinels[key]) in md or cn_quantity(sentinels[key]) in md, key
    for figure in ("37次", "301人次", "224人次", "54册", "34件"):
        assert figure not in md, figure


def _rewrite(path: Path, keep) -> None:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    body = [r for r in (keep(dict(zip(header, r, strict=False))) for r in body) if r is not None]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([[r.get(h, "") for h in header] for r in body])


def test_changed_data_changes_every_figure(tmp_path, builder):
    """Drop and alter rows in every data file: each figure follows the data."""
    dropped = {"n": 0}

    def mutate(inbox: Path) -> None:
        def every_third(row):  # drop a third of the rows
            dropped["n"] += 1
            return None if dropped["n"] % 3 == 0 else row

        _rewrite(inbox / "studies.csv", every_third)
        _rewrite(inbox / "volunteering.csv", every_third)
        _rewrite(inbox / "quality_files.csv", every_third)
        _rewrite(
            inbox / "meetings.csv",
            lambda r: (
                None if r["活动类型"] in ("支委会", "党员大会") and r["日期"] >= "2023-10-01" else r
            ),
        )
        _rewrite(
            inbox / "meetings.csv",
            lambda r: (
                None
                if r["活动类型"] in ("主题党日", "其他活动") and r["日期"] >= "2023-11-01"
                else r
            ),
        )
        _rewrite(inbox / "recruitment.csv", lambda r: None if r["事项"] == "接收预备党员" else r)
        _rewrite(inbox / "promotions.csv", lambda r: None if r["出生年份"] == "1995" else r)
        _rewrite(
            inbox / "comments.csv",
            lambda r: {**r, "满意度": "基本满意"} if r["编号"].endswith("001") else r,
        )
        shutil.copytree(inbox, tmp_path / "used")  # the inbox is emptied by the import

    def linked(campaign: str, inbox: Path) -> None:
        """The year's campaigns change too: the annual summary reads them."""
        if campaign == "bapo-bali-2023":
            _rewrite(inbox / "problems.csv", lambda r: None if r["问题编号"] == "BP-13" else r)
            _rewrite(inbox / "fixes.csv", lambda r: None if r["问题编号"] == "BP-13" else r)
            _rewrite(
                inbox / "blueprints.csv",
                lambda r: None if r["类别"] == "工作清单" and r["名称"].startswith("财政") else r,
            )
        else:
            _rewrite(inbox / "findings.csv", lambda r: {**r, "认定结论": "不予认定"})
        shutil.copytree(inbox, tmp_path / f"used-{campaign}")

    built = builder(tmp_path, mutate, linked=linked)
    md = built.markdown
    inbox = tmp_path / "used"

    def rows(name):
        with (inbox / name).open(encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))

    studies, volunteering, meetings = (
        rows("studies.csv"),
        rows("volunteering.csv"),
        rows("meetings.csv"),
    )
    n_studies, n_attendance = len(studies), sum(int(r["参加人数"]) for r in studies)
    lessons = sum(
        r["活动类型"] == "党课" and r["主讲人身份"] in ("党组书记", "党组成员") for r in studies
    )
    kinds = {
        k: sum(r["活动类型"] == k for r in meetings)
        for k in ("支委会", "党员大会", "主题党日", "其他活动")
    }
    assert (n_studies, n_attendance) != (37, 301)
    assert f"开展各类型学习{n_studies}次，参与人数{n_attendance}人次" in md
    assert f"上台讲党课{lessons}次" in md
    assert (
        f"召开支委会议{kinds['支委会']}次，党员大会{kinds['党员大会']}次" in md
        and kinds["支委会"] != 12
    )
    assert f"共开展主题党日活动{kinds['主题党日']}次，其他活动{kinds['其他活动']}次" in md
    v_n, v_att = len(volunteering), sum(int(r["参加人数"]) for r in volunteering)
    assert f"组织各类志愿服务{v_n}次，参与人数{v_att}人次" in md and v_n != 77
    assert "今年1名预备党员如期转正。" in md
    bapo = tmp_path / "used-bapo-bali-2023"
    problems = len(list(csv.DictReader((bapo / "problems.csv").open(encoding="utf-8-sig"))))
    fixes = len(list(csv.DictReader((bapo / "fixes.csv").open(encoding="utf-8-sig"))))
    plans = [
        r["类别"] for r in csv.DictReader((bapo / "blueprints.csv").open(encoding="utf-8-sig"))
    ]
    assert problems == 12 and fixes < 15
    assert f"等问题{problems}条，分类制定整改措施{fixes}条" in md
    assert f"定制绘就{plans.count('目标蓝图')}项目标蓝图、{plans.count('工作清单')}项工作清单" in md
    classes = built.context["campaigns"]["tangping"]["classes"]
    assert classes.get("躺平式", 0) == 0  # no finding confirmed: nobody vetoed
    assert f"推选出“实干型”干部{classes.get('实干型', 0)}名，“躺平式”干部0名" in md
    assert "共办结留言事项34件，其中满意件33件，满意率97.1%" in md
    assert f"政治素质档案{len(rows('quality_files.csv'))}册" in md and "档案54册" not in md
    assert "共提任科级年轻干部2名，其中90后科级年轻干部1名" in md
