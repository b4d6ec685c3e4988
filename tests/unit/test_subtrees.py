"""`subtrees`: every unit's own subtree, or only the asked roots' (a chunk of branch reports)."""

from __future__ import annotations

from sqlalchemy import select

from campaignflow import db
from campaignflow.rules import subtrees


def _by_walking_up(parents: dict[int, int | None]) -> dict[int, list[int]]:
    """The definition: a unit is under every unit on its way up to the root."""
    result: dict[int, list[int]] = {uid: [] for uid in parents}
    for uid in sorted(parents):
        current = uid
        while current is not None:
            result[current].append(uid)
            current = parents[current]
    return result


def test_subtrees_of_all_units_and_of_some(campaign) -> None:
    with db.read_session(campaign.engine) as session:
        cid = db.find_campaign(session, campaign.loaded.spec.campaign.id).id
        parents = dict(
            session.execute(
                select(db.Unit.id, db.Unit.parent_id).where(db.Unit.campaign_id == cid)
            ).all()
        )
        everything = subtrees(session, cid)
        roots = [uid for uid in parents if parents[uid] is None]
        some = subtrees(session, cid, [*roots, max(parents), -1])  # -1: no such unit
    assert len(parents) > 2 and any(len(v) > 1 for v in everything.values())
    assert everything == _by_walking_up(parents)
    assert some == {uid: everything[uid] for uid in [*roots, max(parents)]}
    assert all(len(some[r]) == len(parents) for r in roots if len(roots) == 1)
