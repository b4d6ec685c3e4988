"""The campaign's declared metrics, computed in SQL."""

from __future__ import annotations

import datetime as dt

from campaignflow.metrics import MetricValue, compute_metrics
from campaignflow.spec import LoadedCampaign

from ._common import step, workspace


@step(name="计算指标")
def metrics(loaded: LoadedCampaign, as_of: dt.date) -> dict[str, MetricValue]:
    return compute_metrics(engine=workspace().engine, loaded=loaded, as_of=as_of)
