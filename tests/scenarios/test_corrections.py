"""What always happens in a real campaign, on SQLite and PostgreSQL: a branch re-sends a
corrected sheet, a unit's records are withdrawn and restored, a phase is run again later, one
branch of many lags. Every figure a run shows (report, DOCX, artifacts) must follow the data."""

from __future__ import annotations

import datetime as dt

from scenario_support import Campaign, csv_rows, open_campaign

from campaignflow.collect.lifecycle import history, restore, withdraw
from campaignflow.metrics import compute_metrics_by_unit

BAPO = "bapo-bali-2023"
EXAMINE_END = dt.date(2023, 5, 15)
IMPROVE_END = dt.date(2023, 6, 30)


def _seminar_figures(rows: list[dict]) -> tuple[int, int]:
    return len(rows), sum(int(r["参加人数"]) for r in rows)


def test_a_corrected_sheet_replaces_the_branch_rows(engine, tmp_path):
    c = open_campaign(engine, BAPO, tmp_path)
    seminars = csv_rows(c.data / "seminars.csv")
    header = list(seminars[0])
    before = c.shown(c.snapshot(EXAMINE_END, "examine"))
    held, people = _seminar_figures(seminars)
    assert f"| 集中研讨 | {held}次 |" in before.markdown

    # 审计业务党支部 re-sends its sheet: its row corrected, two rows added;
    # 离退休干部党支部 sends an empty sheet: its row is withdrawn
    yewu = [dict(r) for r in seminars if r["党组织"] == "审计业务党支部"]
    yewu[0]["参加人数"] = str(int(yewu[0]["参加人数"]) + 5)
    yewu += [
        {
            **yewu[0],
            "日期": "2023-04-20",
            "主题": "补充研讨：对照“八个是否”再查摆",
            "参加人数": "12",
        },
        {**yewu[0], "日期": "2023-04-24", "主题": "青年党员专题研讨", "参加人数": "10"},
    ]
    c.drop("集中研讨-审计业务党支部.csv", yewu, header)
    c.drop("离退休干部党支部_集中研讨.csv", [], header)
    report = c.collect()
    assert sorted((f.file, f.inserted, f.updated, f.withdrawn) for f in report.files) == [
        ("离退休干部党支部_集中研讨.csv", 0, 0, 1),
        ("集中研讨-审计业务党支部.csv", 2, 1, 0),
    ]
    assert "替换 审计业务党支部 的 集中研讨 记录：新增 2、更新 1、未变 0、撤回 0" in {
        f.message for f in report.files
    }

    now = [r for r in seminars if r["党组织"] not in ("审计业务党支部", "离退休干部党支部")]
    held, people = _seminar_figures(now + yewu)
    after = c.shown(c.snapshot(EXAMINE_END, "examine"))
    for shown in (after.markdown, after.docx):
        assert f"{held}次" in shown and f"{people}人次" in shown
    assert f"| 集中研讨 | {held}次 |" in after.markdown
    assert f"| 集中研讨参加人次 | {people}人次 |" in after.markdown
    assert after.artifacts["metrics"]["seminars_held"] == held
    assert after.artifacts["metrics"]["seminar_attendance"] == people
    assert before.artifacts["metrics"]["seminar_attendance"] != people
    # the branch without a 第一轮 研讨 now is the only one overdue on that measure
    overdue = [(t, u) for t, u, _due, _n in after.artifacts["overdue"] if t.startswith("第一轮")]
    assert overdue == [(next(m.title for m in c.loaded.spec.measures if m.id == "seminar-1"),
                        "离退休干部党支部")]  # fmt: skip
    # and history lists what was withdrawn, by the filing that did it
    seen = history(engine=engine, loaded=c.loaded, form_id="seminars")
    assert seen.withdrawn_total == 1 and seen.withdrawn[0].unit == "离退休干部党支部"
    (by,) = [f for f in seen.filings if f.id == seen.withdrawn[0].by]
    assert (by.mode, by.source, by.withdrawn) == ("替换", "离退休干部党支部_集中研讨.csv", 1)


