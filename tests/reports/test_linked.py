"""A final report that reads other campaigns (`reports.campaigns`): found in the same database,
as of the same date — or a clear error naming the campaign to run first."""

from __future__ import annotations

import datetime as dt

import pytest

import campaignflow.db
import campaignflow.spec
import campaignflow.sync
from campaignflow.linked import LinkedCampaignMissing
from campaignflow.snapshot import take_snapshot
from campaignflow.spec.shipped import shipped_root

SPEC = shipped_root() / "party-building-2023" / "campaign.yaml"


def test_a_campaign_not_in_the_database_is_named(tmp_path):
    engine = campaignflow.db.open_database(f"sqlite:///{tmp_path}/c.db")
    loaded = campaignflow.spec.load(SPEC)
    campaignflow.sync.sync_campaign(engine=engine, loaded=loaded)
    with pytest.raises(LinkedCampaignMissing, match="bapo-bali-2023.*请先运行该活动"):
        take_snapshot(engine=engine, loaded=loaded, as_of=dt.date(2023, 12, 31))
    # a phase run does not read them
    snap = take_snapshot(engine=engine, loaded=loaded, as_of=dt.date(2023, 12, 31), stage="year")
    assert snap.linked == {}


def test_linked_figures_are_the_campaigns_own_as_of_the_date(seed_report):
    linked = seed_report.context["campaigns"]
    bapo, tangping = linked["bapo"], linked["tangping"]
    assert (bapo["stage_count"], bapo["measure_count"]) == (3, 8)
    assert bapo["m"]["problems_found"] == bapo["ledger"]["problems"] == 13
    assert bapo["as_of"] == seed_report.snapshot.as_of
    assert tangping["ballot"] == {
        "categories": 3, "indicators": 12, "category_titles": ["不愿担当", "不敢担当", "不善担当"],
    }  # fmt: skip
    assert tangping["classes"]["实干型"] == 6 and tangping["classes"]["躺平式"] == 1


def test_a_campaign_cannot_read_itself(tmp_path):
    text = SPEC.read_text(encoding="utf-8").replace(
        "    bapo: bapo-bali-2023", "    bapo: party-building-2023"
    )
    copy = tmp_path / "pb"
    import shutil

    shutil.copytree(SPEC.parent, copy)
    (copy / "campaign.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(campaignflow.spec.SpecError, match="报告不能引用活动自身"):
        campaignflow.spec.load(copy / "campaign.yaml")
