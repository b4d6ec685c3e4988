"""The measures' state machine: 销号, 巩固, 长期坚持 and reopening, audit-logged.

A change is written to the measure's submission (the one source of its values) and copied to
its ledger row; a problem's state is never stored — it follows from its measures on any date
(`reconcile`)."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from .. import db
from ..spec import LoadedCampaign
from .states import (
    CONSOLIDATED,
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    STANDING_STATE,
    STATES,
    TRANSITIONS,
    IllegalTransition,
    LedgerError,
    UnknownMeasure,
)


@contextmanager
def _session(session: Session | None, engine: Engine | None):
    if session is not None:
        yield session
    elif engine is not None:
        with db.write_session(engine) as s:
            yield s
    else:
        raise TypeError("session= or engine= is required")


def find_measure(
    session: Session, loaded: LoadedCampaign, code: str, form: str | None = None
) -> db.Rectification:
    """The rectification measure `code` of the campaign (of `form` when several forms have it)."""
    cid = db.campaign_id(session, loaded.spec.campaign.id)
    query = (
        select(db.Rectification, db.Form.key)
        .join(db.Form, db.Form.id == db.Rectification.form_id)
        .where(db.Rectification.campaign_id == cid, db.Rectification.code == code)
    )
    if form is not None:
        query = query.where(db.Form.key == form)
    found = session.execute(query).all()
    if not found:
        raise UnknownMeasure(f"找不到整改措施 {code}：请检查措施编号，或先导入整改清单")
    if len(found) > 1:
        forms = "、".join(k for _, k in found)
        raise UnknownMeasure(f"措施编号 {code} 在多个整改清单中都有（{forms}）：请指明表单")
    return found[0][0]


def _illegal(m: db.Rectification, to: str, why: str = "") -> IllegalTransition:
    allowed = "、".join(TRANSITIONS.get(m.state, ())) or "无"
    return IllegalTransition(
        f"整改措施 {m.code} 当前为“{m.state}”，不能改为“{to}”"
        + (f"：{why}" if why else f"（当前状态只能改为：{allowed}）")
    )


def transition(
    *,
    session: Session,
    measure: db.Rectification,
    to: str,
    on: dt.date,
    actor: str,
    evidence: str | None = None,
    reviewer: str | None = None,
    reason: str | None = None,
) -> db.AuditEntry | None:
    """Move `measure` to state `to`, checking the rules (see `campaignflow.ledger`); audit-logged.

    Raises `IllegalTransition` with a message for the user.
    """
    if to not in STATES:
        raise IllegalTransition(f"未知状态“{to}”（可选：{'、'.join(STATES)}）")
    if to == measure.state:
        raise _illegal(measure, to, f"已经是“{to}”")
    if to not in TRANSITIONS.get(measure.state, ()):
        raise _illegal(measure, to)
    values: dict = {"state": to}
    extra: dict = {}
    if to == DONE:
        evidence = (evidence or "").strip()
        reviewer = (reviewer or "").strip()
        if not evidence:
            raise _illegal(measure, to, "销号须提供佐证材料（文字说明或文件）")
        if not reviewer:
            raise _illegal(measure, to, "销号须写明审核人")
        if measure.owner_person and reviewer == measure.owner_person.strip():
            raise _illegal(measure, to, f"审核人不能是责任人本人（{reviewer}）")
        found_on = session.get(db.Problem, measure.problem_id).found_on
        if found_on and on < found_on:
            raise _illegal(measure, to, f"销号日期 {on} 早于问题发现日期 {found_on}")
        values |= {"evidence": evidence, "reviewer": reviewer, "closed_on": on}
    elif to == CONSOLIDATED:
        if measure.review_on is None:
            raise _illegal(measure, to, "尚未确定巩固复查日期（review_on）")
        if on < measure.review_on:
            raise _illegal(measure, to, f"巩固复查日期 {measure.review_on} 未到")
    elif to == IN_PROGRESS and measure.state in (DONE, CONSOLIDATED, STANDING_STATE):
        reason = (reason or "").strip()
        if not reason:
            raise _illegal(measure, to, "重新整改须说明原因")
        note = f"{on.isoformat()} 重新整改：{reason}"
        values |= {
            "closed_on": None,
            "note": f"{measure.note}；{note}" if measure.note else note,
        }
        extra["reason"] = reason
    entry = _write(session, measure, values, actor)
    if entry is not None:
        entry.after = {**(entry.after or {}), **extra, "on": on.isoformat()}
    session.flush()
    return entry


def _write(
    session: Session, measure: db.Rectification, values: dict, actor: str
) -> db.AuditEntry | None:
    """Set `values` on the measure's submission (the one source) and on its ledger row (a typed
    copy), audited once. Dates are stored in the submission as ISO text."""
    submission = session.get(db.Submission, measure.submission_id)
    data = dict(submission.data or {})
    for column, value in values.items():
        data[column] = db.jsonable(value)
    submission.data = data
    submission.status = data.get("state")
    submission.updated_at = db.utcnow()
    return db.update_audited(
        session=session,
        row=measure,
        values=values,
        entity_key=measure.code,
        actor=actor,
        action="state",
    )


def _change(
    *,
    session: Session | None,
    engine: Engine | None,
    loaded: LoadedCampaign,
    code: str,
    to: str,
    on: dt.date,
    actor: str,
    form: str | None = None,
    **kwargs,
) -> db.Rectification:
    only_from = kwargs.pop("only_from", None)
    with _session(session, engine) as s:
        measure = find_measure(s, loaded, code, form)
        if only_from and measure.state not in only_from:
            raise _illegal(measure, to, f"只有“{'、'.join(only_from)}”的措施可以这样改")
        transition(session=s, measure=measure, to=to, on=on, actor=actor, **kwargs)
        return measure


def start_measure(
    *, loaded: LoadedCampaign, code: str, on: dt.date, actor: str,
    session: Session | None = None, engine: Engine | None = None, form: str | None = None,
) -> db.Rectification:  # fmt: skip
    """未启动 → 整改中."""
    return _change(session=session, engine=engine, loaded=loaded, code=code, to=IN_PROGRESS,
                   on=on, actor=actor, form=form, only_from=(NOT_STARTED,))  # fmt: skip


def evidence_text(evidence: str | None = None, file: Path | str | None = None) -> str:
    """Evidence as stored: the text, and `文件：<path>` for a file (which must exist)."""
    parts = [evidence.strip()] if evidence and evidence.strip() else []
    if file is not None:
        path = Path(file)
        if not path.is_file():
            raise LedgerError(f"佐证材料文件不存在：{path}")
        parts.append(f"文件：{path}")
    return "；".join(parts)


def close_measure(
    *, loaded: LoadedCampaign, code: str, evidence: str, reviewer: str, on: dt.date,
    actor: str | None = None, session: Session | None = None, engine: Engine | None = None,
    form: str | None = None,
) -> db.Rectification:  # fmt: skip
    """销号: → 已完成 with evidence and a reviewer other than the 责任人."""
    return _change(session=session, engine=engine, loaded=loaded, code=code, to=DONE, on=on,
                   actor=actor or reviewer, form=form, evidence=evidence, reviewer=reviewer)  # fmt: skip


def reopen_measure(
    *, loaded: LoadedCampaign, code: str, reason: str, on: dt.date, actor: str,
    session: Session | None = None, engine: Engine | None = None, form: str | None = None,
) -> db.Rectification:  # fmt: skip
    """已完成/巩固/长期坚持 → 整改中, with a reason (noted on the measure and in the audit log)."""
    return _change(session=session, engine=engine, loaded=loaded, code=code, to=IN_PROGRESS,
                   on=on, actor=actor, form=form, reason=reason,
                   only_from=(DONE, CONSOLIDATED, STANDING_STATE))  # fmt: skip


def consolidate_measure(
    *, loaded: LoadedCampaign, code: str, on: dt.date, actor: str,
    session: Session | None = None, engine: Engine | None = None, form: str | None = None,
) -> db.Rectification:  # fmt: skip
    """已完成 → 巩固, on or after its review date."""
    return _change(session=session, engine=engine, loaded=loaded, code=code, to=CONSOLIDATED,
                   on=on, actor=actor, form=form)  # fmt: skip


def mark_standing(
    *, loaded: LoadedCampaign, code: str, on: dt.date, actor: str,
    session: Session | None = None, engine: Engine | None = None, form: str | None = None,
) -> db.Rectification:  # fmt: skip
    """→ 长期坚持 (a standing measure: never 销号, does not keep its problem open)."""
    return _change(session=session, engine=engine, loaded=loaded, code=code, to=STANDING_STATE,
                   on=on, actor=actor, form=form)  # fmt: skip


def consolidate_due(
    *, loaded: LoadedCampaign, as_of: dt.date, actor: str,
    session: Session | None = None, engine: Engine | None = None,
) -> list[str]:  # fmt: skip
    """巩固 every 已完成 measure whose review date has come; the codes changed."""
    with _session(session, engine) as s:
        cid = db.campaign_id(s, loaded.spec.campaign.id)
        due = s.scalars(
            select(db.Rectification)
            .where(
                db.Rectification.campaign_id == cid,
                db.Rectification.state == DONE,
                db.Rectification.review_on.is_not(None),
                db.Rectification.review_on <= as_of,
            )
            .order_by(db.Rectification.code)
        ).all()
        for m in due:
            transition(session=s, measure=m, to=CONSOLIDATED, on=as_of, actor=actor)
        return [m.code for m in due]