def test_withdraw_and_restore_a_units_problems(engine, tmp_path):
    c = open_campaign(engine, BAPO, tmp_path)
    problems = csv_rows(c.data / "problems.csv")
    fixes = csv_rows(c.data / "fixes.csv")
    before = c.shown(c.snapshot(IMPROVE_END, "improve"))
    unit = "财政审计科"
    gone = {r["问题编号"] for r in problems if r["责任部门"] == unit}
    gone_fixes = [r for r in fixes if r["问题编号"] in gone]
    assert gone and gone_fixes

    result = withdraw(engine=engine, loaded=c.loaded, form_id="problems", units=[unit], actor="t")
    assert result.rows.own("problems") == len(gone)
    assert result.rows.cascaded("problems") == {"整改清单": len(gone_fixes)}
    during = c.shown(c.snapshot(IMPROVE_END, "improve"))
    n_problems, n_fixes = len(problems) - len(gone), len(fixes) - len(gone_fixes)
    assert f"共查找问题{n_problems}条，制定整改措施{n_fixes}条" in during.markdown
    assert during.artifacts["reconciliation"][-1]["问题"] == n_problems
    assert during.artifacts["reconciliation"][-1]["整改措施"] == n_fixes
    assert during.artifacts["metrics"]["fixes_made"] == n_fixes  # metrics and ledger agree
    assert unit not in {row["责任单位"] for row in during.artifacts["reconciliation"]}

    restored = restore(engine=engine, loaded=c.loaded, filing_id=result.filing, actor="t")
    assert restored.rows.own("problems") == len(gone)
    assert restored.rows.cascaded("problems") == {"整改清单": len(gone_fixes)}
    again = c.shown(c.snapshot(IMPROVE_END, "improve"))
    assert again.markdown == before.markdown and again.artifacts == before.artifacts
    assert again.docx == before.docx


def _run_phases(c: Campaign, dates: list[tuple[dt.date, str | None]]):
    return [c.shown(c.snapshot(day, stage)) for day, stage in dates]


def test_runs_at_earlier_dates_change_nothing_later(engine, second_engine, tmp_path):
    replayed = open_campaign(engine, BAPO, tmp_path / "a")
    *_, late = _run_phases(
        replayed,
        [(dt.date(2023, 3, 31), "mobilise"), (EXAMINE_END, "examine"), (IMPROVE_END, "improve"),
         (IMPROVE_END, None)],
    )  # fmt: skip
    fresh = open_campaign(second_engine, BAPO, tmp_path / "b")
    (only,) = _run_phases(fresh, [(IMPROVE_END, None)])
    assert late.markdown == only.markdown
    assert late.docx == only.docx
    assert late.artifacts == only.artifacts


