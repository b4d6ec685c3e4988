"""One anonymity rule for ballots, at the source (SQLite and PostgreSQL): a campaign's own metric that splits the ballots
into pools of raters smaller than the floor is suppressed — in the metric, in the per-unit
values and in the printed report — and shown again when the floor allows it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from report_support import _import

from campaignflow.anonymity import Suppressed
from campaignflow.db import make_engine
from campaignflow.metrics import compute_metrics, compute_metrics_by_unit
from campaignflow.reports import final_context, render_template
from campaignflow.snapshot import take_snapshot
from campaignflow.spec import load
from campaignflow.spec.shipped import shipped_root
from campaignflow.sync import sync_campaign

AS_OF = dt.date(2023, 12, 31)
SPLITTING = (
    "  by_rater: {count: ballots, by: [subject, rater_group, grade], title: 分人分类别评价, unit: 票}\n"
    "  by_person: {count: ballots, by: [subject, grade], title: 分人评价, unit: 票}\n"
    "  service_bad: {count: ballots, where: {rater_group: 服务对象, grade: 不称职}, "
    "title: 服务对象评为不称职的票, unit: 票}\n"
)


def _campaign(tmp_path: Path, floor: int) -> Path:
    """tangping-review-2023 (2 ballots per person and rater group) with metrics that split its
    ballots, and an anonymity floor of `floor`."""
    folder = tmp_path / "tangping-review-2023"
    shutil.copytree(shipped_root() / "tangping-review-2023", folder)
    spec = folder / "campaign.yaml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace("      min_ballots_shown: 2 ", f"      min_ballots_shown: {floor} ", 1)
    text = text.replace("\nmetrics:\n", "\nmetrics:\n" + SPLITTING, 1)
    spec.write_text(text, encoding="utf-8")
    return spec


def _imported(url: str, spec: Path, home: Path):
    engine = make_engine(url)
    loaded = load(spec)
    sync_campaign(engine=engine, loaded=loaded)
    _import(engine, loaded, home, None)
    return engine, loaded


def test_pools_below_the_floor_are_suppressed_everywhere(tmp_path, migrated_url):
    engine, loaded = _imported(migrated_url, _campaign(tmp_path, floor=3), tmp_path / "home")
    m = {k: v.value for k, v in compute_metrics(engine=engine, loaded=loaded, as_of=AS_OF).items()}
    # 2 raters per person and group: every figure of that split is withheld, zeros included
    assert m["by_rater"] and set(m["by_rater"].values()) == {Suppressed(3)}
    # per person, 8 raters: shown, and they add up to the ballots cast
    assert all(isinstance(v, int) for v in m["by_person"].values())
    assert sum(m["by_person"].values()) == m["ballots_cast"] > 0
    assert isinstance(m["service_bad"], int)  # 服务对象 of every person: a crowd
    units = [u.id for u in loaded.units]
    for values in compute_metrics_by_unit(
        engine=engine, loaded=loaded, as_of=AS_OF, units=units
    ).values():
        assert all(v == Suppressed(3) for v in values["by_rater"].value.values())

    snap = take_snapshot(engine=engine, loaded=loaded, as_of=AS_OF)
    markdown = render_template(None, "final.md.j2", final_context(loaded=loaded, snapshot=snap))
    row = next(line for line in markdown.splitlines() if line.startswith("| 分人分类别评价 |"))
    assert "（少于 3 人，不单列）" in row
    assert not any(ch.isdigit() for ch in row.replace("少于 3 人", ""))  # no count leaks
    engine.dispose()


def test_the_floor_is_the_campaigns_own(tmp_path, migrated_url):
    engine, loaded = _imported(migrated_url, _campaign(tmp_path, floor=2), tmp_path / "home")
    m = {k: v.value for k, v in compute_metrics(engine=engine, loaded=loaded, as_of=AS_OF).items()}
    assert all(isinstance(v, int) for v in m["by_rater"].values())
    assert sum(m["by_rater"].values()) == m["ballots_cast"]
    engine.dispose()
