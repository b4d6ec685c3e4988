"""党纪学习教育 2024 through the campaign flow, on SQLite and PostgreSQL: every track runs, and the
final report shows the 读书班 spans, the days of study and the milestones from the data."""

from __future__ import annotations

import asyncio
import datetime as dt

from flows.campaign import campaign

CAMPAIGN = "party-discipline-2024"


def test_the_campaign_flow_reports_durations_and_milestones(
    home, fill_inbox, spec, migrated_url, monkeypatch
):
    from campaignflow.workspace import close_workspaces

    monkeypatch.setenv("CAMPAIGNFLOW_DATABASE_URL", migrated_url)
    close_workspaces()
    fill_inbox(home, CAMPAIGN)
    outcome = asyncio.run(campaign(spec_path=spec(CAMPAIGN), as_of=dt.date(2024, 8, 9)))
    assert [p["phase"] for p in outcome["phases"]] == ["study", "warning", "practice"]
    final = open(outcome["final"]["reports"]["md"], encoding="utf-8").read()
    assert "机关第二党支部已逾期65个工作日（读书班天数3天，目标为不少于5天）" in final
    assert "（集中学习天数6天，目标为不少于8天）" in final
    assert "报送党纪学习教育工作总结（重要节点），办公室于2024年8月5日完成" in final
    assert "离退休干部党支部已逾期30个工作日（专题党课0次，目标为不少于1次）" in final
