"""Markdown report -> .docx in the GB/T 9704-2012 look (公文格式).

A4; margins top 37, bottom 35, left 28, right 26 mm; 22 lines of 28 characters; title 二号
方正小标宋简体; body 三号 仿宋_GB2312; level-1 headings 黑体, level-2 楷体; page numbers
"— 1 —" in 四号 宋体, right on odd pages and left on even ones. python-docx has no East Asian
font API, so fonts are set on `w:rFonts/@w:eastAsia` with the theme attributes removed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .charts import Chart
from .html import is_subtitle, parse

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT, PAGE_FONT = (
    "方正小标宋简体",
    "仿宋_GB2312",
    "黑体",
    "楷体_GB2312",
    "宋体",
)
SIZE_2, SIZE_3, SIZE_4 = Pt(22), Pt(16), Pt(14)
LINE = Pt(28.95)  # 22 lines in the 225 mm text block
# 28 characters of 三号 in the 156 mm line need 15.75 pt each: 0.25 pt less than the font size.
# Word's character grid (linesAndChars, charSpace -849) does it, but LibreOffice snaps each
# 16 pt character to two 15.8 pt cells; condensed spacing on the runs works in both.
CONDENSE = -5  # twentieths of a point
LEVEL2 = re.compile(r"^（[一二三四五六七八九十]+）")
LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")


def set_font(run, name: str, size: Pt | None = None, bold: bool | None = None) -> None:
    """Set Latin and East Asian font on a run; drop theme fonts that would override it."""
    run.font.name = name
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.font.bold = bold
    east_asian_font(run._element.get_or_add_rPr(), name)


def east_asian_font(rpr, name: str) -> None:
    """On a `w:rPr`: every script in `name`, theme fonts removed, East Asian language zh-CN."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _page_setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)
    settings = document.settings.element
    even_odd = OxmlElement("w:evenAndOddHeaders")
    settings.append(even_odd)
    section.different_first_page_header_footer = False
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
    normal = document.styles["Normal"]
    normal.font.size = SIZE_3
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.widow_control = False
    east_asian_font(normal.element.get_or_add_rPr(), BODY_FONT)
    _condense(normal.element.get_or_add_rPr())
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:  # the theme fonts of the default template would override ours
        for rpr in defaults.iter(qn("w:rPr")):
            east_asian_font(rpr, BODY_FONT)
            # the character grid's pitch is 三号 + charSpace only when the default size is 三号
            for tag in ("w:sz", "w:szCs"):
                size = rpr.find(qn(tag))
                if size is None:
                    size = OxmlElement(tag)
                    rpr.append(size)
                size.set(qn("w:val"), str(int(SIZE_3.pt * 2)))
    # 28 characters per line: character grid on the section
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")
    grid.attrib.pop(qn("w:charSpace"), None)


def _condense(rpr) -> None:
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        # schema order: rFonts … spacing before w:sz / w:lang
        anchor = rpr.find(qn("w:sz"))
        if anchor is not None:
            anchor.addprevious(spacing)
        else:
            rpr.append(spacing)
    spacing.set(qn("w:val"), str(CONDENSE))


def _field(paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    set_font(run, PAGE_FONT, SIZE_4)
    for kind, text in (
        ("begin", None),
        (None, instruction),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._element.append(element)


def _page_number(paragraph, align) -> None:
    """「— 1 —」 with one character's space from the edge: right on odd pages, left on even."""
    paragraph.alignment = align
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = SIZE_4
    else:
        paragraph.paragraph_format.left_indent = SIZE_4
    set_font(paragraph.add_run("— "), PAGE_FONT, SIZE_4)
    _field(paragraph, " PAGE ")
    set_font(paragraph.add_run(" —"), PAGE_FONT, SIZE_4)


def _inline_runs(paragraph, token, font: str, size: Pt, *, run_in: bool = False) -> None:
    """The paragraph's text; with `run_in`, a bold 「（一）…」 becomes 楷体 and 「一、…」 黑体 (not bold)."""
    bold = False
    for child in token.children or []:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type in ("text", "code_inline") and child.content:
            run_font, run_bold = font, bold
            if bold and run_in and LEVEL2.match(child.content):
                run_font, run_bold = H2_FONT, False
            elif bold and run_in and LEVEL1.match(child.content):
                run_font, run_bold = H1_FONT, False
            set_font(paragraph.add_run(child.content), run_font, size, run_bold)
        elif child.type in ("softbreak", "hardbreak"):
            paragraph.add_run().add_break()


def markdown_to_docx(markdown: str, path: Path, charts: Sequence[Chart] = ()) -> Path:
    """Write the report as .docx (charts in a 附图 part at the end) and return its path."""
    tokens = parse(markdown)
    document = Document()
    _page_setup(document)
    i = 0
    first_paragraph_after_title = False
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            inline = tokens[i + 1]
            level = int(token.tag[1])
            p = document.add_paragraph()
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            p.paragraph_format.line_spacing = LINE if level > 1 else Pt(36)
            if level == 1:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                p.paragraph_format.space_after = LINE  # one blank line between title and body
                _inline_runs(p, inline, TITLE_FONT, SIZE_2)
            else:
                p.paragraph_format.first_line_indent = Pt(32)
                p.paragraph_format.keep_with_next = True
                _inline_runs(p, inline, H1_FONT if level == 2 else H2_FONT, SIZE_3)
            first_paragraph_after_title = level == 1
            i += 3
            continue
        if token.type == "paragraph_open":
            inline = tokens[i + 1]
            p = document.add_paragraph()
            if first_paragraph_after_title and is_subtitle(inline.content):
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _inline_runs(p, inline, H2_FONT, SIZE_3)
                first_paragraph_after_title = False
            else:
                first_paragraph_after_title = False
                p.paragraph_format.first_line_indent = Pt(32)
                p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
                _inline_runs(p, inline, BODY_FONT, SIZE_3, run_in=True)
            i += 3
            continue
        if token.type == "table_open":
            i = _table(document, tokens, i)
            continue
        if token.type == "list_item_open":
            inline = next(t for t in tokens[i:] if t.type == "inline")
            p = document.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            _inline_runs(p, inline, BODY_FONT, SIZE_3, run_in=True)
        i += 1
    _figures(document, charts)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


def _figures(document, charts: Sequence[Chart]) -> None:
    if not charts:
        return
    heading = document.add_paragraph()
    heading.paragraph_format.first_line_indent = Pt(32)
    heading.paragraph_format.page_break_before = True
    set_font(heading.add_run("附图"), H1_FONT, SIZE_3)
    for n, chart in enumerate(charts, 1):
        p = document.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.keep_with_next = True
        p.add_run().add_picture(io.BytesIO(chart.png), width=Mm(150))
        caption = document.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        caption.paragraph_format.space_after = Pt(12)
        set_font(caption.add_run(f"图{n}　{chart.title}"), BODY_FONT, Pt(12))


def _table(document, tokens, i: int) -> int:
    rows: list[list] = []
    while tokens[i].type != "table_close":
        if tokens[i].type == "tr_open":
            rows.append([])
        elif tokens[i].type == "inline":
            rows[-1].append(tokens[i])
        i += 1
    if rows:
        table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for r, cells in enumerate(rows):
            for c, inline in enumerate(cells):
                p = table.cell(r, c).paragraphs[0]
                p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                _inline_runs(p, inline, H1_FONT if r == 0 else BODY_FONT, Pt(12))
    return i + 1
