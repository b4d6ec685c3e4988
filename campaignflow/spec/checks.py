"""Cross-reference checks over a structurally valid campaign.

Each check yields `(path, message)`; the loader maps paths to file:line:column. The organisation,
stages, measures and calendar are checked here; forms and metrics in `checks_forms`, reports,
reminders and secrets in `checks_outputs`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

from ..calendar import CalendarNotCovered, WorkCalendar
from .checks_common import GROUP_PREFIX, Found, duplicates, resolve_owner, unknown, unknown_owner
from .checks_forms import check_forms, check_metrics, check_questionnaires
from .checks_outputs import check_reminders, check_reports, check_secrets, check_templates
from .models import Campaign, Measure, Person, Unit

__all__ = [
    "GROUP_PREFIX",
    "check_calendar",
    "check_forms",
    "check_measures",
    "check_metrics",
    "check_questionnaires",
    "check_reminders",
    "check_reports",
    "check_secrets",
    "check_stages",
    "check_templates",
    "check_units",
    "resolve_owner",
]


def check_units(
    units: list[Unit], people: list[Person], from_file: bool, people_from_file: bool
) -> Iterator[Found]:
    section = ("units", "file") if from_file else ("units",)
    if not from_file:
        yield from duplicates(units, ("units",), "组织")
    ids = [u.id for u in units]
    by_id = {u.id: u for u in units}
    for i, unit in enumerate(units):
        if unit.parent is not None and unit.parent not in by_id:
            where = section if from_file else ("units", i, "parent")
            yield where, unknown("上级组织", unit.parent, ids)
    for i, unit in enumerate(units):  # cycles in the tree, reported at each unit on one
        chain, current = [unit.id], unit
        while current.parent and current.parent in by_id:
            current = by_id[current.parent]
            if current.id in chain:
                if current.id == unit.id:
                    where = section if from_file else ("units", i, "parent")
                    yield where, f"组织层级出现循环：{' → '.join([*chain, unit.id])}"
                break
            chain.append(current.id)
    if not people_from_file:
        yield from duplicates(people, ("people",), "人员")
    counts = Counter(p.id for p in people)
    for pid in sorted(k for k, n in counts.items() if n > 1 and people_from_file):
        yield ("people", "file"), f"人员编号 {pid} 重复"
    for i, person in enumerate(people):
        if person.unit not in by_id:
            where = ("people", "file") if people_from_file else ("people", i, "unit")
            yield where, f"{person.name}（{person.id}）：" + unknown("组织", person.unit, ids)


def check_stages(spec: Campaign) -> Iterator[Found]:
    key = "phases" if spec.staged else "tracks"
    stages = spec.stages
    yield from duplicates(stages, (key,), "阶段" if spec.staged else "工作线")
    for i, stage in enumerate(stages):
        if stage.window and stage.window[0] > stage.window[1]:
            yield (key, i, "window"), f"开始日期 {stage.window[0]} 晚于结束日期 {stage.window[1]}"
    if spec.staged:
        for i in range(1, len(stages)):
            prev, cur = stages[i - 1], stages[i]
            if cur.window[0] <= prev.window[1]:
                yield (
                    (key, i, "window", 0),
                    (
                        f"阶段 {cur.id} 的开始日期 {cur.window[0]} 与上一阶段 {prev.id}"
                        f"（至 {prev.window[1]}）重叠；分阶段的活动须依次进行"
                    ),
                )
        metric_ids = list(spec.metrics)
        for i, phase in enumerate(stages):
            for gate_name in ("entry", "exit"):
                gate = getattr(phase, gate_name)
                for metric in gate.metrics if gate else {}:
                    if metric not in spec.metrics:
                        yield (
                            (key, i, gate_name, "metrics", metric),
                            unknown("指标", metric, metric_ids),
                        )


def check_measures(
    spec: Campaign,
    units: list[Unit] | None,
    due: dict[str, dt.date | None],
    due_errors: dict[str, str],
    calendar: WorkCalendar | None = None,
) -> Iterator[Found]:
    """`units` is None when the organisation tree is incomplete: owners are then not checked.
    A due date may fall up to the stage's `grace` working days (on `calendar`) after its window."""
    yield from duplicates(spec.measures, ("measures",), "措施")
    stages = {s.id: s for s in spec.stages}
    stage_ids = list(stages)
    first_index: dict[str, int] = {}
    for i, measure in enumerate(spec.measures):
        at = ("measures", i)
        repeated = first_index.setdefault(measure.id, i) != i  # its due is the first one's
        yield from _measure_stage(spec, measure, at, stages, stage_ids)
        for j, owner in enumerate(measure.owners if units is not None else []):
            if resolve_owner(owner, units) is None:
                where = (*at, "owner") if isinstance(measure.owner, str) else (*at, "owner", j)
                yield where, unknown_owner(owner, units)
        if measure.form is not None and measure.form not in spec.forms:
            yield (*at, "form"), unknown("表单", measure.form, spec.form_names)
        if measure.target is not None and measure.target.metric not in spec.metrics:
            yield (
                (*at, "target", "metric"),
                unknown("指标", measure.target.metric, list(spec.metrics)),
            )
        if repeated:
            continue
        if measure.id in due_errors:
            yield (*at, "due"), due_errors[measure.id]
            continue
        stage = stages.get(measure.stage or "")
        day = due.get(measure.id)
        if (
            day
            and stage is not None
            and stage.window
            and stage.window[0] <= stage.window[1]  # a reversed window is reported already
        ):
            yield from _within(spec, stage, day, (*at, "due"), calendar)


