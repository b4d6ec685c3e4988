"""A chunk of branch reports reads only its own units' part of the campaign (not every unit of a
province per chunk), and must come to what reading the whole campaign gives: the same ledger —
counts, unit names, their order — and the same subtrees, also when two units share a name."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from scenario_support import open_campaign
from sqlalchemy import select, update

from campaignflow import db
from campaignflow.ledger import reconcile_by_unit
from campaignflow.rules import subtrees

reconcile_module = importlib.import_module("campaignflow.ledger.reconcile")  # not the function

CAMPAIGNS = ["bapo-bali-2023", "party-building-2023", "tangping-review-2023"]


def _ledgers(c, keys: list[str], as_of: dt.date, size: int) -> dict:
    out = {}
    for i in range(0, len(keys), size):
        chunk = keys[i : i + size]
        out.update(reconcile_by_unit(engine=c.engine, loaded=c.loaded, as_of=as_of, units=chunk))
    return {k: (r, list(r.by_unit), list(r.open_by_unit)) for k, r in out.items()}


def _unit_keys(c) -> list[str]:
    with db.read_session(c.engine) as s:
        cid = db.campaign_id(s, c.loaded.spec.campaign.id)
        return list(s.scalars(select(db.Unit.key).where(db.Unit.campaign_id == cid)))


def _last_day(c) -> dt.date:
    return max(s.window[1] for s in c.loaded.spec.stages if s.window)


@pytest.mark.parametrize("name", CAMPAIGNS)
def test_a_chunks_ledger_is_the_whole_campaigns(name, engine, tmp_path, monkeypatch) -> None:
    c = open_campaign(engine, name, tmp_path)
    keys, as_of = _unit_keys(c), _last_day(c)
    with db.write_session(engine) as s:  # two units of one name: the order must still agree
        cid = db.campaign_id(s, c.loaded.spec.campaign.id)
        first, last = s.execute(
            select(db.Unit.id, db.Unit.name).where(db.Unit.campaign_id == cid).order_by(db.Unit.id)
        ).all()[:: len(keys) - 1]
        s.execute(update(db.Unit).where(db.Unit.id == last.id).values(name=first.name))
        units = s.scalars(select(db.Unit.id).where(db.Unit.campaign_id == cid)).all()
        measures = s.scalars(select(db.Rectification.id).order_by(db.Rectification.id)).all()
        for n, measure in enumerate(measures[:3]):  # owned by units other than the problem's
            owner = units[(n * 7 + 3) % len(units)]
            s.execute(
                update(db.Rectification)
                .where(db.Rectification.id == measure)
                .values(owner_unit_id=owner)
            )
    chunked = {size: _ledgers(c, keys, as_of, size) for size in (1, 3)}
    whole_rows = reconcile_module._unit_rows
    monkeypatch.setattr(
        reconcile_module, "_unit_rows", lambda session, cid, units: whole_rows(session, cid, None)
    )
    expected = _ledgers(c, keys, as_of, len(keys))
    assert chunked[1] == expected and chunked[3] == expected
    assert sum(r.measures for r, *_ in expected.values()) > 0
    assert any(len(order) > 1 for _, order, _ in expected.values())  # owners of other units


@pytest.mark.parametrize("name", CAMPAIGNS[:1])
def test_a_chunks_subtrees_are_the_whole_campaigns(name, engine, tmp_path) -> None:
    c = open_campaign(engine, name, tmp_path)
    with db.read_session(engine) as s:
        cid = db.campaign_id(s, c.loaded.spec.campaign.id)
        everything = subtrees(s, cid)
        ids = sorted(everything)
        for size in (1, 4):
            for i in range(0, len(ids), size):
                roots = ids[i : i + size]
                assert subtrees(s, cid, roots) == {r: everything[r] for r in roots}
    assert any(len(v) > 2 for v in everything.values())
