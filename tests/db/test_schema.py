"""The schema: migrations equal the models, constraints and types behave alike on both backends."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaignflow.db import (
    Ballot,
    BallotCast,
    Base,
    Campaign,
    Form,
    Person,
    SchemaNotCurrent,
    Submission,
    Unit,
    check_schema,
    current_revision,
    head_revision,
    make_engine,
    upgrade,
    utcnow,
    write_session,
)
from campaignflow.db.migrate import MIGRATIONS_DIR


def test_upgrade_head_matches_models(db_url):
    engine = make_engine(db_url)
    try:
        assert upgrade(engine) is True
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        assert current_revision(engine) == head_revision()
        assert upgrade(engine) is False  # already at head: nothing to do
        check_schema(engine)
    finally:
        engine.dispose()


def test_one_dated_revision_ships_in_the_package():
    files = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("*.py"))
    assert files, "no migration"
    assert all(re.match(r"^\d{8}_[0-9a-f]{12}_\w+\.py$", name) for name in files), files
    assert head_revision() in files[-1]


def test_empty_database_must_be_upgraded(db_url):
    engine = make_engine(db_url)
    try:
        with pytest.raises(SchemaNotCurrent, match="campaignflow db upgrade"):
            check_schema(engine)
    finally:
        engine.dispose()


def test_constraint_names_follow_the_naming_convention(engine):
    inspector = inspect(engine)
    assert inspector.get_pk_constraint("unit")["name"] == "pk_unit"
    uniques = {u["name"] for u in inspector.get_unique_constraints("submission")}
    assert "uq_submission_form_id_natural_key" in uniques
    fks = {f["name"] for f in inspector.get_foreign_keys("person")}
    assert "fk_person_unit_id_unit" in fks


def test_sqlite_pragmas(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        engine.dispose()


def _campaign(session: Session) -> Campaign:
    campaign = Campaign(
        key="c",
        title="t",
        organisation="o",
        year=2023,
        timezone="Asia/Shanghai",
        staged=True,
        spec_digest="x",
    )
    session.add(campaign)
    session.flush()
    return campaign


def test_foreign_keys_are_enforced(engine):
    with pytest.raises(IntegrityError), write_session(engine) as session:
        campaign = _campaign(session)
        session.add(Person(campaign_id=campaign.id, key="p", name="张三", unit_id=999, role="党员"))


def test_natural_keys_reject_duplicates(engine):
    with write_session(engine) as session:
        campaign = _campaign(session)
        form = Form(
            campaign_id=campaign.id,
            key="f",
            kind="record",
            title="表",
            fields={},
            natural_key=[],
            definition={},
        )
        session.add(form)
        session.flush()
        session.add(Submission(campaign_id=campaign.id, form_id=form.id, natural_key="k1", data={}))
        ids = (campaign.id, form.id)
    with pytest.raises(IntegrityError), write_session(engine) as session:
        session.add(Submission(campaign_id=ids[0], form_id=ids[1], natural_key="k1", data={}))
    with pytest.raises(IntegrityError), write_session(engine) as session:
        session.add(Unit(campaign_id=ids[0], key="u", name="一", kind="党支部"))
        session.add(Unit(campaign_id=ids[0], key="u", name="二", kind="党支部"))


def test_datetimes_come_back_aware_utc_and_json_keeps_chinese(engine):
    when = dt.datetime(2023, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with write_session(engine) as session:
        campaign = _campaign(session)
        campaign.synced_at = when
        form = Form(
            campaign_id=campaign.id,
            key="f",
            kind="record",
            title="表",
            fields={"类别": ["不想担当", 2.5, None]},
            natural_key=["code"],
            definition={},
        )
        session.add(form)
    with Session(engine) as session:
        campaign = session.scalars(select(Campaign)).one()
        assert campaign.synced_at == when and campaign.synced_at.utcoffset() == dt.timedelta(0)
        form = session.scalars(select(Form)).one()
        assert form.fields == {"类别": ["不想担当", 2.5, None]} and form.natural_key == ["code"]
    with pytest.raises(Exception, match="naive datetime"), write_session(engine) as session:
        session.scalars(select(Campaign)).one().synced_at = dt.datetime(2023, 3, 1)
        session.flush()
    assert utcnow().tzinfo is dt.UTC


def test_ballots_store_no_rater_identity():
    ballot = {c.name for c in Ballot.__table__.columns}
    assert not ballot & {"rater", "rater_id", "person_id", "voter", "created_at", "source_row"}
    cast = BallotCast.__table__
    assert not {fk.column.table.name for fk in cast.foreign_keys} & {"ballot"}
    assert not {c.name for c in cast.columns} & {"ballot_id", "grade", "subject_id"}


def test_importing_does_no_work(tmp_path):
    code = "import campaignflow.db, campaignflow.sync, campaignflow.settings, campaignflow.cli.db"
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, timeout=60)
    assert list(tmp_path.iterdir()) == []  # no .campaignflow folder, no database file


def test_upgrade_by_url_creates_the_sqlite_folder(tmp_path):
    path = tmp_path / "nested" / "home" / "campaignflow.db"
    assert upgrade(f"sqlite:///{path}") is True
    assert path.is_file()
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM campaign")).scalar() == 0
    finally:
        engine.dispose()


def test_models_modules_stay_small():
    folder = Path(__import__("campaignflow.db").db.__file__).parent
    sizes = {p.name: len(p.read_text().splitlines()) for p in folder.glob("*.py")}
    assert all(n < 300 for n in sizes.values()), sizes


def test_update_audited_records_only_what_changed(engine):
    from campaignflow.db import AuditEntry, update_audited

    with write_session(engine) as session:
        campaign = _campaign(session)
        unit = Unit(campaign_id=campaign.id, key="b1", name="第一党支部", kind="党支部")
        session.add(unit)
        session.flush()
        same = update_audited(
            session=session, row=unit, values={"name": "第一党支部"}, entity_key="b1", actor="a"
        )
        assert same is None
        update_audited(
            session=session,
            row=unit,
            values={"name": "第一支部", "kind": "党支部"},
            entity_key="b1",
            actor="张三",
        )
    with Session(engine) as session:
        entry = session.scalars(select(AuditEntry)).one()
        assert (entry.entity, entry.entity_key, entry.action, entry.actor) == (
            "unit",
            "b1",
            "update",
            "张三",
        )
        assert (entry.before, entry.after) == ({"name": "第一党支部"}, {"name": "第一支部"})
        assert entry.campaign_id == campaign.id
