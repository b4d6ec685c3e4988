"""Progress: measures done by rule as of a date (computed, never stored), the memoised work
calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, or_, select

from campaignflow import db
from campaignflow.calendar import MemoCalendar, WorkCalendar
from campaignflow.deadlines import plan_reminders
from campaignflow.progress import stage_progress, statuses


def _form_rule_one_query_each(engine, as_of: dt.date) -> dict[str, tuple[bool, dt.date | None]]:
    """What the rule gives for each form-backed measure without a metric target, one query per
    assignment: the owner has submitted on or before `as_of` — its whole form when it is the
    measure's only owner, else the rows of its unit and the units under it; done on the first
    row's date (None when undated)."""
    expected = {}
    with db.read_session(engine) as s:
        parents = dict(s.execute(select(db.Unit.id, db.Unit.parent_id)).all())

        def subtree(uid: int) -> list[int]:
            out = []
            for candidate in parents:
                current = candidate
                while current is not None:
                    if current == uid:
                        out.append(candidate)
                        break
                    current = parents.get(current)
            return out

        rows = s.execute(
            select(db.Assignment, db.Measure, db.Unit)
            .join(db.Measure, db.Measure.id == db.Assignment.measure_id)
            .join(db.Unit, db.Unit.id == db.Assignment.unit_id)
            .where(db.Assignment.archived.is_(False), db.Measure.archived.is_(False))
        ).all()
        owners = {}
        for _a, measure, _unit in rows:
            owners[measure.id] = owners.get(measure.id, 0) + 1
        for assignment, measure, unit in rows:
            if (measure.target or {}).get("metric") or not measure.form_key:
                continue
            form = s.scalar(select(db.Form).where(db.Form.key == measure.form_key))
            conditions = [
                db.Submission.form_id == form.id,
                db.Submission.archived.is_(False),
                or_(db.Submission.on_date.is_(None), db.Submission.on_date <= as_of),
            ]
            if owners[measure.id] > 1:
                conditions.append(db.Submission.unit_id.in_(subtree(unit.id)))
            first, count = s.execute(
                select(func.min(db.Submission.on_date), func.count(db.Submission.id)).where(
                    *conditions
                )
            ).one()
            reported = (
                assignment.reported_on
                if assignment.reported_on and assignment.reported_on <= as_of
                else None
            )
            done = bool(count) or reported is not None
            since = min((d for d in (first, reported) if d), default=None) if count else reported
            expected[f"{measure.key}@{unit.key}"] = (done, since if done else None)
    return expected


def _snapshot_of_state(engine) -> tuple:
    with db.read_session(engine) as s:
        assignments = s.execute(
            select(db.Assignment.id, db.Assignment.reported_on, db.Assignment.evidence)
        ).all()
        audit = s.scalar(select(func.count()).select_from(db.AuditEntry))
    return sorted(map(tuple, assignments)), audit


@pytest.mark.parametrize("fixture", ["party", "tangping"])
@pytest.mark.parametrize(
    "as_of", [dt.date(2023, 3, 31), dt.date(2023, 7, 31), dt.date(2023, 12, 31)]
)
def test_form_rules_give_what_the_data_shows_and_store_nothing(request, fixture, as_of):
    filled = request.getfixturevalue(fixture)
    expected = _form_rule_one_query_each(filled.engine, as_of)
    before = _snapshot_of_state(filled.engine)
    items = {
        f"{i.measure}@{i.unit}": i
        for i in statuses(engine=filled.engine, loaded=filled.loaded, as_of=as_of)
    }
    assert expected and {k: (items[k].done, items[k].done_on) for k in expected} == expected
    assert _snapshot_of_state(filled.engine) == before  # a verdict is computed, never written
    again = statuses(engine=filled.engine, loaded=filled.loaded, as_of=as_of)
    assert [(i.measure, i.unit, i.done, i.done_on, i.state) for i in again] == [
        (i.measure, i.unit, i.done, i.done_on, i.state) for i in items.values()
    ]


def test_progress_as_of_an_earlier_date_ignores_later_completions(party):
    late = dt.date(2023, 12, 31)
    now = stage_progress(engine=party.engine, loaded=party.loaded, stage=None, as_of=late)
    early = stage_progress(
        engine=party.engine, loaded=party.loaded, stage=None, as_of=dt.date(2023, 2, 1)
    )
    assert now.total == early.total and now.done >= early.done
    assert all(i.done_on is None or i.done_on <= dt.date(2023, 2, 1) for i in early.items)


@pytest.mark.parametrize("workweek", ["chinese-official", "mon-fri"])
def test_memo_calendar_answers_like_the_calendar(workweek):
    calendar = WorkCalendar(
        workweek=workweek,
        extra_holidays=frozenset({dt.date(2023, 3, 6)}),
        extra_workdays=frozenset({dt.date(2023, 3, 11)}),
    )
    memo = MemoCalendar(calendar)
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=i) for i in range(0, 365, 7)]
    for start in days[::5]:
        for end in days:
            assert memo.workdays_between(start, end) == calendar.workdays_between(start, end)
            assert memo.workdays_between(start, end) == calendar.workdays_between(start, end)
        for n in (-12, -1, 0, 1, 3, 30):
            assert memo.add_workdays(start, n) == calendar.add_workdays(start, n)
        assert memo.is_workday(start) == calendar.is_workday(start)


def test_memo_calendar_still_refuses_uncovered_years():
    memo = MemoCalendar(WorkCalendar())
    with pytest.raises(ValueError, match="2099"):
        memo.workdays_between(dt.date(2099, 1, 1), dt.date(2099, 2, 1))
    with pytest.raises(ValueError, match="2099"):  # not cached as an answer
        memo.is_workday(dt.date(2099, 1, 5))


def test_reminders_unchanged_by_the_memo(tangping):
    as_of = dt.date(2023, 12, 27)  # nothing refreshed yet: most measures overdue
    progress = stage_progress(
        engine=tangping.engine, loaded=tangping.loaded, stage=None, as_of=as_of
    )
    assert [i.state for i in progress.items].count("逾期") > 0
    calendar = tangping.loaded.calendar
    for item in progress.items:
        if item.state == "逾期":
            assert item.workdays_overdue == calendar.workdays_between(item.due, as_of)
    digests = plan_reminders(loaded=tangping.loaded, progress=progress, as_of=as_of)
    overdue = [i for d in digests for i in d.items if i.kind == "逾期"]
    assert overdue
    for item in overdue:
        assert item.workdays == calendar.workdays_between(item.due, as_of)
        assert item.on == calendar.add_workdays(item.due, item.workdays)
