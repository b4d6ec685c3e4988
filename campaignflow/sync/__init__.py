"""Write a campaign spec into the database: idempotent, audited, all or nothing.

    loaded = campaignflow.spec.load("campaign_specs/bapo-bali-2023/campaign.yaml")
    result = sync_campaign(engine=engine, loaded=loaded)
    print(result.summary())          # 新增 40、更新 0、归档 0、未变 0

- Rows are matched by natural key (campaign id, unit id, measure id, …): running it twice
  changes nothing; an edited spec updates rows in place; every change goes to the audit log.
- What left the spec is archived, never deleted. A measure, form or assignment that already has
  data (progress, evidence, submissions) is not dropped silently: the sync is refused
  (`SyncRefused`) unless `archive=True`.
- The whole desired state is computed, and every refusal decided, before the first write; one
  transaction does all the writes. Concurrent syncs of the same campaign queue on a lock (SQLite
  BEGIN IMMEDIATE, PostgreSQL advisory lock), so they neither duplicate rows nor fail.
"""

from __future__ import annotations

import time
import weakref

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ..db import (
    Campaign,
    check_schema,
    read_session,
    refresh_statistics,
    write_session,
    writer_lock,
)
from .desired import desired_state
from .result import (
    ENTITIES,
    LABELS,
    CampaignSource,
    Change,
    Counts,
    SyncError,
    SyncRefused,
    SyncResult,
)
from .writer import Writer

ATTEMPTS = 3
_DESIRED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # loaded campaign -> desired
STATS = {"syncs": 0, "skipped": 0}  # this process's syncs that wrote, and those skipped


def _desired(loaded: CampaignSource):
    """The desired state of a loaded campaign, computed once per loaded object."""
    try:
        found = _DESIRED.get(loaded)
    except TypeError:  # not weak-referenceable: compute every time
        return desired_state(loaded)
    if found is None:
        found = _DESIRED[loaded] = desired_state(loaded)
    return found


SYNC_FORMAT = "1"  # bump when what `desired_state` makes of a spec changes


def source_digest(loaded: CampaignSource) -> str | None:
    """What a sync of `loaded` is keyed by: the files it was read from, and this sync's format
    and schema (None when the loaded campaign does not say what it was read from)."""
    from ..db import head_revision

    digest = getattr(loaded, "source_digest", "")
    return f"{digest}:{SYNC_FORMAT}:{head_revision()}" if digest else None


def _unchanged(engine: Engine, loaded: CampaignSource) -> bool:
    """The database already holds exactly this spec: synced from the same files (content), the
    same path, by this campaignflow, not archived. Costs one query, no desired state."""
    digest = source_digest(loaded)
    if digest is None:
        return False
    with read_session(engine) as session:
        row = session.execute(
            select(Campaign.source_digest, Campaign.spec_path, Campaign.archived).where(
                Campaign.key == loaded.spec.campaign.id
            )
        ).first()
    return (
        row is not None
        and row.source_digest == digest
        and row.spec_path == str(loaded.path)
        and not row.archived
    )


def sync_campaign(
    *,
    engine: Engine,
    loaded: CampaignSource,
    archive: bool = False,
    actor: str = "campaignflow",
    skip_unchanged: bool = False,
) -> SyncResult:
    """Write `loaded` into the database; see the module docstring for the rules.

    Raises `SchemaNotCurrent` if the database needs `db upgrade`, `SyncRefused` if the spec drops
    items with data and `archive` is False, `SyncError` for other spec problems. Nothing is
    written when it raises. With `skip_unchanged` (flows), a database that already holds this
    very spec (same content digest, same file) is left alone: nothing is compared or written
    (`SyncResult.skipped`).
    """
    check_schema(engine)
    if skip_unchanged and not archive and _unchanged(engine, loaded):
        STATS["skipped"] += 1
        return SyncResult(campaign=loaded.spec.campaign.id, skipped=True)
    desired = _desired(loaded)  # every spec-level problem surfaces before a write
    STATS["syncs"] += 1
    result = _write(engine, desired, loaded, archive, actor)
    if result.total.inserted >= 1000:  # a first sync of a large organisation
        refresh_statistics(engine)
    return result


def _write(engine: Engine, desired, loaded: CampaignSource, archive: bool, actor: str):
    for attempt in range(ATTEMPTS):
        try:
            with write_session(engine) as session:
                writer_lock(session=session, name=f"campaignflow.sync:{desired.campaign['key']}")
                return Writer(session, desired, loaded, archive, actor).run()
        except (IntegrityError, OperationalError):
            # another writer won a race the lock does not cover: redo against its result
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


__all__ = [
    "ATTEMPTS",
    "CampaignSource",
    "Change",
    "Counts",
    "ENTITIES",
    "LABELS",
    "SyncError",
    "SyncRefused",
    "SyncResult",
    "desired_state",
    "sync_campaign",
]