def _within(spec, stage, day: dt.date, at, calendar: WorkCalendar | None) -> Iterator[Found]:
    """A due date inside its stage's window, or within the stage's grace after it."""
    start, end = stage.window
    last = end
    if stage.grace:
        try:
            last = (calendar or WorkCalendar()).add_workdays(end, stage.grace)
        except CalendarNotCovered:
            return  # the uncovered year is reported by check_calendar
    if start <= day <= last:
        return
    what = "阶段" if spec.staged else "工作线"
    grace = f"，及其后 {stage.grace} 个工作日（至 {last}）" if stage.grace else ""
    late = _workdays_between(calendar, end, day) if day > end else 0
    hint = (
        f"；若须在{what}结束后几天内完成（如总结），可给{what} {stage.id} 写 grace: {late}"
        "（结束后的工作日数），不必延长起止日期"
        if 0 < late <= 15 and not stage.grace
        else ""
    )
    yield at, f"期限 {day} 不在所属{what} {stage.id}（{start} 至 {end}{grace}）之内{hint}"


def _workdays_between(calendar: WorkCalendar | None, end: dt.date, day: dt.date) -> int:
    try:
        return (calendar or WorkCalendar()).workdays_between(end, day)
    except (CalendarNotCovered, AttributeError):
        return (day - end).days


def _measure_stage(spec, measure: Measure, at, stages, stage_ids) -> Iterator[Found]:
    """A measure names its stage by the field of the campaign's shape (phase or track), and
    only by that one."""
    if spec.staged:
        own, other, what, shape = "phase", "track", "阶段", "分阶段的活动（phases）"
    else:
        own, other, what, shape = "track", "phase", "工作线", "并行推进的活动（tracks）"
    stage = getattr(measure, own)
    if getattr(measure, other) is not None:
        yield (*at, other), f"{shape}中，措施应写 {own} 而不是 {other}"
    elif stage is None:
        yield at, f"措施 {measure.id} 须写明所属{what} {own}"
    elif stage not in stages:
        yield (*at, own), unknown(what, stage, stage_ids)


def check_calendar(spec: Campaign, calendar: WorkCalendar) -> Iterator[Found]:
    dated: list[tuple[tuple, dt.date]] = []
    key = "phases" if spec.staged else "tracks"
    for i, stage in enumerate(spec.stages):
        for k, day in enumerate(stage.window or ()):
            dated.append(((key, i, "window", k), day))
    for i, measure in enumerate(spec.measures):
        if isinstance(measure.due, dt.date):
            dated.append((("measures", i, "due"), measure.due))
    reported: set[int] = set()
    for at, day in dated:
        if not calendar.covers(day) and day.year not in reported:
            reported.add(day.year)
            years = [d for _, d in dated if d.year == day.year]
            yield (
                at,
                (
                    f"{day.year} 年的法定节假日安排未知（涉及 {', '.join(sorted({str(d) for d in years}))}）："
                    f"请在 calendar.extra_holidays / extra_workdays 中写明 {day.year} 年的放假和调休日期，"
                    "或设置 calendar.workweek: mon-fri"
                ),
            )


# The holidays every year's official schedule has, for checking a year declared by hand: the
# fixed-date ones, and a day inside the window each movable (lunar) one falls in.
YEAR_HOLIDAYS: tuple[tuple[str, tuple[int, int], tuple[int, int], int], ...] = (
    ("元旦（1月1日）", (1, 1), (1, 1), 1),
    ("春节（1月下旬至2月，至少3天）", (1, 20), (2, 28), 3),
    ("清明节（4月4日前后）", (4, 3), (4, 6), 1),
    ("劳动节（5月1日）", (5, 1), (5, 1), 1),
    ("端午节（5月底至6月下旬）", (5, 28), (6, 26), 1),
    ("中秋节（9月上旬至10月上旬）", (9, 7), (10, 8), 1),
    ("国庆节（10月1日至3日）", (10, 1), (10, 3), 3),
)


def check_calendar_years(spec: Campaign) -> Iterator[Found]:
    """A year the built-in calendar does not cover must be declared whole: a single date of it
    would leave the rest counted as Monday–Friday (a due date could land in the Spring Festival)."""
    from ..calendar import covered_years

    if spec.calendar.workweek == "mon-fri":
        return
    lo, hi = covered_years()
    declared = spec.calendar.extra_holidays + spec.calendar.extra_workdays
    for year in sorted({d.year for d in declared if not lo <= d.year <= hi}):
        holidays = {d for d in spec.calendar.extra_holidays if d.year == year}
        missing = [
            name
            for name, start, end, needed in YEAR_HOLIDAYS
            if sum(dt.date(year, *start) <= d <= dt.date(year, *end) for d in holidays) < needed
        ]
        if not missing:
            continue
        given = "、".join(str(d) for d in sorted(d for d in declared if d.year == year)[:6])
        yield (
            ("calendar", "extra_holidays" if holidays else "extra_workdays"),
            (
                f"{year} 年的放假安排不完整（内置日历只覆盖 {lo}–{hi} 年，此处只写了 {given}）："
                f"缺少 {'、'.join(missing)}。请按国务院办公厅公布的 {year} 年放假安排写全当年的"
                "放假日期（extra_holidays）和调休上班日期（extra_workdays），"
                "或设置 calendar.workweek: mon-fri 按周一至周五计算"
            ),
        )
