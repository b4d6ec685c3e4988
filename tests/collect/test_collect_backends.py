"""Imports on both backends: the bulk INSERT path (one driver executemany, no RETURNING) must
store the same rows on SQLite and PostgreSQL, stay idempotent and audit updates.

The per-test databases come from the `migrated_url`/`engine` fixtures of tests/backends.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from collect_support import FIX_HEADER, PROBLEM_HEADER, fix, problem, row_counts, write_csv
from sqlalchemy import func, select

from campaignflow import db
from campaignflow.collect import import_file
from campaignflow.collect.inbox import _order, match_forms
from campaignflow.collect.progress_sheet import is_progress_file
from campaignflow.collect.signoff_sheet import is_signoff_file
from campaignflow.spec import load
from campaignflow.sync import sync_campaign

SPECS = Path(__file__).resolve().parents[2] / "campaign_specs"


def _import_data(engine, loaded, folder: Path) -> dict[str, object]:
    results = {}
    for path in sorted(folder.glob("*.csv"), key=lambda p: _order(p, loaded)):
        if is_progress_file(path) or is_signoff_file(path):
            continue
        (form_id,) = match_forms(path, loaded)
        results[path.name] = import_file(engine=engine, loaded=loaded, form_id=form_id, path=path)
    return results


def _contents(engine) -> dict[str, object]:
    with db.read_session(engine) as session:
        return {
            "submissions": sorted(
                (s.natural_key, sorted(s.data.items()), s.on_date, s.status, s.unit_id is None)
                for s in session.scalars(select(db.Submission))
            ),
            "problems": sorted(
                (p.code, p.found_on, p.description) for p in session.scalars(select(db.Problem))
            ),
            "rectifications": sorted(
                (r.code, r.state, r.due_on, r.problem_id is not None)
                for r in session.scalars(select(db.Rectification))
            ),
            "ballots": sorted(
                (b.grade, sorted(b.indicators.items())) for b in session.scalars(select(db.Ballot))
            ),
        }


@pytest.mark.parametrize("name", ["tangping-review-2023", "party-building-2023"])
def test_shipped_data_imports_alike_on_both_backends(engine, backend, name: str) -> None:
    loaded = load(SPECS / name / "campaign.yaml")
    sync_campaign(engine=engine, loaded=loaded)
    results = _import_data(engine, loaded, SPECS / name / "data")
    assert results
    for file, result in results.items():
        assert result.inserted == result.rows > 0, (file, result.summary())
    counts = row_counts(engine)
    assert counts["submission"] == sum(r.rows for r in results.values())
    first = _contents(engine)
    assert all(s[0] for s in first["submissions"])

    again = _import_data(engine, loaded, SPECS / name / "data")
    assert all(r.inserted == r.updated == 0 for r in again.values())
    assert row_counts(engine) == counts
    assert _contents(engine) == first


def test_import_update_is_audited_on_both_backends(engine, backend, tmp_path) -> None:
    loaded = load(SPECS / "bapo-bali-2023" / "campaign.yaml")
    sync_campaign(engine=engine, loaded=loaded)
    path = write_csv(tmp_path / "problems.csv", [PROBLEM_HEADER, *(problem(i) for i in range(5))])
    first = import_file(engine=engine, loaded=loaded, form_id="problems", path=path)
    assert first.inserted == 5
    with db.read_session(engine) as session:
        linked = session.scalar(
            select(func.count())
            .select_from(db.Problem)
            .join(db.Submission, db.Submission.id == db.Problem.submission_id)
            .where(db.Submission.natural_key == db.Problem.code)
        )
        audits = session.scalar(select(func.count()).select_from(db.AuditEntry))
    assert linked == 5

    rows = [problem(i) for i in range(5)]
    rows[2] = problem(2, 问题表现="改写后的表现")
    write_csv(path, [PROBLEM_HEADER, *rows, problem(5)])
    second = import_file(engine=engine, loaded=loaded, form_id="problems", path=path)
    assert (second.inserted, second.updated, second.unchanged) == (1, 1, 4)
    with db.read_session(engine) as session:
        entry = session.scalars(
            select(db.AuditEntry).where(db.AuditEntry.entity == "submission")
        ).one()
        described = session.scalar(select(db.Problem.description).where(db.Problem.code == "T-02"))
        total = session.scalar(select(func.count()).select_from(db.AuditEntry))
    assert entry.entity_key == "problems:T-02"
    assert entry.after == {"description": "改写后的表现"}
    assert described == "改写后的表现"
    assert total == audits + 1


def test_ballot_marks_are_read_alike_on_both_backends(engine, backend) -> None:
    """The scoring reads each ballot's marks as JSON text (decoded once per distinct text): the
    ticks it counts are those of the stored ballots, on either backend."""
    from collections import Counter

    from campaignflow.evaluation import evaluate_all

    loaded = load(SPECS / "tangping-review-2023" / "campaign.yaml")
    sync_campaign(engine=engine, loaded=loaded)
    _import_data(engine, loaded, SPECS / "tangping-review-2023" / "data")
    with db.read_session(engine) as session:
        keys = dict(session.execute(select(db.Person.id, db.Person.key)).all())
        stored = Counter(
            (keys[b.subject_id], k)
            for b in session.scalars(select(db.Ballot))
            for k, v in (b.indicators or {}).items()
            if v
        )
    (result,) = evaluate_all(engine=engine, loaded=loaded, store=False)
    counted = Counter({(p.subject, k): n for p in result.people for k, n in p.indicators.items()})
    assert +counted == +stored and sum(stored.values()) > 0


def _measure_dates(engine) -> dict[str, object]:
    """Each measure's 措施编号 -> the date its submission carries (what as-of counts use)."""
    with db.read_session(engine) as session:
        form = session.scalar(select(db.Form.id).where(db.Form.key == "fixes"))
        return {
            s.natural_key: s.on_date
            for s in session.scalars(select(db.Submission).where(db.Submission.form_id == form))
        }


