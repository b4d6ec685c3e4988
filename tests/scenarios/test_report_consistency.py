"""Every rate a shipped campaign's reports print next to its counts is their quotient, rounded
half up — in the phase, final and branch reports, at each phase's end and at the campaign's."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from scenario_support import open_campaign

from campaignflow.reports import final_context, phase_context, render_template
from campaignflow.reports.branches import branch_contexts, branch_units
from campaignflow.reports.narrative import narrative_items
from campaignflow.spec.shipped import shipped_campaigns

# (pattern, numerator group, denominator group, rate group)
RATES = [
    (r"制定整改措施(\d+)条[；，]已销号(\d+)条，整改措施销号率([\d.]+%|—)", 2, 1, 3),
    (r"整改措施(\d+)条，已销号(\d+)条，销号率([\d.]+%|—)", 2, 1, 3),
    (r"查找问题(\d+)条[^。]*?整改完成的问题(\d+)条，问题整改完成率([\d.]+%|—)", 2, 1, 3),
    (r"(\d+)项(?:任务|工作|工作措施)?。截至[^，]*，已完成(\d+)项，完成率([\d.]+%|—)", 2, 1, 3),
    (r"共办结留言事项(\d+)件，其中满意件(\d+)件，满意率([\d.]+%)", 2, 1, 3),
]


def half_up(numerator: int, denominator: int) -> str:
    """The percentage as offices print it: one decimal, half up, trailing zeros dropped."""
    if denominator == 0:
        return "—"
    tenths = (Fraction(numerator, denominator) * 1000 + Fraction(1, 2)).__floor__()
    text = f"{tenths // 10}.{tenths % 10}".removesuffix(".0")
    return f"{text}%"


def checked(text: str) -> int:
    """Check every rate found; how many were found."""
    found = 0
    for pattern, num, den, rate in RATES:
        for m in re.finditer(pattern, text):
            found += 1
            n, d = int(m.group(num)), int(m.group(den))
            if d == 0 and m.group(rate) != "—":
                pytest.fail(f"a rate over nothing printed as {m.group(rate)}: {m.group(0)}")
            assert m.group(rate) == half_up(n, d), m.group(0)
    return found


def _reports(c) -> list[tuple[str, str]]:
    loaded, out = c.loaded, []
    ends = [s.window[1] for s in loaded.spec.stages if s.window]
    last = max(ends)
    for stage in loaded.spec.stages:
        day = stage.window[1] if stage.window else last
        snap = c.snapshot(day, stage.id)
        out.append((f"phase:{stage.id}", render_template(
            None, "phase.md.j2", phase_context(loaded=loaded, snapshot=snap))))  # fmt: skip
        if loaded.spec.reports.branches:
            units = branch_units(c.engine, loaded)
            for key, context in branch_contexts(
                engine=c.engine, loaded=loaded, stage=stage.id, as_of=day, units=units
            ):
                out.append((f"branch:{key}", render_template(None, "branch.md.j2", context)))
    snap = c.snapshot(last, None)
    narrative = narrative_items(engine=c.engine, loaded=loaded, as_of=last)
    context = final_context(loaded=loaded, snapshot=snap, narrative=narrative)
    out.append(("final", render_template(None, "final.md.j2", context)))
    if loaded.spec.reports.final:
        own = loaded.root / loaded.spec.reports.final
        out.append(("final (own template)", render_template(own, "final.md.j2", context)))
    mid = min(ends) + (last - min(ends)) / 2
    out.append(("final, mid-campaign", render_template(
        None, "final.md.j2", final_context(loaded=loaded, snapshot=c.snapshot(mid, None)))))  # fmt: skip
    return out


@pytest.mark.parametrize("name", sorted(shipped_campaigns()))
def test_printed_rates_equal_their_counts(name, tmp_path):
    from campaignflow.db import open_database

    engine = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        c = open_campaign(engine, name, tmp_path)
        found = {where: checked(text) for where, text in _reports(c)}
    finally:
        engine.dispose()
    # every built-in report prints at least one rate with its counts (a campaign's own template
    # may say 均为满意件 instead of a rate)
    assert all(n for where, n in found.items() if "own template" not in where), found


def test_half_up_rounding_is_what_the_filter_prints():
    from campaignflow.reports.filters import percent

    for d in range(1, 60):
        for n in range(d + 1):
            assert percent(n / d) == half_up(n, d), (n, d)
    assert percent(13 / 16) == "81.3%"  # half up, not half to even (81.2%)
