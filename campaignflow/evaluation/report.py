"""Evaluation results as plain data: table rows and report-template data."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..figures import percent_text
from .models import RoundResult


def result_table(result: RoundResult) -> list[dict[str, Any]]:
    """One row per person for a table artifact or a report."""
    rows = []
    for p in result.people:
        rows.append(
            {
                "被测评人": p.name,
                "票数": p.ballots,
                "有效票": p.valid,
                "得分": p.score if p.score is not None else "—",
                "等次": p.grade or "—",
                "优秀率": percent_text(p.excellent_rate, 0),
                "称职以上率": percent_text(p.pass_rate, 0),
                "分类": p.classification or "—",
                "理由": p.reason,
            }
        )
    return rows


def report_data(results: list[RoundResult]) -> dict[str, Any]:
    """Plain data for report templates: `evaluation.rounds[i].people[j].score` etc."""
    rounds = [r.as_dict() for r in results]
    classes: Counter[str] = Counter()
    for r in results:
        classes.update({k: v for k, v in r.classes.items() if v})
    return {"rounds": rounds, "classes": dict(classes), "round_count": len(rounds)}
