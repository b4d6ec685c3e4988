"""Markdown report -> .docx in the GB/T 9704-2012 look (公文格式).

The page, footers and styles are in the base package of `docx_styles.py`, prepared once per
process. A report's body is written as WordprocessingML text straight from the Markdown tokens of
`layout.lay_out` — each paragraph names its style (title, headings, body, 表N/图N captions, the
落款, table cells), runs carry only bold or a run-in heading's character style — and zipped with
the base package's other parts. A Markdown paragraph is one Word paragraph: a soft line break
joins its lines (Word and LibreOffice would justify a broken line into stretched characters).
Figures are placed where the report puts them: their paragraphs are written with a placeholder
the picture then replaces through python-docx.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

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
    SIGNATURE,
    SIZE_2,
    SIZE_3,
    SIZE_4,
    SUBTITLE,
    TABLE_HEAD,
    TABLE_TEXT,
    TABLE_TITLE,
    TITLE,
    TITLE_FONT,
    column_width,
    east_asian_font,
    set_font,
    write_package,
)
from .html import is_subtitle, parse
from .layout import CAPTION as CAPTION_TEXT
from .layout import SIGNATURE_MARK

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
        elif kind == "hardbreak":
            out.append("<w:r><w:br/></w:r>")
    return "".join(out)


def _paragraph(style: str, runs: str, extra: str = "") -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{extra}</w:pPr>{runs}</w:p>'


PLACEHOLDER = "\u2063figure:"  # the text of a figure's paragraph until its picture is placed


def _image(inline) -> str | None:
    """The file name of a paragraph that is only an image."""
    children = [
        c for c in inline.children or () if not (c.type == "text" and not c.content.strip())
    ]
    if len(children) == 1 and children[0].type == "image":
        return unquote(children[0].attrGet("src") or "")  # markdown-it percent-encodes 图
    return None


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


def body_xml(markdown: str, title_break: int | None = None) -> str:
    """The document body (`w:p` and `w:tbl` elements) for the report's Markdown; the title
    goes to a second line at `title_break` (a character index) when given."""
    tokens = parse(markdown)
    out: list[str] = []
    lists = 0  # depth of bullet/ordered lists: their paragraphs are list items
    after_title = signature = False
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i]
        kind = token.type
        if kind == "html_block" and token.content.strip() == SIGNATURE_MARK:
            signature = True
            out.append(_paragraph(BODY, ""))  # a blank line before the 落款
        elif kind == "paragraph_open":
            inline = tokens[i + 1]
            text = inline.content
            image = _image(inline)
            if image is not None:
                out.append(_paragraph(FIGURE, _run(PLACEHOLDER + image)))
            elif signature:
                out.append(_paragraph(SIGNATURE, _runs(inline)))
            elif lists:
                out.append(_paragraph(LIST_ITEM, _runs(inline, run_in=True)))
            elif after_title and is_subtitle(text):
                out.append(_paragraph(SUBTITLE, _runs(inline)))
            elif CAPTION_TEXT.match(text):
                style = TABLE_TITLE if text.startswith("表") else CAPTION
                out.append(_paragraph(style, _runs(inline)))
            else:
                out.append(_paragraph(BODY, _runs(inline, run_in=True)))
            after_title = False
            i += 3
            continue
        if kind == "heading_open":
            level = int(token.tag[1])
            style = TITLE if level == 1 else HEADING1 if level == 2 else HEADING2
            text = tokens[i + 1].content
            if level == 1 and title_break and 0 < title_break < len(text):
                runs = _run(text[:title_break]) + "<w:r><w:br/></w:r>" + _run(text[title_break:])
            else:
                runs = _runs(tokens[i + 1])
            out.append(_paragraph(style, runs))
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


def markdown_to_docx(
    markdown: str,
    path: Path,
    figures: Mapping[str, Chart] | None = None,
    title_break: int | None = None,
) -> Path:
    """Write the report as .docx, each image of `markdown` (by file name, `layout.lay_out`)
    drawn from `figures`, the title broken at `title_break`, and return its path."""
    body = body_xml(markdown, title_break)
    path.parent.mkdir(parents=True, exist_ok=True)
    if PLACEHOLDER not in body:
        write_package(path, body)
        return path
    buffer = io.BytesIO()
    write_package(buffer, body)
    document = Document(buffer)
    _place_figures(document, figures or {})
    document.save(path)
    return path


def _place_figures(document, figures: Mapping[str, Chart]) -> None:
    for paragraph in document.paragraphs:
        text = paragraph.text
        if not text.startswith(PLACEHOLDER):
            continue
        chart = figures.get(text[len(PLACEHOLDER) :])
        for run in list(paragraph.runs):
            run._element.getparent().remove(run._element)
        if chart is None:  # an image the report names but was not drawn: drop its paragraph
            paragraph._element.getparent().remove(paragraph._element)
            continue
        paragraph.add_run().add_picture(io.BytesIO(chart.png), width=Mm(150))
