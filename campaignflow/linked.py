"""Other campaigns a final report reads: the year's campaigns feeding the annual summary.

`reports.campaigns` names them (`bapo: bapo-bali-2023`). Each is found in the same database,
loaded from the campaign file it was last synced from, and taken as of the report's date — its
own snapshot, so its figures are the ones its own reports print — then summed up as plain data:
structure (stages, measures, the 测评 categories and indicators), progress, metrics, 对账 and
the 测评 classes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from . import db
from .errors import CampaignflowError
from .spec import LoadedCampaign


class LinkedCampaignMissing(CampaignflowError, LookupError):
    """A campaign a report reads is not in the database (or its file is gone)."""


def linked_campaigns(
    *, engine: Engine, loaded: LoadedCampaign, as_of: dt.date
) -> dict[str, dict[str, Any]]:
    """Name -> summary of each campaign `reports.campaigns` names, as of `as_of`."""
    from .snapshot import take_snapshot
    from .spec import SpecError, load_cached

    out: dict[str, dict[str, Any]] = {}
    own = loaded.spec.campaign.id
    for name, campaign_id in loaded.spec.reports.campaigns.items():
        with db.read_session(engine) as session:
            path = session.scalar(
                select(db.Campaign.spec_path).where(
                    db.Campaign.key == campaign_id, db.Campaign.archived.is_(False)
                )
            )
        hint = f"活动 {own} 的报告引用活动 {campaign_id}（reports.campaigns.{name}）"
        if path is None:
            raise LinkedCampaignMissing(
                f"{hint}，但本数据库中还没有它：请先运行该活动"
                f"（campaignflow run <它的 campaign.yaml>），或先 sync 并导入它的数据"
            )
        try:
            other = load_cached(Path(path))
        except (SpecError, OSError) as exc:
            raise LinkedCampaignMissing(f"{hint}，但无法读取它的活动文件 {path}：{exc}") from None
        if other.spec.campaign.id != campaign_id:
            raise LinkedCampaignMissing(f"{hint}，但 {path} 现在是活动 {other.spec.campaign.id}")
        snap = take_snapshot(engine=engine, loaded=other, as_of=as_of, linked=False)
        out[name] = summary(other, snap)
    return out


def _ballot_structure(loaded: LoadedCampaign) -> dict[str, Any]:
    """The 测评 categories (情形) and indicators (表现形式) of the campaign's ballot forms."""
    titles: list[str] = []
    indicators = 0
    for form in loaded.spec.forms.values():
        evaluation = getattr(form, "evaluation", None)
        if form.kind != "ballot" or evaluation is None:
            continue
        for category in evaluation.categories or ():
            titles.append(category.title)
            indicators += len(category.indicators or ())
    return {"categories": len(titles), "indicators": indicators, "category_titles": titles}


def summary(loaded: LoadedCampaign, snap) -> dict[str, Any]:
    """Plain data of one linked campaign as of its snapshot's date."""
    from .evaluation import report_data

    spec = loaded.spec
    overall = snap.overall
    evaluation = report_data(snap.evaluation)
    return {
        "id": spec.campaign.id,
        "title": spec.campaign.title,
        "short_title": spec.campaign.short_title or spec.campaign.title,
        "organisation": spec.campaign.organisation,
        "as_of": snap.as_of,
        "stage_count": len(spec.stages),
        "stage_word": "阶段" if spec.staged else "工作线",
        "measure_count": len(spec.measures),
        "progress": {"done": overall.done, "total": overall.total, "ratio": overall.ratio},
        "m": snap.metric_values(),
        "ledger": snap.ledger.as_dict(),
        "classes": evaluation["classes"],
        "ballot": _ballot_structure(loaded),
    }
