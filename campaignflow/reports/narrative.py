"""Text the data cannot know (存在问题和不足, 下一步工作打算), from the form the branch fills.

The form named by `reports.narrative` has fields `section`, `seq`, optional `heading`, and
`text`; items come back grouped by section and ordered by `seq`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from .. import db
from ..spec import LoadedCampaign

ALIASES = {"存在问题和不足": "problems", "下一步工作打算": "plans"}


def narrative_items(
    *, engine: Engine, loaded: LoadedCampaign, as_of: dt.date
) -> dict[str, list[str]]:
    """{"problems": [...], "plans": [...], "<section>": [...]} — empty when there is no such form."""
    form_id = loaded.spec.reports.narrative
    if not form_id:
        return {}
    with db.read_session(engine) as session:
        rows = session.scalars(
            select(db.Submission.data)
            .join(db.Form, db.Form.id == db.Submission.form_id)
            .where(
                db.Form.campaign_id == db.campaign_id(session, loaded.spec.campaign.id),
                db.Form.key == form_id,
                db.Submission.archived.is_(False),
            )
        ).all()
    grouped: dict[str, list[tuple[int, str]]] = {}
    for data in rows:
        section = str(data.get("section") or "")
        heading = (data.get("heading") or "").strip()
        text = (data.get("text") or "").strip()
        item = (
            f"{heading}。{text}"
            if heading and not heading.endswith(("。", "：", "."))
            else heading + text
        )
        grouped.setdefault(section, []).append((int(data.get("seq") or 0), item))
    result: dict[str, list[str]] = {}
    for section, items in grouped.items():
        ordered = [text for _, text in sorted(items)]
        result[section] = ordered
        if section in ALIASES:
            result[ALIASES[section]] = ordered
    return result
