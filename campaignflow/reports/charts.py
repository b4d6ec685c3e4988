"""Charts for the HTML and DOCX reports: progress by phase, problems by category, activities by month.

matplotlib (Agg) with the CJK font shipped with the environment (`fonts.chart_family`), so no
label comes out as tofu boxes on a machine without CJK fonts. Each chart is drawn at the width it
is printed (150 mm), so 10 pt here is 10 pt on paper; count axes have whole numbers; a legend sits
under the plot, never over the data, and only when there is more than one series; the caption
(图N …) is the document's, not the chart's. Charts are PNG bytes; no file is written here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..spec import LoadedCampaign

if TYPE_CHECKING:
    from ..snapshot import Snapshot

DPI = 150
WIDTH_IN = 150 / 25.4  # the printed width
FONT_PT, LEGEND_PT = 10.5, 10


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    png: bytes


def cjk_font() -> str:
    """The CJK family charts are drawn with."""
    from .fonts import chart_family

    return chart_family()


def _figure(height: float = 2.8):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    rc = {"font.family": [cjk_font()], "font.size": FONT_PT, "axes.unicode_minus": False}
    matplotlib.rcParams.update(rc)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _legend(fig, ax, columns: int) -> None:
    """The legend under the plot (never over the data), at a size legible on paper."""
    fig.legend(
        *ax.get_legend_handles_labels(),
        loc="outside lower center",
        ncols=max(1, columns),
        frameon=False,
        fontsize=LEGEND_PT,
    )


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _integers(axis) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def progress_chart(stages: list[dict[str, Any]], title: str = "各阶段工作进展") -> Chart | None:
    """Horizontal bars: done / total tasks per phase (or track)."""
    rows = [
        (s["name"], s["progress"]["done"], s["progress"]["total"])
        for s in stages
        if s["progress"]["total"]
    ]
    if not rows:
        return None
    fig, ax = _figure(height=max(1.8, 0.45 * len(rows) + 1.3))
    names = [r[0] for r in rows][::-1]
    done = [r[1] for r in rows][::-1]
    total = [r[2] for r in rows][::-1]
    ax.barh(names, total, color="#e5d4d4", label="任务总数")
    ax.barh(names, done, color="#b22222", label="已完成")
    for y, (d, t) in enumerate(zip(done, total, strict=True)):
        ax.text(t, y, f" {d}/{t}", va="center")
    ax.set_xlabel("任务（项）")
    ax.set_xlim(0, max(total) * 1.15)
    _integers(ax.xaxis)
    _legend(fig, ax, 2)
    return Chart("progress", title, _png(fig))


def category_chart(by_category: dict[str, int], title: str = "问题清单分类") -> Chart | None:
    """Bars: problems per category, in the declared order (zeros included); one series, no
    legend."""
    items = list(by_category.items())
    if not any(v for _, v in items):
        return None
    fig, ax = _figure(height=max(1.8, 0.42 * len(items) + 1.0))
    names = [k for k, _ in items][::-1]
    values = [v for _, v in items][::-1]
    ax.barh(names, values, color="#b22222")
    for y, v in enumerate(values):
        ax.text(v, y, f" {v}", va="center")
    ax.set_xlabel("问题（个）")
    ax.set_xlim(0, max(values) * 1.15)
    _integers(ax.xaxis)
    return Chart("problems", title, _png(fig))


PALETTE = ["#b22222", "#d2691e", "#daa520", "#2e8b57", "#4682b4", "#6a5acd", "#708090",
           "#8b4513", "#c71585", "#20b2aa", "#556b2f", "#9acd32"]  # fmt: skip


def monthly_chart(
    by_month: dict[str, dict[str, int]], title: str = "各月开展活动情况"
) -> Chart | None:
    """Stacked bars: activities per month, by activity type; `by_month` {"2023-01": {type: n}}
    lists every month to show (zeros included)."""
    if not any(by_month.values()):
        return None
    months = sorted(by_month)
    types = sorted({t for counts in by_month.values() for t in counts})
    fig, ax = _figure(height=3.0)
    years = {m[:4] for m in months}
    labels = [f"{int(m[5:])}月" if len(years) == 1 else f"{m[2:4]}.{int(m[5:])}" for m in months]
    bottom = [0] * len(months)
    for i, kind in enumerate(types):
        values = [by_month[m].get(kind, 0) for m in months]
        ax.bar(labels, values, bottom=bottom, label=kind, color=PALETTE[i % len(PALETTE)])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("次数")
    ax.set_ylim(0, max(bottom) * 1.15 + 1)
    _integers(ax.yaxis)
    if len(types) > 1:
        _legend(fig, ax, min(5, len(types)))
    return Chart("activities", title, _png(fig))


def report_charts(loaded: LoadedCampaign, snapshot: Snapshot) -> list[Chart]:
    """The charts of a report, from the run's snapshot: progress by phase, problems by
    category, activities by month (every month from the campaign's start to the date)."""
    from ..activities import campaign_start

    stages = [
        {"name": s.name, "progress": {"done": p.done, "total": p.total}}
        for s in loaded.spec.stages
        for p in [snapshot.progress[s.id]]
    ]
    word = "阶段" if loaded.spec.staged else "工作线"
    start = campaign_start(loaded)
    ends = [s.window[1] for s in loaded.spec.stages if s.window]
    end = min(max(ends), snapshot.as_of) if ends else snapshot.as_of
    months = snapshot.activities.by_month(start, end) if start else {}
    if not any(months.values()):
        months = {}
    charts = [
        progress_chart(stages, f"各{word}工作进展"),
        category_chart(snapshot.ledger.by_category),
        monthly_chart(months),
    ]
    return [c for c in charts if c is not None]
