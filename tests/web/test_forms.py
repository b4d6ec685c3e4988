"""A unit's form on the web, against the running app (uvicorn, real database on SQLite and
PostgreSQL): rows round-trip into what the Excel import stores, bad input is refused with the
import's own messages and nothing stored, a second submission replaces the first."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from web_support import SPECS, csrf_of

from campaignflow import db
from campaignflow.collect import import_file
from campaignflow.db import open_database
from campaignflow.settings import sqlite_url
from campaignflow.sync import sync_campaign
from campaignflow.web import links
from campaignflow.web.fields import web_fields
from campaignflow.web.filing import as_posted

CAMPAIGNS = sorted(p.parent.name for p in SPECS.glob("*/campaign.yaml"))
ROWS = 12  # sample rows per form


def _unit_forms(loaded):
    return [f for f, form in loaded.spec.forms.items() if form.kind not in ("ballot", "feedback")]


def _roots(loaded):
    return [u.id for u in loaded.units if u.parent is None]


def _rows(engine, campaign: str, form: str) -> list[dict]:
    """The form's current rows, empty values left out (a file without a column stores no key
    for it; the template's empty cell, like the web's empty field, stores None)."""
    S = db.Submission
    with db.read_session(engine) as session:
        return sorted(
            (
                {k: v for k, v in row.items() if v is not None}
                for row in session.scalars(
                    select(S.data)
                    .join(db.Form, db.Form.id == S.form_id)
                    .join(db.Campaign, db.Campaign.id == db.Form.campaign_id)
                    .where(db.Campaign.key == campaign, db.Form.key == form, S.archived.is_(False))
                )
            ),
            key=lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False),
        )


def _head(path: Path, out: Path, n: int) -> Path:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[: n + 1]
    with out.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return out


def _post_rows(client, token: str, fields, rows: list[dict[str, str]], action="submit"):
    page = client.get(f"/f/{token}")
    data = {"csrf": csrf_of(page.text), "rows": str(len(rows)), "action": action}
    for i, row in enumerate(rows):
        for f in fields:
            if row.get(f.id):
                data[f"r{i}.{f.id}"] = row[f.id]
    return client.post(f"/f/{token}", data=data)


def _count(engine) -> int:
    with db.read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(db.Submission))


@pytest.mark.parametrize("name", CAMPAIGNS)
def test_every_shipped_form_round_trips_into_the_rows_an_excel_import_gives(served, name, tmp_path):
    app = served(name)
    loaded = app.loaded
    reference = open_database(sqlite_url(tmp_path / "excel.db"))
    sync_campaign(engine=reference, loaded=loaded)
    forms = [f for f in _unit_forms(loaded) if (loaded.root / "data" / f"{f}.csv").exists()]
    assert forms, f"{name} has no sample data to compare"
    # rectifications need their problems: both databases get those by Excel first
    first = [f for f in forms if loaded.spec.forms[f].kind == "problem"]
    for form in first + [f for f in forms if f not in first]:
        sample = _head(loaded.root / "data" / f"{form}.csv", tmp_path / f"{form}.csv", ROWS)
        result = import_file(engine=reference, loaded=loaded, form_id=form, path=sample)
        assert not result.rejected
        expected = _rows(reference, loaded.spec.campaign.id, form)
        if form in first:
            import_file(engine=app.engine, loaded=loaded, form_id=form, path=sample)
            continue
        root = _roots(loaded)[0]
        fields = web_fields(loaded, form, root)
        with app.client() as client:
            reply = _post_rows(client, app.link(form, root), fields,
                               [as_posted(v, fields) for v in expected])  # fmt: skip
        assert reply.status_code == 200, (form, reply.text[-2000:])
        assert "回执号" in reply.text
        assert _rows(app.engine, loaded.spec.campaign.id, form) == expected, form
    reference.dispose()


def test_bad_input_is_refused_next_to_its_field_and_nothing_is_stored(served):
    app = served("party-building-2023", dt.date(2023, 10, 20))
    loaded, form, unit = app.loaded, "meetings", _roots(app.loaded)[0]
    fields = web_fields(loaded, form, unit)
    token = app.link(form, unit)
    good = {"date": "2023-10-09", "title": "学习党的二十大精神", "attendees": "12", "unit": unit}
    good["type"] = next(f for f in fields if f.id == "type").options[0][0]
    cases = {
        "attendees": ("十二", "应为整数，而不是“十二”"),
        "date": ("2023-02-30", "日期不存在：2023-02-30"),
        "type": ("茶话会", "应为以下之一"),
    }
    with app.client() as client:
        for field, (value, message) in cases.items():
            reply = _post_rows(client, token, fields, [good | {field: value}])
            assert reply.status_code == 400
            assert message in reply.text, field
            assert "尚未保存" in reply.text
        assert _count(app.engine) == 0
        # no CSRF token: refused, nothing stored
        reply = client.post(f"/f/{token}", data={"rows": "1", "action": "submit",
                                                  **{f"r0.{k}": v for k, v in good.items()}})  # fmt: skip
        assert reply.status_code == 403 and "页面已失效" in reply.text
        # an oversized body: 413 before any handler
        reply = client.post(f"/f/{token}", content=b"x" * 300_000,
                            headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert reply.status_code == 413
        assert _count(app.engine) == 0
        # forged, expired, revoked links
        forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        assert "链接无效" in client.get(f"/f/{forged}").text
        assert client.get("/f/not-a-token").status_code == 403
        old = app.link(form, unit, expires=dt.date(2023, 10, 19))
        reply = client.get(f"/f/{old}")
        assert reply.status_code == 410 and "链接已过期" in reply.text
        with db.write_session(app.engine) as session:
            links.revoke(session, db.campaign_id(session, loaded.spec.campaign.id), form, unit)
        reply = client.get(f"/f/{token}")
        assert reply.status_code == 403 and "链接已停用" in reply.text
        assert (
            _post_rows(client, app.link(form, unit, generation=1), fields, [good]).status_code
            == 200
        )
        # a link of this campaign's form for a unit outside it, and a ballot form by link
        assert client.get(f"/f/{app.link(form, 'nowhere')}").status_code == 403
    assert _count(app.engine) == 1


def test_a_second_submission_replaces_the_first(served):
    app = served("party-building-2023", dt.date(2023, 10, 20))
    loaded, form, unit = app.loaded, "meetings", _roots(app.loaded)[0]
    fields = web_fields(loaded, form, unit)
    kind = next(f for f in fields if f.id == "type").options[0][0]
    one = {"date": "2023-10-09", "title": "专题学习", "type": kind, "attendees": "12", "unit": unit}
    two = {"date": "2023-10-16", "title": "集中研讨", "type": kind, "attendees": "9", "unit": unit}
    token = app.link(form, unit)
    with app.client() as client:
        first = _post_rows(client, token, fields, [one, two])
        assert first.status_code == 200 and "新增 2" in first.text
        shown = client.get(f"/f/{token}").text  # the unit sees its current submission
        assert "专题学习" in shown and "集中研讨" in shown
        again = _post_rows(client, token, fields, [one, two])
        assert "没有变化" in again.text
        second = _post_rows(client, token, fields, [one | {"attendees": "15"}])
        assert second.status_code == 200 and "更新 1" in second.text and "撤回 1" in second.text
    rows = _rows(app.engine, loaded.spec.campaign.id, form)
    assert [(r["title"], r["attendees"]) for r in rows] == [("专题学习", 15)]
    with db.read_session(app.engine) as session:
        filings = session.scalars(select(db.Filing).order_by(db.Filing.id)).all()
        withdrawn = session.scalar(select(func.count()).where(db.Submission.archived.is_(True)))
    assert [(f.channel, f.mode, f.inserted, f.updated, f.withdrawn) for f in filings] == [
        ("网页填报", "replace", 2, 0, 0),
        ("网页填报", "replace", 0, 1, 1),
    ]
    assert withdrawn == 1
