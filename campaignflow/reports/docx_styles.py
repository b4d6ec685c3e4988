"""The GB/T 9704-2012 base document for `docx.py`: page setup, footers and styles, built once.

A4; margins top 37, bottom 35, left 28, right 26 mm; 22 lines of 28 characters; title 二号
方正小标宋简体; body 三号 仿宋_GB2312; level-1 headings 黑体, level-2 楷体; page numbers
"— 1 —" in 四号 宋体, right on odd pages and left on even ones. python-docx has no East Asian
font API, so fonts are set on `w:rFonts/@w:eastAsia` with the theme attributes removed.

Fonts, sizes and paragraph layout live in the document's styles (`STYLES`), not on each run:
the body of a report only names a paragraph style and, for run-in headings, a character style.
The base package (python-docx's default template with these changes, unused styles and the
2010 `stylesWithEffects` copy dropped) is built once per process and kept as its zip entries.
"""

from __future__ import annotations

import functools
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Mm, Pt

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
# 16 pt character to two 15.8 pt cells; condensed spacing (on Normal, so every run) works in both.
CONDENSE = -5  # twentieths of a point
BLOCK_WIDTH = Mm(210 - 28 - 26)

# paragraph and character style ids used by the body (see STYLES)
TITLE, SUBTITLE, HEADING1, HEADING2, BODY, LIST_ITEM = (
    "CFTitle",
    "CFSubtitle",
    "CFHeading1",
    "CFHeading2",
    "CFBody",
    "CFListItem",
)
TABLE_HEAD, TABLE_TEXT, FIGURE, CAPTION = "CFTableHead", "CFTableText", "CFFigure", "CFCaption"
SIGNATURE, TABLE_TITLE = "CFSignature", "CFTableTitle"
RUN_IN1, RUN_IN2 = "CFRunIn1", "CFRunIn2"  # 「一、…」 黑体 and 「（一）…」 楷体 inside a paragraph


def _twips(length) -> int:
    return round(length.pt * 20)


def _rpr(font: str | None, size: Pt | None = None) -> str:
    fonts = (
        f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>'
        if font
        else ""
    )
    sizes = (
        f'<w:sz w:val="{round(size.pt * 2)}"/><w:szCs w:val="{round(size.pt * 2)}"/>'
        if size
        else ""
    )
    return f'<w:rPr>{fonts}{sizes}<w:lang w:eastAsia="zh-CN"/></w:rPr>'


def _spacing(*, line: Pt | None = None, after: Pt | None = None) -> str:
    """`w:spacing`: exactly `line`, or single spacing when `line` is None."""
    attrs = f' w:after="{_twips(after)}"' if after is not None else ""
    if line is None:
        attrs += ' w:line="240" w:lineRule="auto"'
    else:
        attrs += f' w:line="{_twips(line)}" w:lineRule="exact"'
    return f"<w:spacing{attrs}/>"


INDENT = f'<w:ind w:firstLine="{_twips(Pt(32))}"/>'  # two characters of 三号


@dataclass(frozen=True)
class Style:
    id: str
    name: str
    ppr: str  # children of w:pPr, in schema order
    font: str | None
    size: Pt | None = None
    kind: str = "paragraph"

    def xml(self) -> str:
        based = "DefaultParagraphFont" if self.kind == "character" else "Normal"
        ppr = f"<w:pPr>{self.ppr}</w:pPr>" if self.ppr else ""
        return (
            f'<w:style {nsdecls("w")} w:type="{self.kind}" w:customStyle="1" w:styleId="{self.id}">'
            f'<w:name w:val="{self.name}"/><w:basedOn w:val="{based}"/><w:qFormat/>'
            f"{ppr}{_rpr(self.font, self.size)}</w:style>"
        )


