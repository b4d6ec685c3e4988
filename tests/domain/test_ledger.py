"""The rectification ledger: state machine, audit, 对账 and the three-sheet workbook."""

from __future__ import annotations

import datetime as dt

import pytest
import typer
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from campaignflow import db
from campaignflow.cli.ledger import register
from campaignflow.ledger import (
    IllegalTransition,
    UnknownMeasure,
    close_measure,
    consolidate_due,
    consolidate_measure,
    mark_standing,
    reconcile,
    reconciliation_table,
    reopen_measure,
    start_measure,
)
from campaignflow.ledger.export import write_ledger_book

D = dt.date(2024, 1, 10)


def _problem_open(filled, code, on=D) -> bool:
    """Whether the problem is not 整改完成 on `on` (computed from its measures)."""
    ledger = reconcile(engine=filled.engine, loaded=filled.loaded, as_of=on)
    assert code in ledger.measures_per_problem
    return code in ledger.open_problems


def _measure(engine, code):
    with db.read_session(engine) as s:
        return s.scalar(select(db.Rectification).where(db.Rectification.code == code))


def test_reopen_and_close_again(tangping):
    e, loaded = tangping.engine, tangping.loaded
    with pytest.raises(IllegalTransition, match="原因"):
        reopen_measure(engine=e, loaded=loaded, code="TZ-01", reason=" ", on=D, actor="t")
    reopen_measure(engine=e, loaded=loaded, code="TZ-01", reason="回头看仍有超期", on=D, actor="t")
    m = _measure(e, "TZ-01")
    assert m.state == "整改中" and m.closed_on is None and "回头看仍有超期" in m.note
    assert _problem_open(tangping, "TP-01")
    with pytest.raises(IllegalTransition, match="责任人"):
        close_measure(engine=e, loaded=loaded, code="TZ-01", evidence="x", reviewer="杨建国", on=D)
    with pytest.raises(IllegalTransition, match="佐证"):
        close_measure(engine=e, loaded=loaded, code="TZ-01", evidence="", reviewer="陈静", on=D)
    with pytest.raises(IllegalTransition, match="审核人"):
        close_measure(engine=e, loaded=loaded, code="TZ-01", evidence="记录", reviewer="", on=D)
    close_measure(engine=e, loaded=loaded, code="TZ-01", evidence="月报", reviewer="陈静", on=D)
    m = _measure(e, "TZ-01")
    assert (m.state, m.reviewer, m.evidence, m.closed_on) == ("已完成", "陈静", "月报", D)
    assert not _problem_open(tangping, "TP-01")
    assert _problem_open(tangping, "TP-01", D - dt.timedelta(1))  # closed on D, not before
    with db.read_session(e) as s:
        audit = s.scalars(
            select(db.AuditEntry)
            .where(db.AuditEntry.entity_key == "TZ-01")
            .order_by(db.AuditEntry.id)
        ).all()
    assert [a.after["state"] for a in audit] == ["整改中", "已完成"]
    assert audit[0].after["reason"] == "回头看仍有超期" and audit[0].before["state"] == "已完成"
    assert audit[1].actor == "陈静"


def test_illegal_transitions_are_clear(tangping):
    e, loaded = tangping.engine, tangping.loaded
    with pytest.raises(IllegalTransition, match="已经是"):
        close_measure(engine=e, loaded=loaded, code="TZ-03", evidence="x", reviewer="陈静", on=D)
    with pytest.raises(IllegalTransition, match="只有“未启动”"):
        start_measure(engine=e, loaded=loaded, code="TZ-03", on=D, actor="t")
    with pytest.raises(UnknownMeasure):
        start_measure(engine=e, loaded=loaded, code="TZ-99", on=D, actor="t")
    assert _measure(e, "TZ-03").state == "已完成"  # nothing written


