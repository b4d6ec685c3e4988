"""Markdown report -> a print-ready HTML page (A4, official-document fonts with free fallbacks)."""

from __future__ import annotations

import html

from markdown_it import MarkdownIt

CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "FangSong_GB2312", "仿宋_GB2312", "FangSong", "FandolFang", "Noto Serif CJK SC", serif;
       font-size: 16pt; line-height: 28.9pt; max-width: 156mm; margin: 2em auto; color: #000; }
h1 { font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "Noto Serif CJK SC", serif; font-size: 22pt;
     font-weight: normal; text-align: center; line-height: 1.4; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 16pt; font-weight: normal; }
h3 { font-family: "KaiTi_GB2312", "楷体_GB2312", "KaiTi", "AR PL UKai CN", serif; font-size: 16pt; font-weight: normal; }
p { text-indent: 2em; margin: 0; }
h1 + p { text-indent: 0; text-align: center; font-family: "KaiTi", "AR PL UKai CN", serif; margin-bottom: 1em; }
table { border-collapse: collapse; width: 100%; font-size: 12pt; line-height: 1.5; margin: 0.5em 0; }
th, td { border: 1px solid #000; padding: 2pt 4pt; }
img { max-width: 100%; }
@media print { body { margin: 0; max-width: none; } }
"""


def markdown_to_html(markdown: str, title: str) -> str:
    """A standalone HTML document for the report."""
    body = MarkdownIt("commonmark").enable("table").render(markdown)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )
