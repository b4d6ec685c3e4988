"""Markdown report -> .docx in the GB/T 9704-2012 look (公文格式).

The page, footers and styles are in the base package of `docx_styles.py`, prepared once per
process. A report's body is written as WordprocessingML text straight from the Markdown tokens —
each paragraph names its style (title, headings, body, table cells), runs carry only bold or a
run-in heading's character style — and zipped with the base package's other parts. Charts, when
there are any, are then added to that document through python-docx (附图 at the end).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.shared import Mm

from .docx_styles import (
    BODY,
    BODY_FONT,
    CAPTION,
    FIGURE,
    H1_FONT,
    H2_FONT,
    HEADING1,
    HEADING2,
    LINE,
    LIST_ITEM,
    PAGE_FONT,
    RUN_IN1,
    RUN_IN2,
    SIZE_2,
    SIZE_3,
    SIZE_4,
    STYLES,
    SUBTITLE,
    TABLE_HEAD,
    TABLE_TEXT,
    TITLE,
    TITLE_FONT,
    column_width,
    east_asian_font,
    set_font,
    write_package,
)
from .html import is_subtitle, parse

if TYPE_CHECKING:
    from .charts import Chart

__all__ = [
    "BODY_FONT",
    "H1_FONT",
    "H2_FONT",
    "LINE",
    "PAGE_FONT",
    "SIZE_2",
    "SIZE_3",
    "SIZE_4",
    "TITLE_FONT",
    "east_asian_font",
    "markdown_to_docx",
    "set_font",
]

LEVEL2 = re.compile(r"^（[一二三四五六七八九十]+）")
LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")
# characters XML 1.0 cannot hold (python-docx refuses them); dropped from the text
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\t\n\r]")
_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "\t": '</w:t><w:tab/><w:t xml:space="preserve">',  # as python-docx's run.text does
    "\n": '</w:t><w:br/><w:t xml:space="preserve">',
    "\r": '</w:t><w:br/><w:t xml:space="preserve">',
}
_STYLE_NAME = {style.id: style.name for style in STYLES}
_TABLE_LOOK = (
    '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
    'w:noHBand="0" w:noVBand="1" w:val="04A0"/>'
)


def _run(text: str, *, bold: bool = False, style: str | None = None) -> str:
    text = _NOT_XML.sub("", text)
    if _SPECIAL.search(text):
        text = _SPECIAL.sub(lambda m: _ESCAPES[m.group()], text)
    props = (f'<w:rStyle w:val="{style}"/>' if style else "") + ("<w:b/>" if bold else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def _runs(token, *, run_in: bool = False) -> str:
    """The inline token's runs; with `run_in`, a bold 「（一）…」 is 楷体 and 「一、…」 黑体 (not bold)."""
    out: list[str] = []
    bold = False
    for child in token.children or ():
        kind = child.type
        if kind == "text" or kind == "code_inline":
            text = child.content
            if not text:
                continue
            if bold and run_in and LEVEL2.match(text):
                out.append(_run(text, style=RUN_IN2))
            elif bold and run_in and LEVEL1.match(text):
                out.append(_run(text, style=RUN_IN1))
            else:
                out.append(_run(text, bold=bold))
        elif kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "softbreak" or kind == "hardbreak":
            out.append("<w:r><w:br/></w:r>")
    return "".join(out)


def _paragraph(style: str, runs: str) -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{runs}</w:p>'


def _table(rows: list[list]) -> str:
    """A centred grid table over the text block; the first row (黑体) repeats on each page."""
    columns = max(len(cells) for cells in rows)
    width = column_width(columns)
    cell = (
        f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="'
    )
    out = [
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/>',
        f'<w:jc w:val="center"/>{_TABLE_LOOK}</w:tblPr><w:tblGrid>',
        f'<w:gridCol w:w="{width}"/>' * columns,
        "</w:tblGrid>",
    ]
    for r, cells in enumerate(rows):
        start = f'{cell}{TABLE_HEAD if r == 0 else TABLE_TEXT}"/></w:pPr>'
        out.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>" if r == 0 else "<w:tr>")
        for inline in cells:
            out.append(start)
            out.append(_runs(inline))
            out.append("</w:p></w:tc>")
        out.extend([start, "</w:p></w:tc>"] * (columns - len(cells)))
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def body_xml(markdown: str) -> str:
    """The document body (`w:p` and `w:tbl` elements) for the report's Markdown."""
    tokens = parse(markdown)
    out: list[str] = []
    lists = 0  # depth of bullet/ordered lists: their paragraphs are list items
    after_title = False
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i]
        kind = token.type
        if kind == "paragraph_open":
            inline = tokens[i + 1]
            if lists:
                out.append(_paragraph(LIST_ITEM, _runs(inline, run_in=True)))
            elif after_title and is_subtitle(inline.content):
                out.append(_paragraph(SUBTITLE, _runs(inline)))
            else:
                out.append(_paragraph(BODY, _runs(inline, run_in=True)))
            after_title = False
            i += 3
            continue
        if kind == "heading_open":
            level = int(token.tag[1])
            style = TITLE if level == 1 else HEADING1 if level == 2 else HEADING2
            out.append(_paragraph(style, _runs(tokens[i + 1])))
            after_title = level == 1
            i += 3
            continue
        if kind == "table_open":
            rows: list[list] = []
            while tokens[i].type != "table_close":
                if tokens[i].type == "tr_open":
                    rows.append([])
                elif tokens[i].type == "inline":
                    rows[-1].append(tokens[i])
                i += 1
            if rows:
                out.append(_table(rows))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        i += 1
    return "".join(out)


def markdown_to_docx(markdown: str, path: Path, charts: Sequence[Chart] = ()) -> Path:
    """Write the report as .docx (charts in a 附图 part at the end) and return its path."""
    body = body_xml(markdown)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not charts:
        write_package(path, body)
        return path
    buffer = io.BytesIO()
    write_package(buffer, body)
    document = Document(buffer)
    _figures(document, charts)
    document.save(path)
    return path


def _figures(document, charts: Sequence[Chart]) -> None:
    heading = document.add_paragraph("附图", style=_STYLE_NAME[HEADING1])
    heading.paragraph_format.page_break_before = True
    for n, chart in enumerate(charts, 1):
        picture = document.add_paragraph(style=_STYLE_NAME[FIGURE])
        picture.add_run().add_picture(io.BytesIO(chart.png), width=Mm(150))
        document.add_paragraph(f"图{n}　{chart.title}", style=_STYLE_NAME[CAPTION])
