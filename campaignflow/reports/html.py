"""Markdown report -> a print-ready HTML page (A4, official-document fonts with free fallbacks)."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

from markdown_it import MarkdownIt

from .charts import Chart

CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "FangSong_GB2312", "仿宋_GB2312", "FangSong", "FandolFang", "Noto Serif CJK SC", serif;
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
figure { margin: 1em 0; text-align: center; page-break-inside: avoid; }
figure img { max-width: 100%; }
figcaption { font-size: 12pt; line-height: 1.5; }
@media print { body { margin: 0; max-width: none; } h2, h3 { page-break-after: avoid; } }
"""


def is_subtitle(text: str) -> bool:
    """The short line under the title (organisation, date) — not the first body paragraph."""
    return len(text) <= 40 and "。" not in text


def parse(markdown: str):
    """Tokens, with the subtitle paragraph (right after the title) marked class="subtitle"."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
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


def _figures(charts: Sequence[Chart]) -> str:
    if not charts:
        return ""
    parts = ["<h2>附图</h2>\n"]
    for n, chart in enumerate(charts, 1):
        data = base64.b64encode(chart.png).decode("ascii")
        caption = html.escape(f"图{n}　{chart.title}")
        parts.append(
            f'<figure id="chart-{chart.name}"><img src="data:image/png;base64,{data}" alt="{html.escape(chart.title)}">'
            f"<figcaption>{caption}</figcaption></figure>\n"
        )
    return "".join(parts)


def markdown_to_html(markdown: str, title: str, charts: Sequence[Chart] = ()) -> str:
    """A standalone HTML document for the report, charts embedded as data: URIs."""
    md = MarkdownIt("commonmark").enable("table")
    body = md.renderer.render(parse(markdown), md.options, {})
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}{_figures(charts)}</body>\n</html>\n"
    )
