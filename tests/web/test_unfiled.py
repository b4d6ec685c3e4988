"""Who has not filed each form (进度总览's 未报送), as of a date; reminders with the unit's link."""

from __future__ import annotations

import datetime as dt

from web_support import SECRET, csrf_of

from campaignflow import db
from campaignflow.deadlines import plan_reminders
from campaignflow.overview import unfiled_lines
from campaignflow.progress import stage_progress
from campaignflow.unfiled import unfiled
from campaignflow.web import links


def test_a_unit_leaves_the_unfiled_list_when_its_web_filing_is_dated_by_then(served):
    app = served("bapo-bali-2023", dt.date(2023, 4, 20))
    loaded = app.loaded
    stage = next(m.phase for m in loaded.spec.measures if m.form == "seminars")
    before = {
        u.form: u
        for u in unfiled(engine=app.engine, loaded=loaded, as_of=dt.date(2023, 4, 30), stage=stage)
    }
    seminar = before["seminars"]
    assert seminar.expected >= 2 and len(seminar.missing) == seminar.expected
    owner = next(u for u in loaded.units if u.name == seminar.missing[0])
    token = app.link("seminars", owner.id)
    with app.client() as client:
        page = client.get(f"/f/{token}")
        fields = {"csrf": csrf_of(page.text), "rows": "1", "action": "submit",
                  "r0.date": "2023-04-18", "r0.unit": owner.id, "r0.title": "解放思想专题研讨",
                  "r0.attendees": "15", "r0.round": "第一轮"}  # fmt: skip
        reply = client.post(f"/f/{token}", data=fields)
        assert reply.status_code == 200, reply.text[-1500:]

    def missing(day):
        found = unfiled(engine=app.engine, loaded=loaded, as_of=day, stage=stage)
        return next(u for u in found if u.form == "seminars").missing

    assert owner.name not in missing(dt.date(2023, 4, 30))
    assert len(missing(dt.date(2023, 4, 30))) == seminar.expected - 1
    assert owner.name in missing(dt.date(2023, 4, 17))  # the row is dated 04-18
    lines = unfiled_lines(
        unfiled(engine=app.engine, loaded=loaded, as_of=dt.date(2023, 4, 30), stage=stage)
    )
    row = next(line for line in lines if line.startswith("| 集中研讨（"))
    assert f"（1/{seminar.expected} 已报送）" in row and owner.name not in row


def test_reminders_carry_the_owners_link_when_the_forms_are_served(served):
    app = served("bapo-bali-2023", dt.date(2023, 4, 20))
    loaded = app.loaded
    measure = next(m for m in loaded.spec.measures if m.form == "seminars")
    day = loaded.due[measure.id] + dt.timedelta(days=7)
    progress = stage_progress(engine=app.engine, loaded=loaded, stage=measure.phase, as_of=day)
    with db.read_session(app.engine) as session:
        make = links.link_maker(
            session=session, loaded=loaded, secret=SECRET, base="https://dj.example.cn"
        )
    digests = plan_reminders(loaded=loaded, progress=progress, as_of=day, link=make)
    lines = [i for d in digests for i in d.items if i.item.measure == measure.id and i.link]
    assert lines, [d.text for d in digests]
    item = lines[0]
    assert (
        item.link.startswith("https://dj.example.cn/f/") and f"网页填报：{item.link}" in item.text
    )
    opened = links.verify(SECRET, item.link.rsplit("/", 1)[1])
    assert (opened.form, opened.unit) == ("seminars", item.item.unit)
    plain = plan_reminders(loaded=loaded, progress=progress, as_of=day)
    assert all("网页填报" not in d.text for d in plain)


def test_a_measures_only_owner_has_filed_what_the_form_holds_as_its_progress_says(served):
    """The case the demo showed: 目标蓝图 rows name no unit; the measure's only owner (局党组) is
    judged done on them, so it is not 未报送 either."""
    from campaignflow.collect import import_file
    from campaignflow.progress import stage_progress

    app = served("bapo-bali-2023", dt.date(2023, 6, 1))
    loaded = app.loaded
    measure = next(m for m in loaded.spec.measures if m.form == "blueprints")
    assert len(loaded.owner_units(measure)) == 1
    day = loaded.due[measure.id]
    found = {
        u.form: u for u in unfiled(engine=app.engine, loaded=loaded, as_of=day, stage=measure.phase)
    }
    assert found["blueprints"].missing == [loaded.owner_units(measure)[0].name]
    import_file(
        engine=app.engine,
        loaded=loaded,
        form_id="blueprints",
        path=loaded.root / "data" / "blueprints.csv",
    )
    found = {
        u.form: u for u in unfiled(engine=app.engine, loaded=loaded, as_of=day, stage=measure.phase)
    }
    progress = stage_progress(engine=app.engine, loaded=loaded, stage=measure.phase, as_of=day)
    done = {(i.measure, i.unit) for i in progress.items if i.done}
    owner = loaded.owner_units(measure)[0]
    assert (measure.id, owner.id) in done and found["blueprints"].missing == []
