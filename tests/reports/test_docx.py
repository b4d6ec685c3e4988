"""DOCX of a branch's phase report and of a large table, read back with python-docx."""

from __future__ import annotations

import datetime as dt

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx_checks import effective_font

from campaignflow.ledger import Reconciliation
from campaignflow.reports import render_template
from campaignflow.reports.docx import markdown_to_docx

DAY = dt.date(2023, 6, 30)


def branch_context() -> dict:
    """What bench/bench_reports.py gives the built-in phase template for one 党支部."""
    unit = "第3党支部"
    measures = [
        {
            "id": f"m{i}",
            "title": f"组织党员开展专题学习研讨{i}",
            "due": DAY,
            "units": [{"name": unit, "state": "已完成", "done_on": DAY, "evidence": []}],
            "done": 1,
            "total": 1,
            "evidence_required": ["会议记录", "学习笔记"],
            "milestone": False,
            "state": "已完成",
        }
        for i in range(1, 4)
    ]
    kinds = ("组织生活", "组织生活分类", "参加组织生活", "问题", "整改措施", "未完成整改措施")
    ids = ("meetings_held", "meetings_by_type", "attendance", "issues", "fixes", "fixes_open")
    return {
        "campaign": {
            "id": "c",
            "title": "2023年主题教育",
            "organisation": unit,
            "year": 2023,
            "staged": True,
            "stage_word": "阶段",
        },
        "stage": {"id": "s", "name": "学习动员", "start": dt.date(2023, 4, 1), "end": DAY},
        "as_of": DAY,
        "progress": {
            "done": 3,
            "total": 4,
            "ratio": 0.75,
            "measures": measures,
            "overdue": [
                {"title": "开展谈心谈话", "unit_name": unit, "due": DAY, "workdays_overdue": 21}
            ],
        },
        "m": dict(zip(ids, (12, {"支委会": 3, "主题党日": 4}, 150, 7, 9, 2), strict=True)),
        "metric_info": {
            i: {"title": t, "unit": "次", "kind": "count"} for i, t in zip(ids, kinds, strict=True)
        },
        "ledger": Reconciliation(
            problems=7, problems_closed=5, measures=9, measures_closed=7, open_by_unit={unit: 2}
        ).as_dict(),
        "gate": {
            "passed": False,
            "checks": [
                {"name": "学习覆盖率", "ok": True, "detail": "100%"},
                {"name": "整改完成率", "ok": False, "detail": "77.8%"},
            ],
        },
    }


def test_branch_report_layout(tmp_path):
    markdown = render_template(None, "phase.md.j2", branch_context())
    document = Document(markdown_to_docx(markdown, tmp_path / "b3.docx"))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    by_text = {p.text: p for p in paragraphs}
    title, subtitle = paragraphs[:2]
    assert title.text == "2023年主题教育学习动员阶段工作报告"
    assert effective_font(document, title) == ("方正小标宋简体", 22, "zh-CN", False)
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER or (
        title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    )
    assert subtitle.text == "第3党支部（截至2023年6月30日）"
    assert effective_font(document, subtitle)[:2] == ("楷体_GB2312", 16)
    assert effective_font(document, by_text["一、总体进展"])[:2] == ("黑体", 16)
    measure = next(p for p in paragraphs if p.text.startswith("（一）组织党员"))
    assert effective_font(document, measure, 0)[:2] == ("楷体_GB2312", 16)
    assert not effective_font(document, measure, 0)[3]
    assert effective_font(document, measure, 1)[:2] == ("仿宋_GB2312", 16)
    assert measure.style.paragraph_format.first_line_indent.pt == 32
    # each gate check once (list items were written twice before)
    texts = [p.text for p in paragraphs]
    assert texts.count("✓ 学习覆盖率：100%") == 1 and texts.count("✗ 整改完成率：77.8%") == 1
    assert texts[-1] == "关口条件尚未全部满足，请按上述事项推进。"

    metrics, overdue, ledger = document.tables
    assert [len(t.rows) for t in document.tables] == [7, 2, 2]
    assert [c.text for c in metrics.rows[1].cells] == ["组织生活", "12次"]
    assert metrics.rows[2].cells[1].text == "支委会 3次；主题党日 4次"
    assert [c.text for c in overdue.rows[1].cells] == [
        "开展谈心谈话",
        "第3党支部",
        "2023-06-30",
        "21",
    ]
    for table in document.tables:
        assert table.style.name == "Table Grid" and table.alignment == WD_TABLE_ALIGNMENT.CENTER
        widths = [c.width for c in table.rows[0].cells]
        assert round(sum(w.mm for w in widths)) == 156 and len(set(widths)) == 1
        head, cell = table.rows[0].cells[0].paragraphs[0], table.rows[1].cells[0].paragraphs[0]
        assert effective_font(document, head)[:2] == ("黑体", 12)
        assert effective_font(document, cell)[:2] == ("仿宋_GB2312", 12)
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on each page
        assert cell.style.paragraph_format.line_spacing == 1.0  # single, not the 28.95 pt body line


def test_text_is_escaped_and_kept(tmp_path):
    markdown = "# 标题 & <说明>\n\n正文\tA&B x<y \x01 **加粗**结束。\n\n| a<b | c&d |\n| --- | --- |\n| 1 | 2 |\n"
    document = Document(markdown_to_docx(markdown, tmp_path / "x.docx"))
    title, body = document.paragraphs
    assert title.text == "标题 & <说明>"
    assert body.text == "正文\tA&B x<y  加粗结束。"
    assert effective_font(document, body, 1)[3]  # 加粗 is bold
    assert [c.text for c in document.tables[0].rows[0].cells] == ["a<b", "c&d"]


def test_a_large_table_keeps_every_row(tmp_path):
    # its speed is measured in bench/ (benchmark 3 and the phase report), not here
    rows = "\n".join(f"| 第{i}党支部 | {i % 50}条 | {i % 7}条 |" for i in range(1000))
    markdown = f"# 全市汇总\n\n## 一、各支部情况\n\n| 单位 | 问题 | 未销号 |\n| --- | --- | --- |\n{rows}\n"
    path = markdown_to_docx(markdown, tmp_path / "big.docx")
    table = Document(path).tables[0]
    assert len(table.rows) == 1001 and len(table.columns) == 3
    assert [c.text for c in table.rows[1000].cells] == ["第999党支部", "49条", "5条"]
