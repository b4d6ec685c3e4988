"""Schedules that fire once: a campaign running in 2027, deployed with `prefect deploy` to a
real Prefect server, read back from its API: each phase runs once, at 18:00 on its last day and
as of that day; the deadline sweep runs daily inside the window only."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
import yaml

from campaignflow.cli.local_server import ensure_server, stop_server
from campaignflow.deployments import deployment_specs, prefect_yaml, scheduled
from campaignflow.spec import load
from campaignflow.spec.shipped import shipped_root

pytestmark = pytest.mark.slow
ROOT = shipped_root().parent
TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def future_campaign(tmp_path):
    """八破八立 moved to 2027 (weekdays only: 2027's holidays are not in the built-in data)."""
    folder = tmp_path / "bapo-2027"
    shutil.copytree(ROOT / "campaign_specs" / "bapo-bali-2023", folder)
    spec = folder / "campaign.yaml"
    text = (
        spec.read_text(encoding="utf-8")
        .replace("2023-", "2027-")
        .replace("year: 2023", "year: 2027")
    )
    spec.write_text(
        text.replace("  country: CN\n", "  country: CN\n  workweek: mon-fri\n", 1), "utf-8"
    )
    return load(spec)


def test_each_phase_is_scheduled_once_and_the_sweep_inside_the_window(future_campaign):
    specs = deployment_specs([future_campaign], future_campaign.root, today=TODAY)
    by_name = {s.name: s for s in specs}
    for stage in future_campaign.spec.stages:
        schedule = by_name[f"bapo-bali-2023-{stage.id}"].schedule
        assert schedule.count == 1 and schedule.first == dt.datetime.combine(
            stage.window[1], dt.time(18)
        )
        assert schedule.parameters == {"as_of": stage.window[1].isoformat()}
    sweep = by_name["bapo-bali-2023-deadline-sweep"].schedule
    assert (sweep.first.date(), sweep.last.date()) == (dt.date(2027, 3, 1), dt.date(2027, 6, 30))
    assert len(scheduled(specs)) == 4
    # a campaign half over: the finished phase schedules nothing, the sweep starts today
    mid = deployment_specs([future_campaign], future_campaign.root, today=dt.date(2027, 4, 10))
    mid_by_name = {s.name: s for s in mid}
    assert mid_by_name["bapo-bali-2023-mobilise"].schedule is None
    assert mid_by_name["bapo-bali-2023-deadline-sweep"].schedule.first.date() == dt.date(
        2027, 4, 10
    )


def test_deployed_schedules_read_back_fire_once(future_campaign, tmp_path, prefect_api):
    from prefect.server.schemas.schedules import RRuleSchedule

    home = tmp_path / "home"
    server = ensure_server(home)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update({"PREFECT_API_URL": server.api_url, "CAMPAIGNFLOW_HOME": str(home),
                    "CAMPAIGNFLOW_ROOT": str(ROOT)})  # fmt: skip
        specs = deployment_specs([future_campaign], ROOT, today=TODAY)
        (tmp_path / "prefect.yaml").write_text(prefect_yaml(specs), encoding="utf-8")
        prefect = [sys.executable, "-m", "prefect"]
        subprocess.run([*prefect, "work-pool", "create", "campaignflow", "--type", "process"],
                       env=env, check=True, capture_output=True, timeout=120)  # fmt: skip
        deploy = subprocess.run(
            [*prefect, "--no-prompt", "deploy", "--prefect-file", str(tmp_path / "prefect.yaml"),
             "--all"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert deploy.returncode == 0, deploy.stdout[-3000:] + deploy.stderr[-3000:]
        deployments = prefect_api(server.url, "/api/deployments/filter", {})
        zone = ZoneInfo("Asia/Shanghai")
        for stage in future_campaign.spec.stages:
            (d,) = [d for d in deployments if d["name"] == f"bapo-bali-2023-{stage.id}"]
            (entry,) = d["schedules"]
            rule = RRuleSchedule(**{k: entry["schedule"][k] for k in ("rrule", "timezone")})
            dates = asyncio.run(rule.get_dates(n=10, start=dt.datetime(2026, 12, 1, tzinfo=zone)))
            local = [dt.datetime.fromtimestamp(x.timestamp(), zone) for x in dates]
            assert [x.replace(tzinfo=None) for x in local] == [
                dt.datetime.combine(stage.window[1], dt.time(18))
            ]
            assert entry["parameters"] == {"as_of": stage.window[1].isoformat()}
        document = yaml.safe_load((tmp_path / "prefect.yaml").read_text(encoding="utf-8"))
        assert all(not d["schedules"] for d in document["deployments"] if d["name"].endswith(
            ("-final-report", "-record-activity", "chunk")))  # fmt: skip
    finally:
        stop_server(home)
