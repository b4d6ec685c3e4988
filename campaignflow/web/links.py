"""Signed links: one per (unit, form), and one public link per feedback form.

A link's token carries its scope (campaign, form, unit), the generation it was signed with and
its last valid day, and an HMAC over them. It is refused when forged, past its day, or revoked
(the (form, unit) generation was bumped). Tokens are never logged or stored.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hmac
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import db
from ..errors import CampaignflowError
from ..spec import LoadedCampaign
from . import URL_ENV
from .secret import keyed

PUBLIC = "*"  # the unit of a public link
MAX_TOKEN = 400


class Refusal(enum.Enum):
    """Why a link is refused; the value is the page's title."""

    FORGED = "链接无效"
    EXPIRED = "链接已过期"
    REVOKED = "链接已停用"


class LinkRefused(CampaignflowError, ValueError):
    def __init__(self, reason: Refusal, detail: str) -> None:
        super().__init__(f"{reason.value}：{detail}")
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class Link:
    campaign: str
    form: str
    unit: str  # a unit key, or PUBLIC
    generation: int
    expires: dt.date  # the last day it is valid

    @property
    def public(self) -> bool:
        return self.unit == PUBLIC


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: bytes, link: Link) -> str:
    payload = json.dumps(
        [link.campaign, link.form, link.unit, link.generation, link.expires.isoformat()],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    body = _b64(payload)
    return f"{body}.{_b64(keyed(secret, 'link', body)[:16])}"


def verify(secret: bytes, token: str) -> Link:
    """The link a token signs; LinkRefused(FORGED) for anything else (expiry not checked)."""
    forged = LinkRefused(Refusal.FORGED, "请核对链接是否完整，或向组织部门索取新的链接")
    if not token or len(token) > MAX_TOKEN or token.count(".") != 1:
        raise forged
    body, mac = token.split(".")
    try:
        good = hmac.compare_digest(_unb64(mac), keyed(secret, "link", body)[:16])
        values = json.loads(_unb64(body)) if good else None
    except (ValueError, UnicodeDecodeError):
        raise forged from None
    if not good or not isinstance(values, list) or len(values) != 5:
        raise forged
    campaign, form, unit, generation, expires = values
    return Link(
        str(campaign), str(form), str(unit), int(generation), dt.date.fromisoformat(expires)
    )


def generation(session: Session, campaign_id: int, form: str, unit: str) -> int:
    found = session.scalar(
        select(db.LinkGeneration.generation).where(
            db.LinkGeneration.campaign_id == campaign_id,
            db.LinkGeneration.form_key == form,
            db.LinkGeneration.unit_key == unit,
        )
    )
    return found or 0


def check(session: Session, campaign_id: int, link: Link, today: dt.date) -> None:
    """Refuse an expired or revoked link (its signature already verified)."""
    if today > link.expires:
        raise LinkRefused(
            Refusal.EXPIRED, f"本表的填报截止于 {link.expires:%Y年%m月%d日}，如需补报请联系组织部门"
        )
    if link.generation != generation(session, campaign_id, link.form, link.unit):
        raise LinkRefused(Refusal.REVOKED, "此链接已被组织部门停用，请使用新发放的链接或二维码")


def revoke(session: Session, campaign_id: int, form: str, unit: str) -> int:
    """Stop every link of (form, unit) signed so far; returns the new generation."""
    row = session.scalar(
        select(db.LinkGeneration).where(
            db.LinkGeneration.campaign_id == campaign_id,
            db.LinkGeneration.form_key == form,
            db.LinkGeneration.unit_key == unit,
        )
    )
    if row is None:
        row = db.LinkGeneration(campaign_id=campaign_id, form_key=form, unit_key=unit, generation=0)
        session.add(row)
    row.generation += 1
    session.flush()
    return row.generation


def expiry(loaded: LoadedCampaign, form_id: str) -> dt.date:
    """The last day a form's links are valid: the latest due date of the measures collected
    with it, plus their phase's (or track's) grace in working days; for a form no measure
    names, the end of the last window (with its grace)."""
    stages = {s.id: s for s in loaded.spec.stages}
    calendar = loaded.calendar
    days: list[dt.date] = []
    for measure in loaded.spec.measures:
        due = loaded.due.get(measure.id)
        if measure.form != form_id or due is None:
            continue
        stage = stages.get(measure.stage or "")
        grace = stage.grace if stage else 0
        days.append(calendar.add_workdays(due, grace) if grace else due)
    if not days:
        for stage in loaded.spec.stages:
            if stage.window:
                end = stage.window[1]
                days.append(calendar.add_workdays(end, stage.grace) if stage.grace else end)
    if not days:
        raise CampaignflowError(f"表单 {form_id} 无法确定填报截止日期：请给相应措施写 due")
    return max(days)


def units_for(loaded: LoadedCampaign, form_id: str) -> list[str]:
    """The units that fill a form: the owners of the measures collected with it (in the
    organisation's order); every unit when no measure names the form."""
    owners: set[str] = set()
    for measure in loaded.spec.measures:
        if measure.form == form_id:
            owners.update(u.id for u in loaded.owner_units(measure))
    return [u.id for u in loaded.units if not owners or u.id in owners]


def link_maker(*, session: Session, loaded: LoadedCampaign, secret: bytes, base: str):
    """`make(measure, unit)`: the unit's current link to the form of `measure` (None for a
    measure with no unit form), signed once per (form, unit)."""
    forms = {
        m.id: m.form
        for m in loaded.spec.measures
        if m.form and loaded.spec.forms[m.form].kind not in ("ballot", "feedback")
    }
    cid = db.campaign_id(session, loaded.spec.campaign.id)
    generations = {
        (row.form_key, row.unit_key): row.generation
        for row in session.scalars(
            select(db.LinkGeneration).where(db.LinkGeneration.campaign_id == cid)
        )
    }
    expires = {form: expiry(loaded, form) for form in set(forms.values())}
    made: dict[tuple[str, str], str] = {}

    def make(measure: str, unit: str) -> str | None:
        form = forms.get(measure)
        if form is None:
            return None
        if (form, unit) not in made:
            link = Link(loaded.spec.campaign.id, form, unit, generations.get((form, unit), 0),
                        expires[form])  # fmt: skip
            made[form, unit] = f"{base.rstrip('/')}/f/{sign(secret, link)}"
        return made[form, unit]

    return make


def reminder_links(engine, loaded: LoadedCampaign):
    """The `link` of reminders when the web forms are served (`CAMPAIGNFLOW_WEB_URL` set: the
    address units reach them at), else None."""
    import os

    from ..settings import data_home
    from .secret import web_secret

    base = os.environ.get(URL_ENV)
    if not base:
        return None
    with db.read_session(engine) as session:
        return link_maker(session=session, loaded=loaded, secret=web_secret(data_home()), base=base)


@dataclass(frozen=True)
class Issued:
    """A link as handed out: who it is for, the form, its address and last day."""

    unit: str  # a unit key, or PUBLIC
    form: str
    url: str
    expires: dt.date


def issue(
    *, session: Session, loaded: LoadedCampaign, secret: bytes, base: str, forms: list[str]
) -> list[Issued]:
    """The current link of every unit that fills each of `forms` (ballot forms have none; a
    feedback form has one public link), at its current generation."""
    cid = db.campaign_id(session, loaded.spec.campaign.id)
    base = base.rstrip("/")
    result = []
    for form in forms:
        kind = loaded.spec.forms[form].kind
        if kind == "ballot":
            continue
        expires = expiry(loaded, form)
        for unit in [PUBLIC] if kind == "feedback" else units_for(loaded, form):
            link = Link(
                loaded.spec.campaign.id, form, unit, generation(session, cid, form, unit), expires
            )
            path = "p" if unit == PUBLIC else "f"
            result.append(Issued(unit, form, f"{base}/{path}/{sign(secret, link)}", expires))
    return result