STYLES = (
    Style(
        TITLE,
        "公文标题",
        f'{_spacing(line=Pt(36), after=LINE)}<w:jc w:val="center"/><w:outlineLvl w:val="0"/>',
        TITLE_FONT,
        SIZE_2,
    ),
    Style(SUBTITLE, "公文副标题", '<w:jc w:val="center"/>', H2_FONT, SIZE_3),
    Style(
        HEADING1,
        "公文一级标题",
        f'<w:keepNext/>{_spacing(line=LINE)}{INDENT}<w:outlineLvl w:val="1"/>',
        H1_FONT,
        SIZE_3,
    ),
    Style(
        HEADING2,
        "公文二级标题",
        f'<w:keepNext/>{_spacing(line=LINE)}{INDENT}<w:outlineLvl w:val="2"/>',
        H2_FONT,
        SIZE_3,
    ),
    Style(BODY, "公文正文", f'{INDENT}<w:jc w:val="both"/>', BODY_FONT, SIZE_3),
    Style(LIST_ITEM, "公文列表", INDENT, BODY_FONT, SIZE_3),
    Style(TABLE_HEAD, "公文表头", _spacing(), H1_FONT, Pt(12)),
    Style(TABLE_TEXT, "公文表格", _spacing(), BODY_FONT, Pt(12)),
    Style(FIGURE, "公文附图", f'<w:keepNext/>{_spacing()}<w:jc w:val="center"/>', None),
    Style(
        CAPTION, "公文图题", f'{_spacing(after=Pt(12))}<w:jc w:val="center"/>', BODY_FONT, Pt(12)
    ),
    Style(
        TABLE_TITLE,
        "公文表题",
        f'<w:keepNext/>{_spacing(after=Pt(6))}<w:jc w:val="center"/>',
        H1_FONT,
        SIZE_4,
    ),
    Style(
        SIGNATURE,
        "公文落款",
        f'<w:ind w:right="{_twips(Pt(64))}"/><w:jc w:val="right"/>',
        BODY_FONT,
        SIZE_3,
    ),
    Style(RUN_IN1, "公文一级标题字符", "", H1_FONT, kind="character"),
    Style(RUN_IN2, "公文二级标题字符", "", H2_FONT, kind="character"),
)
# the template's styles still in use (Footer, linked to Footer Char, is on the page numbers)
KEPT_STYLES = {
    "Normal",
    "DefaultParagraphFont",
    "TableNormal",
    "NoList",
    "TableGrid",
    "Footer",
    "FooterChar",
}


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


def _condense(rpr) -> None:
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        # schema order: rFonts … spacing before w:sz / w:lang
        anchor = rpr.find(qn("w:sz"))
        if anchor is None:
            anchor = rpr.find(qn("w:lang"))
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
                    rpr.find(qn("w:lang")).addprevious(size)
                size.set(qn("w:val"), str(int(SIZE_3.pt * 2)))
    # 28 characters per line: character grid on the section
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")
    grid.attrib.pop(qn("w:charSpace"), None)


def _styles(document) -> None:
    """Add `STYLES`; drop the template's other styles, latent styles and stylesWithEffects."""
    styles = document.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in KEPT_STYLES:
            styles.remove(style)
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    for style in STYLES:
        styles.append(parse_xml(style.xml()))
    part = document.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):  # not in python-docx's constants
            part.drop_rel(rid)
    package_rels = part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # a picture of the blank template
            del package_rels[rid]


@dataclass(frozen=True)
class Base:
    """The prepared package: zip entries, and document.xml split where the body goes."""

    entries: tuple[tuple[str, bytes], ...]  # everything but word/document.xml, in package order
    head: str  # word/document.xml up to the body's content
    tail: str  # the section properties and the closing tags


@functools.cache
def base() -> Base:
    document = Document()
    document.element.body.clear_content()
    _page_setup(document)
    _styles(document)
    buffer = io.BytesIO()
    document.save(buffer)
    entries = []
    head = tail = ""
    with zipfile.ZipFile(buffer) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            if name == "word/document.xml":
                text = data.decode("utf-8")
                cut = text.index("<w:sectPr")
                head, tail = text[:cut], text[cut:]
                entries.append((name, b""))
            else:
                entries.append((name, data))
    return Base(tuple(entries), head, tail)


def column_width(columns: int) -> int:
    """Twips of each of `columns` equal columns across the text block (as python-docx does)."""
    return Emu(BLOCK_WIDTH // columns).twips


def write_package(target, body: str) -> None:
    """Write the base package with `body` (w:p/w:tbl elements) as the document's content:
    a copy of the base's other parts, compressed once per process (`_constant_parts`), with
    word/document.xml added (a zip's members may come in any order: OPC names them)."""
    prepared = base()
    buffer = io.BytesIO(_constant_parts())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_entry("word/document.xml"), prepared.head + body + prepared.tail)
    if hasattr(target, "write"):
        target.write(buffer.getvalue())
    else:
        Path(target).write_bytes(buffer.getvalue())


@functools.cache
def _constant_parts() -> bytes:
    """The base package without word/document.xml, as zip bytes (styles, theme, settings…:
    deflated once instead of once per report)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in base().entries:
            if name != "word/document.xml":
                archive.writestr(_entry(name), data)
    return buffer.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # reproducible bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    return info