def test_consolidate_after_review_date(tangping):
    e, loaded = tangping.engine, tangping.loaded
    with pytest.raises(IllegalTransition, match="复查日期"):
        consolidate_measure(engine=e, loaded=loaded, code="TZ-03", on=D, actor="t")
    with db.write_session(e) as s:
        for code in ("TZ-03", "TZ-04"):
            s.scalar(select(db.Rectification).where(db.Rectification.code == code)).review_on = D
    with pytest.raises(IllegalTransition, match="未到"):
        consolidate_measure(
            engine=e, loaded=loaded, code="TZ-03", on=D - dt.timedelta(1), actor="t"
        )
    assert consolidate_due(engine=e, loaded=loaded, as_of=D, actor="t") == ["TZ-03", "TZ-04"]
    assert not _problem_open(tangping, "TP-02")
    reopen_measure(engine=e, loaded=loaded, code="TZ-03", reason="复发", on=D, actor="t")
    assert _problem_open(tangping, "TP-02")
    mark_standing(engine=e, loaded=loaded, code="TZ-03", on=D, actor="t")
    assert not _problem_open(tangping, "TP-02")  # a standing measure does not keep it open


def test_reconcile_counts(tangping):
    e, loaded = tangping.engine, tangping.loaded
    reopen_measure(engine=e, loaded=loaded, code="TZ-02", reason="复查", on=D, actor="t")
    r = reconcile(engine=e, loaded=loaded, as_of=D)
    assert (r.problems, r.problems_closed, r.measures, r.measures_closed) == (3, 2, 4, 3)
    assert r.by_state == {"未启动": 0, "整改中": 1, "已完成": 3, "巩固": 0, "长期坚持": 0}
    assert [o["code"] for o in r.overdue] == ["TZ-02"]
    # declared order, zeros shown
    assert list(r.by_source.items()) == [
        ("自己找", 1),
        ("领导点", 1),
        ("互相提", 0),
        ("巡察", 0),
        ("审计", 0),
        ("群众评议", 1),
    ]
    assert r.measures_per_problem == {"TP-01": 2, "TP-02": 1, "TP-03": 1}
    assert r.by_unit["办公室"]["overdue"] == 1
    data = r.as_dict()
    assert data["problem_closure_rate"] == 2 / 3 and data["closure_rate"] == 0.75  # 3/4 已销号
    assert reconciliation_table(r)[-1]["问题"] == 3
    early = reconcile(engine=e, loaded=loaded, as_of=dt.date(2023, 10, 18))
    assert (early.problems, early.measures) == (1, 1)  # TP-02 only, with its measure


def test_three_sheet_workbook(tangping, tmp_path):
    e, loaded = tangping.engine, tangping.loaded
    reopen_measure(engine=e, loaded=loaded, code="TZ-02", reason="复查", on=D, actor="t")
    book = write_ledger_book(engine=e, loaded=loaded, path=tmp_path / "台账.xlsx",
                             as_of=dt.date(2023, 12, 31), since=dt.date(2023, 10, 19))  # fmt: skip
    assert book.sheets == {"新增": 3, "推进落实": 1, "已办结销号": 3}
    wb = load_workbook(tmp_path / "台账.xlsx")
    assert wb.sheetnames == ["新增", "推进落实", "已办结销号"]
    assert wb["推进落实"]["N2"].value == "TZ-02" and wb["推进落实"]["A2"].value == 1


def test_cli_close_and_reopen(tangping):
    app = typer.Typer()
    register(app)
    spec, url = str(tangping.loaded.path), tangping.url
    run = CliRunner().invoke
    bad = run(app, ["close", spec, "TZ-01", "--reviewer", "陈静", "--evidence", "x", "--db", url])
    assert bad.exit_code == 2 and "已经是" in bad.output and "Traceback" not in bad.output
    ok = run(app, ["reopen", spec, "TZ-01", "--reason", "复查", "--on", "2024-01-10", "--db", url])
    assert ok.exit_code == 0, ok.output
    bad = run(app, ["close", spec, "TZ-01", "--reviewer", "杨建国", "--evidence", "x", "--db", url])
    assert bad.exit_code == 2 and "责任人" in bad.output
    bad = run(
        app, ["close", spec, "TZ-01", "--reviewer", "陈静", "--on", "2024-13-01", "--db", url]
    )
    assert bad.exit_code == 2 and "日期无效" in bad.output
    ok = run(app, ["close", spec, "TZ-01", "--reviewer", "陈静", "--evidence", "月报",
                   "--on", "2024-01-12", "--db", url])  # fmt: skip
    assert ok.exit_code == 0, ok.output
