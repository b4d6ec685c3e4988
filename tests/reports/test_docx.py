"""DOCX of the built-in phase and branch reports and of a large table, read back with python-docx."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx_checks import effective_font
from report_support import import_sample

from campaignflow.reports import phase_context, render_template
from campaignflow.reports.branches import branch_units, write_branch_reports
from campaignflow.reports.charts import report_charts
from campaignflow.reports.docx import markdown_to_docx
from campaignflow.reports.publish import publish
from campaignflow.snapshot import take_snapshot
from campaignflow.spec.shipped import shipped_root

BAPO = shipped_root() / "bapo-bali-2023" / "campaign.yaml"
BODY_STYLES = ("公文正文", "公文列表")


@pytest.fixture(scope="module")
def bapo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bapo")
    engine, loaded, home, _ = import_sample(tmp, BAPO)
    return engine, loaded, home


@pytest.fixture(scope="module")
def examine_docx(bapo):
    """The built-in phase report of 查摆剖析, published with its charts."""
    engine, loaded, home = bapo
    stage = next(s for s in loaded.spec.stages if s.id == "examine")
    snap = take_snapshot(engine=engine, loaded=loaded, as_of=stage.window[1], stage=stage.id)
    markdown = render_template(None, "phase.md.j2", phase_context(loaded=loaded, snapshot=snap))
    published = publish(
        engine=engine, loaded=loaded, home=home, scope="phase:examine", as_of=snap.as_of,
        markdown=markdown, charts=report_charts(loaded, snap),
    )  # fmt: skip
    return published


def _body(document):
    return [p for p in document.paragraphs if p.style.name in BODY_STYLES and p.text.strip()]


def test_phase_report_layout(examine_docx):
    document = Document(examine_docx.files["docx"])
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    title = paragraphs[0]
    assert (
        title.text == "“八破八立”解放思想大讨论\n查摆剖析阶段工作情况报告"
    )  # broken between words
    assert effective_font(document, title) == ("方正小标宋简体", 22, "zh-CN", False)
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    by_text = {p.text: p for p in paragraphs}
    assert effective_font(document, by_text["一、主要做法和成效"])[:2] == ("黑体", 16)
    measure = next(p for p in paragraphs if p.text.startswith("（一）第一轮集中研讨"))
    assert effective_font(document, measure, 0)[:2] == ("楷体_GB2312", 16)
    assert not effective_font(document, measure, 0)[3]
    assert effective_font(document, measure, 1)[:2] == ("仿宋_GB2312", 16)
    # tables: 表N above, centred grid tables over the text block, heads repeated on each page
    for table in document.tables:
        before = table._tbl.getprevious()
        caption = next(p for p in document.paragraphs if p._p is before)
        assert re.match(r"^表\d+　", caption.text) and caption.style.name == "公文表题"
        assert table.style.name == "Table Grid" and table.alignment == WD_TABLE_ALIGNMENT.CENTER
        widths = [c.width for c in table.rows[0].cells]
        assert round(sum(w.mm for w in widths)) == 156 and len(set(widths)) == 1
        head, cell = table.rows[0].cells[0].paragraphs[0], table.rows[1].cells[0].paragraphs[0]
        assert effective_font(document, head)[:2] == ("黑体", 12)
        assert effective_font(document, cell)[:2] == ("仿宋_GB2312", 12)
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert cell.style.paragraph_format.line_spacing == 1.0
    # figures where the report puts them, each followed by its caption
    pictures = [p for p in document.paragraphs if p._p.xpath(".//pic:pic")]
    assert len(pictures) == len(document.inline_shapes) == 3
    for n, picture in enumerate(pictures, 1):
        caption = picture._p.getnext()
        text = "".join(caption.itertext())
        assert text.startswith(f"图{n}　"), text
    order = [p._p for p in document.paragraphs]
    problems = next(p for p in pictures if "问题清单分类" in "".join(p._p.getnext().itertext()))
    assert order.index(problems._p) < order.index(by_text["二、存在问题和不足"]._p)
    assert not any("附图" in p.text for p in paragraphs)
    # 落款: organisation and date, right-aligned with four characters to spare
    org, date = paragraphs[-2:]
    assert (org.text, date.text) == ("××州审计局党组", "2023年5月15日")
    for p in (org, date):
        assert p.style.name == "公文落款"
        assert p.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert p.style.paragraph_format.right_indent.pt == 64


def test_body_paragraphs_are_whole_indented_and_fonts_declared(examine_docx, bapo):
    engine, loaded, home = bapo
    write_branch_reports(
        engine=engine, loaded=loaded, home=home, stage="mobilise", as_of=dt.date(2023, 3, 31),
        units=branch_units(engine, loaded)[:2],
    )  # fmt: skip
    branch = sorted((home / "reports").rglob("branches/*/*.docx"))
    assert branch
    for path in [examine_docx.files["docx"], *branch]:
        document = Document(path)
        body = _body(document)
        assert len(body) >= 3, path
        for p in body:
            assert not p._p.xpath(".//w:br"), f"a line break inside a body paragraph: {p.text[:40]}"
            own = p.paragraph_format.first_line_indent
            indent = own if own is not None else p.style.paragraph_format.first_line_indent
            assert indent is not None and indent.pt == 32, p.text[:40]  # two characters of 三号
        levels = [p for p in body if re.match(r"^（[二三四五六七八九十]+）", p.text)]
        assert levels or path in branch  # （二）/（三） are indented as body text too
        for element in (document.styles.element, document.element.body):
            for fonts in element.iter(qn("w:rFonts")):
                names = [fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia", "cs")]
                assert all(names), fonts.attrib


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
