"""Markdown report -> .docx in the GB/T 9704-2012 look (公文格式).

A4; margins top 37, bottom 35, left 28, right 26 mm; 22 lines of 28 characters; title 二号
方正小标宋简体; body 三号 仿宋_GB2312; level-1 headings 黑体, level-2 楷体; page numbers
"— 1 —" in 四号 宋体, right on odd pages and left on even ones. python-docx has no East Asian
font API, so fonts are set on `w:rFonts/@w:eastAsia` with the theme attributes removed.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from markdown_it import MarkdownIt

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT, PAGE_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
SIZE_2, SIZE_3, SIZE_4 = Pt(22), Pt(16), Pt(14)
LINE = Pt(28.95)  # 22 lines in the 225 mm text block


def set_font(run, name: str, size: Pt | None = None, bold: bool | None = None) -> None:
    """Set Latin and East Asian font on a run; drop theme fonts that would override it."""
    run.font.name = name
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
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
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), BODY_FONT)
    # 28 characters per line: character grid on the section
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), "579")
    grid.set(qn("w:charSpace"), "0")


def _field(paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    set_font(run, PAGE_FONT, SIZE_4)
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
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
    paragraph.alignment = align
    set_font(paragraph.add_run("— "), PAGE_FONT, SIZE_4)
    _field(paragraph, " PAGE ")
    set_font(paragraph.add_run(" —"), PAGE_FONT, SIZE_4)


def _inline_runs(paragraph, token, font: str, size: Pt) -> None:
    bold = False
    for child in token.children or []:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type in ("text", "code_inline"):
            set_font(paragraph.add_run(child.content), font, size, bold)
        elif child.type in ("softbreak", "hardbreak"):
            paragraph.add_run().add_break()


def markdown_to_docx(markdown: str, path: Path) -> Path:
    """Write the report as .docx and return its path."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
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
                _inline_runs(p, inline, TITLE_FONT, SIZE_2)
                first_paragraph_after_title = True
            else:
                p.paragraph_format.first_line_indent = Pt(32)
                _inline_runs(p, inline, H1_FONT if level == 2 else H2_FONT, SIZE_3)
            i += 3
            continue
        if token.type == "paragraph_open":
            inline = tokens[i + 1]
            p = document.add_paragraph()
            if first_paragraph_after_title:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _inline_runs(p, inline, H2_FONT, SIZE_3)
                first_paragraph_after_title = False
            else:
                p.paragraph_format.first_line_indent = Pt(32)
                _inline_runs(p, inline, BODY_FONT, SIZE_3)
            i += 3
            continue
        if token.type == "table_open":
            i = _table(document, tokens, i)
            continue
        if token.type == "list_item_open":
            inline = next(t for t in tokens[i:] if t.type == "inline")
            p = document.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            _inline_runs(p, inline, BODY_FONT, SIZE_3)
        i += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


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
