"""政治素质档案 (one file per person, 一人一册): the dated entries of each person's file.

An entry is a `political_file_entry` row or a row of the campaign's 政治素质档案 record form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from .. import db
from ..spec import LoadedCampaign

POLITICAL_FORM_TITLES = ("政治素质档案", "政治档案")


@dataclass
class PoliticalFiles:
    files: int = 0  # people with a file (一人一册)
    entries: int = 0
    by_person: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # name -> entries


def political_files(
    *, engine: Engine, loaded: LoadedCampaign, as_of: dt.date, form: str | None = None
) -> PoliticalFiles:
    """Per person, dated entries of their political-quality file: `political_file_entry` rows
    plus the rows of the record form `form` (default: a record form titled 政治素质档案 with a
    `person` field). An entry keeps its other fields (± indicator counts, evidence) as `data`."""
    result = PoliticalFiles()
    forms = (
        [form]
        if form
        else [
            fid
            for fid, f in loaded.spec.forms.items()
            if f.kind == "record"
            and "person" in f.fields
            and any(t in f.title for t in POLITICAL_FORM_TITLES)
        ]
    )
    entries: dict[str, list[dict[str, Any]]] = {}
    with db.read_session(engine) as session:
        campaign_id = db.campaign_id(session, loaded.spec.campaign.id)
        names = dict(
            session.execute(
                select(db.Person.id, db.Person.name).where(db.Person.campaign_id == campaign_id)
            ).all()
        )
        keys = dict(
            session.execute(
                select(db.Person.key, db.Person.name).where(db.Person.campaign_id == campaign_id)
            ).all()
        )
        for e in session.scalars(
            select(db.PoliticalFileEntry).where(
                db.PoliticalFileEntry.campaign_id == campaign_id,
                db.PoliticalFileEntry.recorded_on <= as_of,
            )
        ):
            entries.setdefault(names.get(e.person_id, str(e.person_id)), []).append(
                {
                    "date": e.recorded_on,
                    "category": e.category,
                    "title": e.title,
                    "content": e.content,
                    "data": {},
                }  # fmt: skip
            )
        for fid in forms:
            rows = session.scalars(
                select(db.Submission)
                .join(db.Form, db.Form.id == db.Submission.form_id)
                .where(
                    db.Form.campaign_id == campaign_id,
                    db.Form.key == fid,
                    db.Submission.archived.is_(False),
                )
            )
            for sub in rows:
                if sub.on_date is not None and sub.on_date > as_of:
                    continue
                data = dict(sub.data or {})
                person = str(data.pop("person", ""))
                if not person:
                    continue
                entries.setdefault(keys.get(person, person), []).append(
                    {
                        "date": sub.on_date,
                        "category": loaded.spec.forms[fid].title,
                        "title": str(data.get("conclusion") or ""),
                        "content": None,
                        "data": data,
                    }  # fmt: skip
                )
    for rows in entries.values():
        rows.sort(key=lambda r: (r["date"] or dt.date.min, r["category"]))
    result.by_person = dict(sorted(entries.items()))
    result.files = len(entries)
    result.entries = sum(len(r) for r in entries.values())
    return result
