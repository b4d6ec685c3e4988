"""HTML, DOCX (GB/T 9704-2012 look), charts and PDF of the seed summary."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import warnings

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx_checks import effective_font

from campaignflow.reports.charts import (
    category_chart,
    cjk_font,
    monthly_chart,
    progress_chart,
    report_charts,
)
from campaignflow.reports.pdf import INSTALL_HINT, find_soffice
from campaignflow.reports.publish import publish

AS_OF = dt.date(2023, 12, 31)


@pytest.fixture(scope="module")
def published(seed_report):
    return publish(
        engine=seed_report.engine,
        loaded=seed_report.loaded,
        home=seed_report.home,
        scope="final",
        as_of=AS_OF,
        markdown=seed_report.markdown,
        charts=report_charts(seed_report.loaded, seed_report.snapshot),
    )


def test_charts_have_cjk_glyphs():
    assert cjk_font(), "no CJK font for matplotlib: apt-get install fonts-noto-cjk"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font" would be a tofu box
        charts = [
            progress_chart([{"name": "学习动员", "progress": {"done": 3, "total": 4}}]),
            category_chart({"不想担当": 30, "不善担当": 25, "不敢担当": 30}),
            monthly_chart({"2023-01": {"支委会": 1, "主题党日": 1}, "2023-02": {"志愿服务": 7}}),
        ]
    for chart in charts:
        assert chart is not None and chart.png.startswith(b"\x89PNG")
    assert progress_chart([]) is None and category_chart({}) is None and monthly_chart({}) is None


def test_html_is_print_ready_with_charts(published):
    html = published.files["html"].read_text(encoding="utf-8")
    assert "@page { size: A4; margin: 37mm 26mm 35mm 28mm; }" in html
    assert html.count('src="data:image/png;base64,') == 2
    assert (
        "<h2>一、主要做法和成效</h2>" in html
        and "<h3>（一）以学铸魂强引领，持续深化政治建设</h3>" in html
    )
    assert "<strong>（一）进一步加强党性修养</strong>。坚持" in html
    assert 'class="subtitle"' not in html  # the first paragraph is body text, not a subtitle


def test_docx_has_the_official_layout(published):
    document = Document(published.files["docx"])
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    title = paragraphs[0]
    assert title.text == "2023年基层支部党建工作总结"

    def font(paragraph, run=0):
        return effective_font(document, paragraph, run)[:2]

    by_text = {p.text: p for p in paragraphs}
    assert font(title) == ("方正小标宋简体", 22)
    assert font(by_text["一、主要做法和成效"]) == ("黑体", 16)
    assert font(by_text["（一）以学铸魂强引领，持续深化政治建设"]) == ("楷体_GB2312", 16)
    assert font(paragraphs[1]) == ("仿宋_GB2312", 16)
    plan = next(p for p in paragraphs if p.text.startswith("（一）进一步加强党性修养"))
    assert font(plan) == ("楷体_GB2312", 16) and font(plan, 1) == ("仿宋_GB2312", 16)
    assert not effective_font(document, plan, 0)[3]  # the run-in heading is not bold
    assert effective_font(document, title, 0)[2] == "zh-CN"
    # page numbers 「— 1 —」: right on odd pages, left on even ones, 四号 宋体
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == 2 and even.alignment == 0  # RIGHT, LEFT
    assert "— " in odd.text and " —" in odd.text and "PAGE" in odd._element.xml
    assert (
        odd.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
        and odd.runs[0].font.size.pt == 14
    )
    assert document.settings.element.find(qn("w:evenAndOddHeaders")) is not None
    assert len(document.inline_shapes) == 2  # the charts, where the template puts them


def _needs(tool: str) -> None:
    if shutil.which(tool) is None:
        message = f"{tool} missing: apt-get install poppler-utils"
        pytest.fail(message) if os.environ.get("CI") == "true" else pytest.skip(message)


@pytest.mark.slow
def test_pdf_pages_fonts_and_page_image(published, tmp_path):
    if find_soffice() is None:
        pytest.fail(INSTALL_HINT) if os.environ.get("CI") == "true" else pytest.skip(INSTALL_HINT)
    for tool in ("pdfinfo", "pdffonts", "pdftoppm"):
        _needs(tool)
    assert "pdf" in published.files, published.skipped
    pdf = published.files["pdf"]
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert re.search(r"Page size:\s+595(\.\d+)? x 841(\.\d+)? pts \(A4\)", info), info
    assert 7 <= pages <= 12, pages  # 7 pages of text, then 附图
    fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]]
    assert any(n.startswith("NotoSerifCJK") for n in names), fonts  # 仿宋/宋体/小标宋 substitutes
    assert any(n.startswith("NotoSansCJK") for n in names), fonts  # 黑体
    assert any("UKai" in n for n in names), fonts  # 楷体
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), "every font embedded"
    text = subprocess.run(
        ["pdftotext", "-layout", "-l", "1", pdf, "-"], capture_output=True, text=True
    ).stdout
    assert "2023 年基层支部党建工作总结" in text or "2023年基层支部党建工作总结" in text
    assert re.search(r"—\s*1\s*—", text)
    # a rendered page image: page 1 has ink in the text block and none in the margins
    subprocess.run(
        ["pdftoppm", "-r", "30", "-gray", "-f", "1", "-l", "1", pdf, tmp_path / "page"], check=True
    )
    image = next(tmp_path.glob("page*.pgm")).read_bytes()
    _magic, size, _depth, pixels = image.split(b"\n", 3)
    width, height = map(int, size.split())
    assert abs(width - 248) <= 1 and abs(height - 351) <= 1  # A4 at 30 dpi
    rows = [pixels[y * width : (y + 1) * width] for y in range(height)]
    dark = [sum(1 for px in row if px < 128) for row in rows]
    top_margin = round(37 / 25.4 * 30)
    assert sum(dark[: top_margin - 2]) == 0, "nothing printed in the top margin"
    assert sum(dark[top_margin:]) > 1000, "the text block has text"
    left = round(28 / 25.4 * 30)
    assert all(
        px >= 128 for row in rows[: height - round(35 / 25.4 * 30)] for px in row[: left - 2]
    )
