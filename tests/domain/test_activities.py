"""Activities: 次/人次, cadence shortfalls, volunteer services and political-quality files."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from campaignflow import db
from campaignflow.activities import (
    activity_counts,
    cadence,
    political_files,
    report_data,
    totals_by_type,
    volunteer_summary,
)

END = dt.date(2023, 12, 31)


def test_counts_by_type_and_volunteers(party):
    counts = activity_counts(engine=party.engine, loaded=party.loaded, as_of=END)
    by_type = totals_by_type(counts)
    assert by_type["支委会"] == {"times": 12, "person_times": 57}
    assert volunteer_summary(counts) == {"times": 77, "person_times": 224}
    assert all(c.month.startswith("2023-") for c in counts)
    assert sum(c.times for c in counts) == 82 + 77 + 37


def test_roll_gives_person_times_and_distinct(party):
    with db.write_session(party.engine) as s:
        acts = s.scalars(
            select(db.Activity).where(db.Activity.type == "支委会").order_by(db.Activity.held_on)
        ).all()[:2]
        for act in acts:
            for who in ("甲", "乙"):
                s.add(db.Attendance(activity_id=act.id, attendee=who))
            s.add(db.Attendance(activity_id=act.id, attendee="丙", state="请假"))
    counts = activity_counts(engine=party.engine, loaded=party.loaded, as_of=END, types=["支委会"])
    jan = next(c for c in counts if c.month == acts[0].held_on.strftime("%Y-%m"))
    assert jan.person_times == 2 and jan.participants == 2


def test_cadence_shortfalls(party):
    result = cadence(engine=party.engine, loaded=party.loaded, as_of=END)
    assert {(s.unit, s.type, s.period) for s in result.shortfalls} == {
        ("局党支部", "主题党日", "2023-12"),
        ("局党支部", "支委会", "2023-12"),
        ("第一党小组", "党小组会", "2023-12"),
        ("第二党小组", "党小组会", "2023-12"),
        ("第三党小组", "党小组会", "2023-12"),
    }
    assert (
        cadence(engine=party.engine, loaded=party.loaded, as_of=dt.date(2023, 11, 30)).shortfalls
        == []
    )
    # a month in progress is not judged; a type nobody collects is not checked (党课 in 局党组)
    assert (
        cadence(engine=party.engine, loaded=party.loaded, as_of=dt.date(2023, 12, 30)).shortfalls
        == []
    )


def test_political_files(party):
    files = political_files(engine=party.engine, loaded=party.loaded, as_of=END)
    assert files.files == 54 and files.entries == 54
    first = next(iter(files.by_person.values()))[0]
    assert "positive_met" in first["data"] and "materials" in first["data"]
    kw = {"engine": party.engine, "loaded": party.loaded, "as_of": END}
    data = report_data(activity_counts(**kw), cadence(**kw), political_files(**kw))
    assert data["political_files"] == 54 and data["shortfall_count"] == 5
