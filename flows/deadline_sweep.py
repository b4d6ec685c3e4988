"""The deadline sweep flow: every active campaign's due and overdue items, and who to remind."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from campaignflow.calendar import today
from campaignflow.notify import RetryPolicy
from tasks.deadlines import plan_digests, sweep_deadlines
from tasks.notify import send_reminders
from tasks.progress import progress_now
from tasks.spec import active_campaigns, load_campaign, sync_spec

from ._names import sweep_run_name


@flow(name="deadline-sweep", flow_run_name=sweep_run_name, persist_result=False)
async def deadline_sweep(
    spec_path: str | None = None,
    as_of: dt.date | None = None,
    now: dt.datetime | None = None,
    retry_attempts: int = 3,
    retry_delay_seconds: float = 2.0,
    answer_timeout_seconds: float = 10.0,
) -> list[dict]:
    """For the campaign at `spec_path` (default: each campaign whose window covers `as_of`, as
    the database knows them): progress and overdue items per active stage,
    then one reminder digest per recipient — sent, or queued in quiet hours (`now`, default the
    current time), never twice. A failed send is tried `retry_attempts` times, waiting
    `retry_delay_seconds`, then three times longer each time; a robot that takes a message and
    gives no answer within `answer_timeout_seconds` is not tried again (待确认)."""
    now = now or dt.datetime.now(dt.UTC)
    as_of = as_of or today()
    results = []
    for path in [spec_path] if spec_path else active_campaigns(as_of):
        loaded = load_campaign(path)
        if spec_path:
            sync_spec(loaded)
        stages = [
            s for s in loaded.spec.stages if not s.window or s.window[0] <= as_of <= s.window[1]
        ]
        by_stage = progress_now(loaded, as_of)
        progress = [by_stage[stage.id] for stage in stages]
        for part in progress:
            sweep_deadlines(loaded, part, as_of)
        retry = RetryPolicy(
            attempts=retry_attempts, delay=retry_delay_seconds, timeout=answer_timeout_seconds
        )
        digests = plan_digests(loaded, progress, as_of)
        deliveries = send_reminders(loaded, digests, as_of, now, retry)
        results.append(
            {
                "campaign": loaded.spec.campaign.id,
                "stages": [s.id for s in stages],
                "overdue": sum(len(p.overdue) for p in progress),
                "reminders": [
                    {
                        "unit": d.unit_name,
                        "channel": d.channel,
                        "target": d.target,
                        "items": d.items,
                        "status": d.status,
                        "label": d.label,
                        "text": d.text,
                    }
                    for d in deliveries
                ],
            }
        )
    return results