def test_a_measure_done_earlier_is_not_done_once_its_rule_fails(engine, second_engine, tmp_path):
    """局机关党支部 had closed its measures by 06-29 (整改提升: at most 0 open); then it re-sends its
    整改清单 with one measure back 整改中: as of 06-30 the branch's share is not done, the measure is
    listed as overdue, and the figures equal a fresh run over the corrected data."""
    c = open_campaign(engine, BAPO, tmp_path / "a")
    fixes = csv_rows(c.data / "fixes.csv")
    header = list(fixes[0])
    mine = [r for r in fixes if r["责任部门"] == "局机关党支部"]
    first = c.snapshot(dt.date(2023, 6, 29), "improve")
    state = {(i.measure, i.unit): i for i in first.stage_progress.items}
    assert state[("rectify", "jiguan")].done
    reopened = mine[0]["措施编号"]

    def corrected(rows):
        return [
            {**r, "状态": "整改中", "销号日期": "", "审核人": "", "佐证材料": ""}
            if r["措施编号"] == reopened else r
            for r in rows
        ]  # fmt: skip

    c.drop("整改清单-局机关党支部.csv", corrected(mine), header)
    c.collect()
    later = c.snapshot(IMPROVE_END, "improve")
    state = {(i.measure, i.unit): i for i in later.stage_progress.items}
    assert not state[("rectify", "jiguan")].done and state[("rectify", "jiguan")].done_on is None
    assert state[("rectify", "yewu")].done  # the other branches' own data still meets it
    assert reopened in {o["code"] for o in later.ledger.overdue}
    by_unit = compute_metrics_by_unit(
        engine=engine, loaded=c.loaded, as_of=IMPROVE_END, units=["jiguan"]
    )
    assert by_unit["jiguan"]["fixes_open"].value == 1
    shown = c.shown(later)
    line = next(ln for ln in shown.markdown.splitlines() if "分类制定整改措施" in ln)
    # the measure is not reported complete: the branch is named as short of its target
    assert "均已完成" not in line and "局机关党支部尚未完成，未达到未完成措施清零的目标" in line

    fresh = open_campaign(second_engine, BAPO, tmp_path / "b", skip=("fixes.csv",))
    fresh.drop("fixes.csv", corrected(fixes), header)
    fresh.collect()
    again = fresh.shown(fresh.snapshot(IMPROVE_END, "improve"))
    assert again.markdown == shown.markdown and again.artifacts == shown.artifacts


def test_only_the_lagging_branch_is_overdue(engine, tmp_path):
    c = open_campaign(engine, BAPO, tmp_path)
    seminars = csv_rows(c.data / "seminars.csv")
    c.drop("离退休干部党支部-集中研讨.csv", [], list(seminars[0]))
    c.collect()
    snap = c.snapshot(EXAMINE_END, "examine")
    states = {(i.measure, i.unit): i.state for i in snap.stage_progress.items}
    assert states[("seminar-1", "tuixiu")] == "逾期"
    assert states[("seminar-1", "jiguan")] == states[("seminar-1", "yewu")] == "已完成"
    assert [i.unit for i in snap.stage_progress.overdue if i.measure == "seminar-1"] == ["tuixiu"]


def test_state_counts_follow_the_date(engine, tmp_path):
    """未完成/已销号 counts as of each day of June agree between the metrics and the 对账."""
    c = open_campaign(engine, BAPO, tmp_path)
    fixes = csv_rows(c.data / "fixes.csv")
    for day in (dt.date(2023, 6, d) for d in (1, 10, 16, 21, 29, 30)):
        snap = c.snapshot(day, "improve")
        m, ledger = snap.metric_values(), snap.ledger
        closed = sum(
            r["状态"] in ("已完成", "巩固") and r["销号日期"] and r["销号日期"] <= day.isoformat()
            for r in fixes
        )
        open_ = sum(r["状态"] in ("未启动", "整改中") for r in fixes) + sum(
            r["状态"] in ("已完成", "巩固") and r["销号日期"] > day.isoformat() for r in fixes
        )
        assert m["fixes_closed"] == ledger.measures_closed == closed, day
        assert m["fixes_open"] == ledger.measures_open == open_, day


def test_a_chunk_of_branches_is_judged_as_in_the_whole_campaign(engine, tmp_path):
    """Branch reports read only their chunk's rows: the verdicts are the campaign's own."""
    from campaignflow.progress import statuses

    c = open_campaign(engine, BAPO, tmp_path)
    for day in (EXAMINE_END, IMPROVE_END):
        everyone = statuses(engine=engine, loaded=c.loaded, as_of=day)
        for chunk in (["jiguan"], ["yewu", "tuixiu"], ["dangzu", "jiguan"]):
            mine = statuses(engine=engine, loaded=c.loaded, as_of=day, units=chunk)
            assert mine == [i for i in everyone if i.unit in chunk], (day, chunk)
