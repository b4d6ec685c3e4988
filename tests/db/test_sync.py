"""sync_campaign: idempotent, updates in place with an audit trail, archives instead of deleting."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaignflow.db import (
    Assignment,
    AuditEntry,
    Campaign,
    Form,
    Measure,
    Person,
    SchemaNotCurrent,
    Stage,
    Submission,
    Unit,
    make_engine,
    write_session,
)
from campaignflow.spec import load
from campaignflow.spec.shipped import shipped_campaigns
from campaignflow.sync import SyncError, SyncRefused, desired_state, sync_campaign


def _by_key(engine, model):
    with Session(engine) as session:
        return {row.key: row for row in session.scalars(select(model))}


def _assignments(engine) -> dict[tuple[str, str], Assignment]:
    query = (
        select(Assignment, Measure.key, Unit.key)
        .join(Measure, Assignment.measure_id == Measure.id)
        .join(Unit, Assignment.unit_id == Unit.id)
    )
    with Session(engine) as session:
        return {(m, u): a for a, m, u in session.execute(query)}


def _audit(engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_first_sync_writes_the_whole_spec(engine, spec_file):
    result = sync_campaign(engine=engine, loaded=spec_file.load(), actor="tester")
    inserted = {e: c.inserted for e, c in result.counts.items()}
    assert inserted == {
        "campaign": 1,
        "unit": 5,
        "person": 3,
        "stage": 2,
        "form": 2,
        "measure": 3,
        "assignment": 5,
    }
    assert result.summary() == "新增 21、更新 0、归档 0、未变 0"

    units = _by_key(engine, Unit)
    assert units["group-1a"].parent_id == units["branch-1"].id
    assert units["committee"].parent_id is None
    people = _by_key(engine, Person)
    assert people["p003"].unit_id == units["group-1a"].id and people["p001"].cadre
    stages = _by_key(engine, Stage)
    assert (
        stages["mobilise"].starts_on == dt.date(2023, 3, 1) and stages["mobilise"].kind == "phase"
    )
    assert stages["mobilise"].exit == {"all_measures_done": True, "sign_off": "支部书记"}
    measures = _by_key(engine, Measure)
    assert measures["plan"].due_on == dt.date(2023, 3, 8)  # phase.start + 5 workdays
    assert measures["plan"].due_rule == "phase.start + 5 workdays"
    assert measures["discuss"].stage_id == stages["examine"].id
    forms = _by_key(engine, Form)
    assert forms["problems"].natural_key == ["code"]
    assert forms["problems"].fields["category"]["choices"] == ["不想担当", "不善担当", "不敢担当"]
    assert set(_assignments(engine)) == {
        ("plan", "office"),
        ("discuss", "branch-1"),
        ("discuss", "branch-2"),
        ("find", "branch-1"),
        ("find", "branch-2"),
    }
    assert all(a.reported_on is None for a in _assignments(engine).values())
    audit = _audit(engine)
    assert len(audit) == 21 and {a.action for a in audit} == {"insert"}
    assert {a.actor for a in audit} == {"tester"}
    unit_entry = next(a for a in audit if a.entity == "unit" and a.entity_key == "group-1a")
    assert unit_entry.after["parent"] == "branch-1"  # FK shown by natural key


def test_sync_twice_changes_nothing(engine, spec_file, row_counts):
    loaded = spec_file.load()
    sync_campaign(engine=engine, loaded=loaded)
    before = row_counts(engine)
    digest = _by_key(engine, Campaign)["test-campaign"].spec_digest
    again = sync_campaign(engine=engine, loaded=spec_file.load())
    assert row_counts(engine) == before
    assert not again.changed and again.total.unchanged == 21
    assert again.summary() == "新增 0、更新 0、归档 0、未变 21"
    assert _by_key(engine, Campaign)["test-campaign"].spec_digest == digest


def test_edits_update_in_place_and_are_audited(engine, spec_file, row_counts):
    sync_campaign(engine=engine, loaded=spec_file.load())
    ids = {k: m.id for k, m in _by_key(engine, Measure).items()}
    counts = row_counts(engine)
    spec_file.replace("印发行动计划", "印发实施方案").replace("due: 2023-05-10", "due: 2023-05-12")
    result = sync_campaign(engine=engine, loaded=spec_file.load(), actor="editor")
    assert {k: m.id for k, m in _by_key(engine, Measure).items()} == ids  # same rows
    assert _by_key(engine, Measure)["plan"].title == "印发实施方案"
    assert _assignments(engine)[("discuss", "branch-2")].due_on == dt.date(2023, 5, 12)
    assert result.counts["measure"].updated == 2 and result.counts["assignment"].updated == 2
    after = row_counts(engine)
    assert after.pop("audit_log") == counts.pop("audit_log") + 4 and after == counts
    changes = {(c.entity, c.key): c for c in result.changes}
    assert changes[("measure", "plan")].before == {"title": "印发行动计划"}
    assert changes[("measure", "plan")].after == {"title": "印发实施方案"}
    entry = next(
        a for a in _audit(engine) if a.entity_key == "discuss@branch-1" and a.actor == "editor"
    )
    assert (entry.action, entry.before, entry.after, entry.actor) == (
        "update",
        {"due_on": "2023-05-10"},
        {"due_on": "2023-05-12"},
        "editor",
    )
    assert entry.at.tzinfo is not None


def test_moving_a_unit_and_a_person(engine, spec_file):
    sync_campaign(engine=engine, loaded=spec_file.load())
    spec_file.replace(
        "{id: group-1a, name: 第一党小组, kind: 党小组, parent: branch-1}",
        "{id: group-1a, name: 第一党小组, kind: 党小组, parent: branch-2}",
    ).replace("{id: p002, name: 李四, unit: branch-2}", "{id: p002, name: 李四, unit: branch-1}")
    result = sync_campaign(engine=engine, loaded=spec_file.load())
    units, people = _by_key(engine, Unit), _by_key(engine, Person)
    assert units["group-1a"].parent_id == units["branch-2"].id
    assert people["p002"].unit_id == units["branch-1"].id
    changes = {(c.entity, c.key): (c.before, c.after) for c in result.changes}
    assert changes[("unit", "group-1a")] == ({"parent": "branch-1"}, {"parent": "branch-2"})


def test_removed_measure_without_data_is_archived_and_can_come_back(engine, spec_file, row_counts):
    sync_campaign(engine=engine, loaded=spec_file.load())
    original = spec_file.path.read_text(encoding="utf-8")
    spec_file.replace(
        "  - id: plan\n    title: 印发行动计划\n    phase: mobilise\n    owner: 办公室\n"
        "    due: phase.start + 5 workdays\n    evidence: [文件]\n",
        "",
    )
    counts = row_counts(engine)
    result = sync_campaign(engine=engine, loaded=spec_file.load())
    assert result.counts["measure"].archived == 1 and result.counts["assignment"].archived == 1
    assert _by_key(engine, Measure)["plan"].archived  # archived, not deleted
    assert row_counts(engine)["measure"] == counts["measure"]
    spec_file.write(original)
    back = sync_campaign(engine=engine, loaded=spec_file.load())
    assert not _by_key(engine, Measure)["plan"].archived
    assert not _assignments(engine)[("plan", "office")].archived
    assert {(c.entity, c.action) for c in back.changes} == {
        ("measure", "restore"),
        ("assignment", "restore"),
    }


def _start_work(engine, measure: str, unit: str) -> None:
    with write_session(engine) as session:
        query = (
            select(Assignment)
            .join(Measure, Assignment.measure_id == Measure.id)
            .join(Unit, Assignment.unit_id == Unit.id)
            .where(Measure.key == measure, Unit.key == unit)
        )
        assignment = session.scalars(query).one()
        assignment.reported_on = dt.date(2023, 4, 20)
        assignment.evidence = ["会议记录.docx"]


def test_removing_a_measure_with_data_is_refused_unless_archived(engine, spec_file, row_counts):
    sync_campaign(engine=engine, loaded=spec_file.load())
    _start_work(engine, "find", "branch-1")
    spec_file.replace(
        "  - id: find\n    title: 查找问题\n    phase: examine\n    owner: [branch-1, branch-2]\n"
        "    form: problems\n",
        "",
    )
    counts, audit = row_counts(engine), len(_audit(engine))
    with pytest.raises(SyncRefused) as refused:
        sync_campaign(engine=engine, loaded=spec_file.load())
    message = str(refused.value)
    assert "措施 find（查找问题）已有数据" in message and "--archive" in message
    assert str(spec_file.path) in message
    assert row_counts(engine) == counts and len(_audit(engine)) == audit
    assert not _by_key(engine, Measure)["find"].archived

    result = sync_campaign(engine=engine, loaded=spec_file.load(), archive=True)
    assert result.counts["measure"].archived == 1 and result.counts["assignment"].archived == 2
    kept = _assignments(engine)[("find", "branch-1")]
    assert kept.archived and kept.reported_on == dt.date(2023, 4, 20)
    assert kept.evidence == ["会议记录.docx"]


def test_removing_a_form_with_submissions_is_refused_unless_archived(engine, spec_file):
    sync_campaign(engine=engine, loaded=spec_file.load())
    with write_session(engine) as session:
        form = session.scalars(select(Form).where(Form.key == "seminars")).one()
        session.add(
            Submission(
                campaign_id=form.campaign_id,
                form_id=form.id,
                natural_key="2023-04-10|branch-1",
                data={"title": "第一次研讨"},
                source_file="研讨.xlsx",
                source_row=2,
            )
        )
    spec_file.replace("    form: seminars\n", "").replace(
        "  seminars: {kind: activity, title: 集中研讨, activity_type: 集中研讨}\n", ""
    )
    with pytest.raises(SyncRefused, match=r"表单 seminars（集中研讨）已有数据：1 条填报"):
        sync_campaign(engine=engine, loaded=spec_file.load())
    sync_campaign(engine=engine, loaded=spec_file.load(), archive=True)
    assert _by_key(engine, Form)["seminars"].archived
    assert _by_key(engine, Measure)["discuss"].form_key is None


def test_dropping_an_owner_that_started_work_is_refused(engine, spec_file):
    sync_campaign(engine=engine, loaded=spec_file.load())
    _start_work(engine, "find", "branch-2")
    spec_file.replace("owner: [branch-1, branch-2]", "owner: [branch-1]")
    with pytest.raises(SyncRefused, match="措施 find 不再由 branch-2 负责"):
        sync_campaign(engine=engine, loaded=spec_file.load())
    spec_file.replace("owner: [branch-1]", "owner: [branch-1, office]")
    _start_work(engine, "find", "branch-1")  # still owned: no objection
    with pytest.raises(SyncRefused):
        sync_campaign(engine=engine, loaded=spec_file.load())
    result = sync_campaign(engine=engine, loaded=spec_file.load(), archive=True)
    assert result.counts["assignment"].inserted == 1 and result.counts["assignment"].archived == 1


def test_two_campaigns_share_a_database(engine, spec_file, row_counts):
    sync_campaign(engine=engine, loaded=spec_file.load())
    spec_file.replace("id: test-campaign", "id: other-campaign")
    result = sync_campaign(engine=engine, loaded=spec_file.load())
    assert result.total.inserted == 21
    assert row_counts(engine)["unit"] == 10


def test_sync_needs_an_upgraded_database(db_url, spec_file):
    engine = make_engine(db_url)
    try:
        with pytest.raises(SchemaNotCurrent, match="campaignflow db upgrade"):
            sync_campaign(engine=engine, loaded=spec_file.load())
    finally:
        engine.dispose()


def test_desired_state_is_pure_and_checks_references(spec_file):
    loaded = spec_file.load()
    first, second = desired_state(loaded), desired_state(spec_file.load())
    assert first.digest == second.digest
    assert first.unit_levels == [["committee"], ["office", "branch-1", "branch-2"], ["group-1a"]]
    loaded.people[0] = loaded.people[0]._replace(unit="nowhere")
    with pytest.raises(SyncError, match="人员 p001 引用了不存在的组织 nowhere"):
        desired_state(loaded)


SHIPPED = sorted(shipped_campaigns())


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_campaigns_sync_idempotently(engine, name, row_counts):
    loaded = load(shipped_campaigns()[name] / "campaign.yaml")
    first = sync_campaign(engine=engine, loaded=loaded)
    assert first.total.inserted == 1 + sum(len(r) for r in desired_state(loaded).rows.values())
    counts = row_counts(engine)
    again = sync_campaign(engine=engine, loaded=load(shipped_campaigns()[name] / "campaign.yaml"))
    assert not again.changed and row_counts(engine) == counts


def test_new_rows_in_a_later_sync_get_their_own_ids_and_one_audit_row_each(engine, spec_file):
    """Rows are inserted in bulk: each new row still points at the right rows (also with
    another campaign in the database) and gets its own audit row, in the order of the changes."""
    sync_campaign(engine=engine, loaded=spec_file.load())
    other = spec_file.path.parent.parent / "other" / "campaign.yaml"
    other.parent.mkdir()
    other.write_text(
        spec_file.path.read_text(encoding="utf-8").replace(
            "id: test-campaign", "id: other-campaign"
        ),
        encoding="utf-8",
    )
    assert sync_campaign(engine=engine, loaded=load(other)).campaign == "other-campaign"
    before = len(_audit(engine))
    spec_file.replace(
        "{id: p002, name: 李四, unit: branch-2}",
        "{id: p002, name: 李四, unit: branch-2}\n  - {id: p004, name: 赵六, unit: group-2a}",
    ).replace(
        "{id: group-1a, name: 第一党小组, kind: 党小组, parent: branch-1}",
        "{id: group-1a, name: 第一党小组, kind: 党小组, parent: branch-1}\n"
        "  - {id: group-2a, name: 第二党小组, kind: 党小组, parent: branch-2}",
    )
    result = sync_campaign(engine=engine, loaded=spec_file.load(), actor="editor")
    assert [(c.entity, c.key, c.action) for c in result.changes] == [
        ("unit", "group-2a", "insert"),
        ("person", "p004", "insert"),
    ]
    with Session(engine) as session:
        campaign = session.scalar(select(Campaign).where(Campaign.key == "test-campaign"))
        units = {
            u.key: u for u in session.scalars(select(Unit).where(Unit.campaign_id == campaign.id))
        }
        person = session.scalar(
            select(Person).where(Person.campaign_id == campaign.id, Person.key == "p004")
        )
    assert units["group-2a"].parent_id == units["branch-2"].id
    assert person.unit_id == units["group-2a"].id and not person.archived
    audit = _audit(engine)[before:]
    assert [(a.entity, a.entity_key, a.action, a.actor) for a in audit] == [
        ("unit", "group-2a", "insert", "editor"),
        ("person", "p004", "insert", "editor"),
    ]
    assert audit[0].after["parent"] == "branch-2" and audit[1].after["unit"] == "group-2a"
    assert all(a.campaign_id == campaign.id and a.at.tzinfo is not None for a in audit)
