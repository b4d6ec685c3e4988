"""Charts for the HTML and DOCX reports: progress by phase, problems by category, activities by month.

matplotlib (Agg) with a CJK font found on the system — Noto Sans CJK SC first — so no label
comes out as tofu boxes. Charts are PNG bytes; no file is written here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from ..spec import LoadedCampaign

if TYPE_CHECKING:
    from ..snapshot import Snapshot

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "AR PL UKai CN",
    "WenQuanYi Zen Hei",
    "SimHei",
)
DPI = 150


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    png: bytes


@cache
def cjk_font() -> str | None:
    """The first installed CJK font family matplotlib can use, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FAMILIES if name in installed), None)


def _figure(title: str, width: float = 6.4, height: float = 3.2):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    family = cjk_font()
    rc = {"font.family": [family] if family else ["sans-serif"], "axes.unicode_minus": False}
    matplotlib.rcParams.update(rc)
    fig = Figure(figsize=(width, height), dpi=DPI)
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def progress_chart(stages: list[dict[str, Any]], title: str = "各阶段工作进展") -> Chart | None:
    """Horizontal bars: done / total tasks per phase (or track)."""
    rows = [
        (s["name"], s["progress"]["done"], s["progress"]["total"])
        for s in stages
        if s["progress"]["total"]
    ]
    if not rows:
        return None
    fig, ax = _figure(title, height=max(2.0, 0.6 * len(rows) + 1.2))
    names = [r[0] for r in rows][::-1]
    done = [r[1] for r in rows][::-1]
    total = [r[2] for r in rows][::-1]
    ax.barh(names, total, color="#e5d4d4", label="任务总数")
    ax.barh(names, done, color="#b22222", label="已完成")
    for y, (d, t) in enumerate(zip(done, total, strict=True)):
        ax.text(t, y, f" {d}/{t}", va="center")
    ax.set_xlabel("任务（项）")
    ax.legend(loc="lower right", frameon=False)
    return Chart("progress", title, _png(fig))


def category_chart(by_category: dict[str, int], title: str = "问题清单分类") -> Chart | None:
    """Bars: problems per category, in the declared order (zeros included)."""
    items = list(by_category.items())
    if not any(v for _, v in items):
        return None
    fig, ax = _figure(title, height=max(2.0, 0.5 * len(items) + 1.2))
    names = [k for k, _ in items][::-1]
    values = [v for _, v in items][::-1]
    ax.barh(names, values, color="#b22222")
    for y, v in enumerate(values):
        ax.text(v, y, f" {v}", va="center")
    ax.set_xlabel("问题（条）")
    ax.xaxis.get_major_locator().set_params(integer=True)
    return Chart("problems", title, _png(fig))


def monthly_chart(
    by_month: dict[str, dict[str, int]], title: str = "各月开展活动情况"
) -> Chart | None:
    """Stacked bars: activities per month, by activity type. `by_month`: {"2023-01": {type: n}}."""
    if not by_month:
        return None
    months = sorted(by_month)
    types = sorted({t for counts in by_month.values() for t in counts})
    fig, ax = _figure(title, width=7.0, height=3.4)
    labels = [f"{int(m[5:])}月" for m in months]
    bottom = [0] * len(months)
    palette = [
        "#b22222",
        "#d2691e",
        "#daa520",
        "#2e8b57",
        "#4682b4",
        "#6a5acd",
        "#708090",
        "#8b4513",
        "#c71585",
        "#20b2aa",
        "#556b2f",
        "#9acd32",
    ]
    for i, kind in enumerate(types):
        values = [by_month[m].get(kind, 0) for m in months]
        ax.bar(labels, values, bottom=bottom, label=kind, color=palette[i % len(palette)])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("次数")
    ax.legend(frameon=False, fontsize=7, ncols=min(4, len(types)), loc="upper left")
    ax.set_ylim(0, max(bottom) * 1.3 + 1)
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
    months = snapshot.activities.by_month(start, snapshot.as_of) if start else {}
    if not any(months.values()):
        months = {}
    charts = [
        progress_chart(stages, f"各{word}工作进展"),
        category_chart(snapshot.ledger.by_category),
        monthly_chart(months),
    ]
    return [c for c in charts if c is not None]
