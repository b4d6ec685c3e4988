"""Markdown report -> a print-ready HTML page (A4, official-document fonts with free fallbacks)."""

from __future__ import annotations

import base64
import functools
import html
from collections.abc import Mapping
from urllib.parse import unquote

from markdown_it import MarkdownIt

from .charts import Chart
from .layout import CAPTION, SIGNATURE_MARK

CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "FangSong_GB2312", "仿宋_GB2312", "FangSong", "FandolFang", "Noto Serif CJK SC", "Noto Serif SC", serif;
       font-size: 16pt; line-height: 28.9pt; max-width: 156mm; margin: 2em auto; color: #000; }
h1 { font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "Noto Serif CJK SC", serif; font-size: 22pt;
     font-weight: normal; text-align: center; line-height: 1.4; margin: 0 0 0.8em; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 16pt; font-weight: normal;
     text-indent: 2em; margin: 0; }
h3 { font-family: "KaiTi_GB2312", "楷体_GB2312", "KaiTi", "AR PL UKai CN", serif; font-size: 16pt;
     font-weight: normal; text-indent: 2em; margin: 0; }
p { text-indent: 2em; margin: 0; text-align: justify; }
p.subtitle { text-indent: 0; text-align: center; font-family: "KaiTi", "AR PL UKai CN", serif; margin-bottom: 1em; }
table { border-collapse: collapse; width: 100%; font-size: 12pt; line-height: 1.5; margin: 0.5em 0; }
th, td { border: 1px solid #000; padding: 2pt 4pt; }
p.figure { text-indent: 0; text-align: center; margin: 0.5em 0 0; page-break-after: avoid; }
p.figure img { width: 150mm; max-width: 100%; }
p.caption { text-indent: 0; text-align: center; font-size: 12pt; line-height: 1.5; margin-bottom: 1em; }
p.table-title { text-indent: 0; text-align: center; font-family: "SimHei", "黑体", "Noto Sans CJK SC", "Noto Sans SC", sans-serif;
     font-size: 14pt; margin-top: 0.5em; page-break-after: avoid; }
p.signature { text-indent: 0; text-align: right; padding-right: 4em; }
p.signature.first { margin-top: 2em; }
@media print { body { margin: 0; max-width: none; } h2, h3 { page-break-after: avoid; } }
"""


def is_subtitle(text: str) -> bool:
    """The short line under the title (organisation, date) — not the first body paragraph."""
    return len(text) <= 40 and "。" not in text


@functools.cache
def _markdown_it() -> MarkdownIt:
    """The parser (made once: its rule chains are compiled when it is made; parsing keeps its
    state per call)."""
    return MarkdownIt("commonmark").enable("table")


def parse(markdown: str):
    """Tokens, with the subtitle paragraph (right after the title) marked class="subtitle"."""
    tokens = _markdown_it().parse(markdown)
    for i, token in enumerate(tokens):
        if token.type == "heading_close" and token.tag == "h1":
            if (
                i + 2 < len(tokens)
                and tokens[i + 1].type == "paragraph_open"
                and is_subtitle(tokens[i + 2].content)
            ):
                tokens[i + 1].attrSet("class", "subtitle")
            break
    return tokens


def _mark(tokens, figures: Mapping[str, Chart]) -> None:
    """Classes for captions (图N/表N), figures and the 落款; figures' images as data: URIs."""
    signature = False
    for i, token in enumerate(tokens):
        if token.type == "html_block" and token.content.strip() == SIGNATURE_MARK:
            signature = True
            token.content = ""
            continue
        if token.type != "paragraph_open" or i + 1 >= len(tokens):
            continue
        inline = tokens[i + 1]
        images = [c for c in inline.children or () if c.type == "image"]
        if signature:
            token.attrSet("class", "signature first" if signature is True else "signature")
            signature = "after"
        elif len(images) == 1 and inline.content.startswith("!["):
            chart = figures.get(unquote(images[0].attrGet("src") or ""))
            token.attrSet("class", "figure")
            if chart is not None:
                data = base64.b64encode(chart.png).decode("ascii")
                images[0].attrSet("src", f"data:image/png;base64,{data}")
        elif CAPTION.match(inline.content):
            token.attrSet("class", "table-title" if inline.content.startswith("表") else "caption")


def markdown_to_html(markdown: str, title: str, figures: Mapping[str, Chart] | None = None) -> str:
    """A standalone HTML document for the report (`layout.lay_out`'s Markdown), its figures
    embedded as data: URIs."""
    md = _markdown_it()
    tokens = parse(markdown)
    _mark(tokens, figures or {})
    body = md.renderer.render(tokens, md.options, {})
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )
