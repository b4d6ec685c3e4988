"""Printed sheets, as PDF (matplotlib with the shipped CJK font, QR codes by segno):

- `link_sheets`: one A4 page per unit with a QR code per form it fills (and one page per
  public form), each with the form's title and last day;
- `code_slips`: ballot codes as slips to cut and hand out, ten per page, each with its QR
  code and the code in large type — no number, name or order that could tie a slip to a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

A4 = (210.0, 297.0)  # mm
MM = 1 / 25.4


@dataclass(frozen=True)
class Code:
    """A QR block: the link and the lines printed under it."""

    url: str
    title: str
    note: str


@dataclass(frozen=True)
class Page:
    heading: str
    subheading: str
    blocks: list[Code]
    footer: str = ""


def _runs(url: str) -> tuple[int, list[tuple[int, int, int]]]:
    """(modules per side, dark runs (row, first column, length)) of the QR code of `url`,
    quiet zone included."""
    import segno

    rows = list(segno.make(url, error="m", micro=False).matrix_iter(border=2))
    runs = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return len(rows), runs


def _page(size=A4):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    from ..reports.fonts import chart_family

    matplotlib.rcParams.update({"font.family": [chart_family()], "axes.unicode_minus": False})
    fig = Figure(figsize=(size[0] * MM, size[1] * MM))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, size[0])
    ax.set_ylim(size[1], 0)  # y downwards, in mm from the top
    ax.axis("off")
    return fig, ax


def _qr(ax, url: str, x: float, y: float, side: float) -> None:
    """The QR code as vector squares (crisp at any printer resolution), `side` mm wide."""
    from matplotlib.patches import Rectangle

    count, runs = _runs(url)
    m = side / count
    for row, col, length in runs:
        ax.add_patch(Rectangle((x + col * m, y + row * m), length * m, m,
                               facecolor="black", edgecolor="none", antialiased=False))  # fmt: skip


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slots(count: int) -> list[tuple[float, float, float]]:
    """(x, y, side) in mm of the QR blocks of a page of `count` (≤ 6): one alone is a poster,
    large and centred; more go in two columns."""
    if count == 1:
        return [(50.0, 55.0, 110.0)]
    return [(30.0 + (n % 2) * 95, 48.0 + (n // 2) * 80, 55.0) for n in range(count)]


def link_sheets(pages: list[Page], output: Path) -> int:
    """Write `pages` (up to six QR blocks a sheet) to `output`; returns the sheets written."""
    from matplotlib.backends.backend_pdf import PdfPages

    written = 0
    with PdfPages(output, metadata={"Title": "填报二维码", "Creator": "campaignflow"}) as pdf:
        for page in pages:
            for start in range(0, max(1, len(page.blocks)), 6):
                fig, ax = _page()
                ax.text(105, 22, _fit(page.heading, 22), ha="center", va="center", fontsize=20)
                ax.text(105, 33, _fit(page.subheading, 40), ha="center", va="center",
                        fontsize=11, color="#444")  # fmt: skip
                blocks = page.blocks[start : start + 6]
                big = len(blocks) == 1
                for block, (x, y, side) in zip(blocks, slots(len(blocks)), strict=True):
                    _qr(ax, block.url, x, y, side)
                    middle, below = x + side / 2, y + side + 6
                    ax.text(middle, below, _fit(block.title, 16), ha="center", va="center",
                            fontsize=18 if big else 12)  # fmt: skip
                    ax.text(middle, below + (10 if big else 7), _fit(block.note, 26), ha="center",
                            va="center", fontsize=12 if big else 9, color="#444")  # fmt: skip
                ax.text(105, 288, page.footer, ha="center", fontsize=8, color="#666", va="center")
                pdf.savefig(fig)
                written += 1
    return written


def code_slips(*, heading: str, round_key: str, group: str | None, urls: list[tuple[str, str]],
               output: Path, day: dt.date | None = None) -> int:  # fmt: skip
    """Slips of (code, url), ten per A4 page with dashed cutting lines; returns pages."""
    from matplotlib.backends.backend_pdf import PdfPages

    pages = 0
    with PdfPages(output, metadata={"Title": "测评码", "Creator": "campaignflow"}) as pdf:
        for start in range(0, len(urls), 10):
            fig, ax = _page()
            for n, (code, url) in enumerate(urls[start : start + 10]):
                col, row = n % 2, n // 2
                x, y = 10 + col * 95, 10 + row * 55.4
                ax.add_patch(_box(x, y))
                _qr(ax, url, x + 4, y + 6, 40)
                ax.text(x + 48, y + 10, _fit(heading, 12), fontsize=10, va="center")
                ax.text(
                    x + 48,
                    y + 17,
                    _fit(f"{round_key}{'·' + group if group else ''}", 14),
                    fontsize=9,
                    va="center",
                    color="#444",
                )
                ax.text(
                    x + 48,
                    y + 28,
                    code,
                    fontsize=15,
                    va="center",
                    family="monospace",
                    weight="bold",
                )
                ax.text(x + 48, y + 38, "扫码或输入测评码投票", fontsize=8, va="center")
                ax.text(
                    x + 48, y + 44, "每码限投一次 · 不记姓名", fontsize=8, va="center", color="#444"
                )
            pdf.savefig(fig)
            pages += 1
    return pages


def _box(x: float, y: float):
    from matplotlib.patches import Rectangle

    return Rectangle(
        (x, y), 95, 55.4, fill=False, linestyle=(0, (3, 3)), linewidth=0.5, edgecolor="#888"
    )
