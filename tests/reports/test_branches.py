"""Per-branch reports: one per 党支部, figures from that branch's own rows, written once."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import docx
import pytest
from report_support import import_sample
from sqlalchemy import func, select

import campaignflow.db
import campaignflow.spec
import campaignflow.sync
from campaignflow.chunks import chunked
from campaignflow.metrics import compute_metrics, compute_metrics_by_unit
from campaignflow.reports.branch_pool import write_chunks
from campaignflow.reports.branches import (
    branch_contexts,
    branch_folder,
    branch_units,
    recorded_counts,
)
from campaignflow.settings import Settings
from campaignflow.spec.shipped import shipped_root

SPEC = shipped_root() / "bapo-bali-2023" / "campaign.yaml"
AS_OF = dt.date(2023, 5, 15)
STAGE = "examine"


def _build(tmp: Path, mutate=None):
    engine, loaded, home, url = import_sample(tmp, SPEC, mutate)
    return engine, loaded, Settings(home=home, database_url=url)


def _context(engine, loaded, unit):
    [(key, context)] = branch_contexts(
        engine=engine, loaded=loaded, stage=STAGE, as_of=AS_OF, units=[unit]
    )
    assert key == unit
    return context


def test_branches_are_the_party_branches_in_spec_order(tmp_path):
    engine, loaded, _ = _build(tmp_path)
    assert branch_units(engine, loaded) == ["jiguan", "yewu", "tuixiu"]
    assert chunked(["a", "b", "c", "d", "e"], 2) == [["a", "b"], ["c", "d"], ["e"]]


def test_every_branch_once_in_a_process_pool_and_a_rerun_adds_nothing(tmp_path):
    engine, loaded, settings = _build(tmp_path)
    units = branch_units(engine, loaded)
    chunks = chunked(units, 2)
    results = write_chunks(
        settings=settings, spec_path=SPEC, stage=STAGE, as_of=AS_OF, chunks=chunks, workers=2
    )
    assert [r.units for r in results] == chunks
    assert sum(r.files for r in results) == 3 * len(units)  # md, html, docx each
    folder = branch_folder(settings.home, loaded, STAGE, AS_OF)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{u}.{fmt}" for u in units for fmt in ("md", "html", "docx")
    )
    names = {u.id: u.name for u in loaded.units}
    for unit in units:
        text = "\n".join(p.text for p in docx.Document(folder / f"{unit}.docx").paragraphs)
        assert names[unit] in text and "查摆剖析阶段工作情况" in text
    assert recorded_counts(engine, loaded, STAGE, AS_OF) == dict.fromkeys(units, 1)
    with campaignflow.db.read_session(engine) as s:
        rows = s.scalar(select(func.count()).select_from(campaignflow.db.Report))
    write_chunks(
        settings=settings, spec_path=SPEC, stage=STAGE, as_of=AS_OF, chunks=chunks, workers=1
    )
    with campaignflow.db.read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(campaignflow.db.Report)) == rows == 9
    assert recorded_counts(engine, loaded, STAGE, AS_OF) == dict.fromkeys(units, 1)


def test_branch_figures_are_the_branchs_own_rows(tmp_path):
    engine, loaded, _ = _build(tmp_path)
    seminars = list(csv.DictReader((SPEC.parent / "data" / "seminars.csv").open(encoding="utf-8")))
    mine = [
        r for r in seminars if r["党组织"] == "审计业务党支部" and r["日期"] <= AS_OF.isoformat()
    ]
    context = _context(engine, loaded, "yewu")
    assert context["branch"] == {"key": "yewu", "name": "审计业务党支部", "parent": "局党组"}
    assert context["m"]["seminars_held"] == len(mine) > 0
    assert context["m"]["seminar_attendance"] == sum(int(r["参加人数"]) for r in mine)
    # every count metric, summed over all units, is the campaign-wide figure
    everyone = [u.id for u in loaded.units]
    by_unit = compute_metrics_by_unit(engine=engine, loaded=loaded, as_of=AS_OF, units=everyone)
    for metric_id, value in compute_metrics(engine=engine, loaded=loaded, as_of=AS_OF).items():
        if value.kind in ("count", "sum") and not isinstance(value.value, dict):
            assert sum(by_unit[u][metric_id].value for u in everyone) == value.value, metric_id


def test_change_the_data_and_the_branch_report_changes(tmp_path):
    def drop_yewu_seminars(inbox: Path) -> None:
        path = inbox / "seminars.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(ln for ln in lines if "审计业务党支部" not in ln) + "\n", "utf-8")

    engine, loaded, _ = _build(tmp_path / "a")
    before = _context(engine, loaded, "yewu")
    engine2, loaded2, _ = _build(tmp_path / "b", drop_yewu_seminars)
    after = _context(engine2, loaded2, "yewu")
    assert before["m"]["seminars_held"] > 0 and after["m"]["seminars_held"] == 0
    assert after["m"]["seminar_attendance"] == 0
    # the other branches are untouched
    assert _context(engine, loaded, "jiguan")["m"] == _context(engine2, loaded2, "jiguan")["m"]


def test_ledger_of_a_branch_is_its_own_problems(tmp_path):
    engine, loaded, _ = _build(tmp_path)
    problems = list(csv.DictReader((SPEC.parent / "data" / "problems.csv").open(encoding="utf-8")))
    mine = [
        p["问题编号"]
        for p in problems
        if p["责任部门"] == "局机关党支部" and p["发现日期"] <= AS_OF.isoformat()
    ]
    ledger = _context(engine, loaded, "jiguan")["ledger"]
    assert ledger["problems"] == len(mine) > 0
    assert set(ledger["measures_per_problem"]) == set(mine)


def test_unknown_unit_is_a_clear_error(tmp_path):
    engine, loaded, _ = _build(tmp_path)
    with pytest.raises(ValueError, match="没有这些单位：nowhere"):
        branch_contexts(engine=engine, loaded=loaded, stage=STAGE, as_of=AS_OF, units=["nowhere"])


def test_a_chunk_that_fails_in_the_pool_fails_the_run(tmp_path):
    """Whichever process takes the bad chunk, its error ends the run (no waiting forever)."""
    engine, loaded, settings = _build(tmp_path)
    with pytest.raises(ValueError, match="没有这些单位：nowhere"):
        write_chunks(
            settings=settings,
            spec_path=SPEC,
            stage=STAGE,
            as_of=AS_OF,
            chunks=[["jiguan"], ["nowhere"], ["yewu"]],
            workers=2,
        )
