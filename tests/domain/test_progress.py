"""Progress: measures done by rule (one GROUP BY per form), progress as of a date, the memoised
work calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, or_, select

from campaignflow import db
from campaignflow.calendar import WorkCalendar
from campaignflow.deadlines import plan_reminders
from campaignflow.progress import MemoCalendar, refresh_assignments, stage_progress


def _done_by_rule_one_query_each(engine, as_of: dt.date) -> dict[str, dt.date]:
    """What the rule gives for each form-backed measure without a metric target, one query per
    assignment: the owner unit or a unit under it submitted (anyone, when the form records no
    unit) on or before `as_of`; undated rows count from `as_of`."""
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
        for _a, measure, unit in rows:
            if (measure.target or {}).get("metric") or not measure.form_key:
                continue
            form = s.scalar(select(db.Form).where(db.Form.key == measure.form_key))
            if form is None:
                continue
            conditions = [
                db.Submission.form_id == form.id,
                db.Submission.archived.is_(False),
                or_(db.Submission.on_date.is_(None), db.Submission.on_date <= as_of),
            ]
            if any((f or {}).get("type") == "unit" for f in (form.fields or {}).values()):
                conditions.append(db.Submission.unit_id.in_(subtree(unit.id)))
            first, count = s.execute(
                select(func.min(db.Submission.on_date), func.count(db.Submission.id)).where(
                    *conditions
                )
            ).one()
            if count:
                expected[f"{measure.key}@{unit.key}"] = first or as_of
    return expected


def _done(engine) -> dict[str, dt.date]:
    with db.read_session(engine) as s:
        rows = s.execute(
            select(db.Measure.key, db.Unit.key, db.Assignment.done_at)
            .join(db.Measure, db.Measure.id == db.Assignment.measure_id)
            .join(db.Unit, db.Unit.id == db.Assignment.unit_id)
            .where(db.Assignment.done_at.is_not(None))
        ).all()
    return {f"{m}@{u}": done_at.date() for m, u, done_at in rows}


@pytest.mark.parametrize("fixture", ["party", "tangping"])
@pytest.mark.parametrize(
    "as_of", [dt.date(2023, 3, 31), dt.date(2023, 7, 31), dt.date(2023, 12, 31)]
)
def test_refresh_marks_what_the_data_shows(request, fixture, as_of):
    filled = request.getfixturevalue(fixture)
    expected = _done_by_rule_one_query_each(filled.engine, as_of)
    changed = refresh_assignments(
        engine=filled.engine, loaded=filled.loaded, as_of=as_of, actor="tester"
    )
    done = _done(filled.engine)
    assert changed == len(done) and changed >= len(expected)
    # every form-backed assignment the data shows as submitted is done, on the first date
    assert {k: done[k] for k in expected} == expected
    # one audit row per assignment marked, saying it was the rule
    with db.read_session(filled.engine) as s:
        audit = s.scalars(select(db.AuditEntry).where(db.AuditEntry.action == "state")).all()
    assert sorted(a.entity_key for a in audit) == sorted(done)
    assert {a.actor for a in audit} == {"tester"} and all(a.after["by_rule"] for a in audit)
    assert all(a.after["done_on"] == done[a.entity_key].isoformat() for a in audit)
    # nothing left to do: a rerun changes nothing and writes no audit row
    assert refresh_assignments(engine=filled.engine, loaded=filled.loaded, as_of=as_of) == 0
    with db.read_session(filled.engine) as s:
        assert s.scalar(select(func.count()).select_from(db.AuditEntry)) >= len(audit)
        assert s.scalar(select(func.count()).where(db.AuditEntry.action == "state")) == len(audit)


def test_progress_as_of_an_earlier_date_ignores_later_completions(party):
    late = dt.date(2023, 12, 31)
    refresh_assignments(engine=party.engine, loaded=party.loaded, as_of=late)
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