def test_a_measure_dates_from_its_problem_on_both_backends(engine, backend, tmp_path) -> None:
    """A measure has no date of its own: imported, updated, appended or after its problem is
    re-dated, its submission carries its problem's 发现日期."""
    import datetime as dt

    loaded = load(SPECS / "bapo-bali-2023" / "campaign.yaml")
    sync_campaign(engine=engine, loaded=loaded)
    found = {i: f"2023-04-{10 + i:02d}" for i in range(4)}

    def problems(dates: dict[int, str]) -> Path:
        rows = [problem(i, 发现日期=d) for i, d in dates.items()]
        return write_csv(tmp_path / "problems.csv", [PROBLEM_HEADER, *rows])

    def fixes(rows: list[list[object]], name: str = "fixes.csv") -> Path:
        return write_csv(tmp_path / name, [FIX_HEADER, *rows])

    import_file(engine=engine, loaded=loaded, form_id="problems", path=problems(found))
    measures = [fix(0, "T-00"), fix(1, "T-01"), fix(2, "T-01"), fix(3, "T-03")]
    first = import_file(engine=engine, loaded=loaded, form_id="fixes", path=fixes(measures))
    assert first.inserted == 4
    day = dt.date.fromisoformat
    assert _measure_dates(engine) == {
        "Z-00": day(found[0]), "Z-01": day(found[1]), "Z-02": day(found[1]), "Z-03": day(found[3]),
    }  # fmt: skip

    # the problem T-01 re-dated: both its measures follow
    import_file(
        engine=engine, loaded=loaded, form_id="problems", path=problems({**found, 1: "2023-05-02"})
    )
    assert _measure_dates(engine)["Z-01"] == _measure_dates(engine)["Z-02"] == day("2023-05-02")

    # a measure updated, and one moved to another problem, in the same file
    measures[0] = fix(0, "T-00", 状态="已完成")
    measures[3] = fix(3, "T-02")
    again = import_file(engine=engine, loaded=loaded, form_id="fixes", path=fixes(measures))
    assert again.updated == 2
    # appended later: dated from the problem as it is now
    extra = fixes([fix(4, "T-01")], "fixes-追加.csv")
    import_file(engine=engine, loaded=loaded, form_id="fixes", path=extra, mode="append")
    assert _measure_dates(engine) == {
        "Z-00": day(found[0]), "Z-01": day("2023-05-02"), "Z-02": day("2023-05-02"),
        "Z-03": day(found[2]), "Z-04": day("2023-05-02"),
    }  # fmt: skip
