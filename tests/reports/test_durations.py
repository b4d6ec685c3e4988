"""Durations, date offsets, grace and milestones in a real campaign (党纪学习教育 2024, SQLite and
PostgreSQL): a 读书班's span and the days of study are figures judged per branch, the branch short
of them is named with its figure, and the milestones show as such in the report and overview."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from report_support import _import

from campaignflow.db import make_engine
from campaignflow.metrics import compute_metrics_by_unit
from campaignflow.overview import campaign_overview
from campaignflow.reports import final_context, render_template
from campaignflow.reports.layout import lay_out
from campaignflow.snapshot import take_snapshot
from campaignflow.spec import load
from campaignflow.spec.shipped import shipped_root
from campaignflow.sync import sync_campaign

SPEC = shipped_root() / "party-discipline-2024" / "campaign.yaml"
AS_OF = dt.date(2024, 8, 9)


@pytest.fixture
def campaign(migrated_url, tmp_path):
    engine = make_engine(migrated_url)
    loaded = load(SPEC)
    sync_campaign(engine=engine, loaded=loaded)
    _import(engine, loaded, tmp_path / "home", None)
    yield engine, loaded
    engine.dispose()


def test_spans_and_days_are_judged_per_branch(campaign):
    engine, loaded = campaign
    values = compute_metrics_by_unit(
        engine=engine, loaded=loaded, as_of=AS_OF, units=["b1", "b2", "b3"]
    )
    # b1: 读书班 22–26 Apr (5 days) + 1 + 2 days of study; b2: 3 + 2 + 1; b3: 5 + 3
    assert {u: v["reading_span"].value for u, v in values.items()} == {"b1": 5, "b2": 3, "b3": 5}
    assert {u: v["study_days"].value for u, v in values.items()} == {"b1": 8, "b2": 6, "b3": 8}
    snap = take_snapshot(engine=engine, loaded=loaded, as_of=AS_OF)
    state = {(i.measure, i.unit): i for i in snap.overall.items}
    assert state[("reading", "b1")].done and not state[("reading", "b2")].done
    assert state[("reading", "b2")].due == dt.date(2024, 5, 10)  # 2024-04-30 + 5 workdays
    assert state[("summary", "office")].due == dt.date(2024, 8, 7)  # track.end + 5, in grace
    assert state[("summary", "office")].done
    assert not state[("study", "b2")].done and state[("study", "b3")].done


def test_the_report_names_the_short_branch_and_the_milestones(campaign):
    engine, loaded = campaign
    snap = take_snapshot(engine=engine, loaded=loaded, as_of=AS_OF)
    markdown = lay_out(render_template(
        None, "final.md.j2", final_context(loaded=loaded, snapshot=snap))).markdown  # fmt: skip
    assert "机关第二党支部已逾期65个工作日（读书班天数3天，目标为不少于5天）" in markdown
    assert "（集中学习天数6天，目标为不少于8天）" in markdown
    assert "报送党纪学习教育工作总结（重要节点）" in markdown
    assert "未达到读书班天数不少于5天的目标；" in markdown  # a longest span has no 共N天 total
    overview = campaign_overview(loaded, snap, {}, "测试")
    assert "| ★ 党支部书记讲授党纪专题党课 | 2024-06-28 | 2/3 | 逾期 |" in overview


def test_a_corrected_sheet_changes_the_span(campaign, tmp_path):
    """机关第二党支部 re-sends its sheet with a 5-day 读书班: it is done, as of the same date."""
    engine, loaded = campaign
    inbox = tmp_path / "home2" / "inbox" / loaded.spec.campaign.id
    inbox.mkdir(parents=True)
    rows = (SPEC.parent / "data" / "reading.csv").read_text(encoding="utf-8").splitlines()
    mine = [rows[0]] + [r.replace("2024-04-23,2024-04-25", "2024-04-23,2024-04-27")
                        for r in rows[1:] if "机关第二党支部" in r]  # fmt: skip
    (inbox / "reading-机关第二党支部.csv").write_text("\n".join(mine) + "\n", encoding="utf-8")
    from campaignflow.collect.inbox import collect_inbox

    collect_inbox(engine=engine, loaded=loaded, home=tmp_path / "home2")
    values = compute_metrics_by_unit(engine=engine, loaded=loaded, as_of=AS_OF, units=["b2"])
    assert values["b2"]["reading_span"].value == 5
    snap = take_snapshot(engine=engine, loaded=loaded, as_of=AS_OF)
    assert {(i.measure, i.unit): i for i in snap.overall.items}[("reading", "b2")].done
    shutil.rmtree(tmp_path / "home2")
