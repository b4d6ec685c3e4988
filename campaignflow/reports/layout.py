"""From a rendered template to the report's final Markdown: numbered tables and figures, list
punctuation, one line per paragraph.

Templates place what they show with three markers (the `table`, `chart` and `signature`
template functions write them):

    <!-- table: 主要数据 -->        a numbered title above the next table: 表1　主要数据
    <!-- chart: problems -->       the chart named `problems`, where it stands: 图2　问题清单分类
    <!-- 落款 -->                   the lines after it are the signature (organisation, date),
                                   right-aligned in the DOCX/HTML/PDF

Tables and figures are numbered in order of appearance; a chart the run has no data for is left
out (and numbers nothing). In the Markdown a figure is an image (`<prefix>图2-problems.png`,
written next to the report) followed by its caption; the 落款 marker stays, so the HTML and DOCX
writers know the lines after it. Each paragraph is put on one line (a soft line break
would be justified into a stretched line by Word and LibreOffice), and list items end with "；",
the last one with "。".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .charts import Chart

TABLE_MARK = re.compile(r"^<!-- table: (.+?) -->$")
CHART_MARK = re.compile(r"^<!-- chart: ([\w-]+) -->$")
SIGNATURE_MARK = "<!-- 落款 -->"
CAPTION = re.compile(r"^(?:图|表)\d+　")
LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
STOPS = "。；;，,、.：:"


TITLE_CHARS = 20  # characters of 二号 in the 156 mm line: a longer title takes two lines


@dataclass
class Laid:
    """The final Markdown, the figures it shows (file name -> chart) in order, and where its
    title goes to a second line (None: one line)."""

    markdown: str
    figures: dict[str, Chart] = field(default_factory=dict)
    tables: int = 0
    title_break: int | None = None


def title_break(title: str) -> tuple[str, int | None]:
    """The title without its break marks, and the mark closest to the middle when the title is
    longer than a line (GB/T 9704: a title breaks between words, the lines of balanced length)."""
    from .filters import TITLE_BREAK

    parts = title.split(TITLE_BREAK)
    plain = "".join(parts)
    if len(parts) == 1 or len(plain) <= TITLE_CHARS:
        return plain, None
    joins, at = [], 0
    for part in parts[:-1]:
        at += len(part)
        joins.append(at)
    fitting = [j for j in joins if max(j, len(plain) - j) <= TITLE_CHARS] or joins
    return plain, min(fitting, key=lambda j: abs(len(plain) / 2 - j))


def table_marker(title: str) -> str:
    return f"\n<!-- table: {title} -->\n"


def chart_marker(name: str) -> str:
    return f"\n<!-- chart: {name} -->\n"


def signature_marker() -> str:
    return f"\n{SIGNATURE_MARK}\n"


def lay_out(markdown: str, charts: Sequence[Chart] = (), prefix: str = "") -> Laid:
    """The final Markdown of a report (see the module doc); figure files are named
    `<prefix>图N-<chart>.png`."""
    by_name = {c.name: c for c in charts}
    laid = Laid("")
    out: list[str] = []
    figures = 0
    for block in _blocks(markdown):
        first = block[0].strip()
        if first.startswith("# ") and laid.title_break is None and not out:
            title, laid.title_break = title_break(first[2:])
            out.append("# " + title)
            continue
        if (m := TABLE_MARK.match(first)) and len(block) == 1:
            laid.tables += 1
            out.append(f"表{laid.tables}　{m.group(1)}")
            continue
        if (m := CHART_MARK.match(first)) and len(block) == 1:
            chart = by_name.get(m.group(1))
            if chart is not None:
                figures += 1
                name = f"{prefix}图{figures}-{chart.name}.png"
                laid.figures[name] = chart
                out.append(f"![图{figures}　{chart.title}]({name})")
                out.append(f"图{figures}　{chart.title}")
            continue
        if first == SIGNATURE_MARK:
            out.append(SIGNATURE_MARK)
            continue
        if _is_list(block):
            out.append(_punctuate(block))
        elif _is_paragraph(block):
            out.append("".join(line.strip() for line in block))
        else:
            out.append("\n".join(block))
    laid.markdown = "\n\n".join(out).strip() + "\n"
    return laid


def _blocks(markdown: str) -> list[list[str]]:
    """Blank-line separated blocks; a marker line is a block of its own."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in markdown.splitlines():
        stripped = line.strip()
        if not stripped:
            if current:
                blocks.append(current)
                current = []
            continue
        if TABLE_MARK.match(stripped) or CHART_MARK.match(stripped) or stripped == SIGNATURE_MARK:
            if current:
                blocks.append(current)
                current = []
            blocks.append([stripped])
            continue
        current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _is_paragraph(block: list[str]) -> bool:
    first = block[0].lstrip()
    return not (first.startswith(("#", "|", ">", "<", "```", "![")) or LIST_ITEM.match(first))


def _is_list(block: list[str]) -> bool:
    return all(LIST_ITEM.match(line) or line.startswith("  ") for line in block) and bool(
        LIST_ITEM.match(block[0])
    )


def _punctuate(block: list[str]) -> str:
    """One line per item; each item ends with "；", the last with "。"."""
    items: list[tuple[str, str, str]] = []
    for line in block:
        m = LIST_ITEM.match(line)
        if m:
            items.append((m.group(1), m.group(2), m.group(3).strip()))
        elif items:
            indent, mark, text = items[-1]
            items[-1] = (indent, mark, text + line.strip())
    lines = []
    for i, (indent, mark, text) in enumerate(items):
        end = "。" if i == len(items) - 1 else "；"
        lines.append(f"{indent}{mark} {text.rstrip(STOPS)}{end}")
    return "\n".join(lines)


def for_screen(markdown: str) -> str:
    """A laid-out report for the Prefect UI's artifact: without the figure images (files
    beside the report the UI cannot show) and the 落款 mark; the captions stay."""
    lines = [
        line
        for line in markdown.splitlines()
        if not (line.startswith("![") and line.endswith(".png)")) and line != SIGNATURE_MARK
    ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
