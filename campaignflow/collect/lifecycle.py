"""The life of a form's rows after they are written: withdrawn by a replacing filing or on
request, restored, and the history of it all.

A withdrawn row (`submission.archived`, with the filing that withdrew it) is kept, audited and
restorable, and never counts: its ledger, activity or ballot row is removed, and put back from
the row's values when it is restored. Withdrawing a problem withdraws its rectification
measures with it (a measure of no problem would count in one figure and not in another);
restoring the problem brings them back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, delete, false, func, or_, select, update
from sqlalchemy.orm import Session

from .. import db
from ..errors import CampaignflowError
from ..spec import LoadedCampaign
from .projections import project, typed_values

MODE_LABELS = {"replace": "替换", "append": "追加", "withdraw": "撤回", "restore": "恢复"}
CHUNK = 5000

_S = db.Submission


class LifecycleError(CampaignflowError, ValueError):
    """A withdrawal or restore that cannot be done (unknown form, unit or filing)."""


@dataclass
class Withdrawn:
    """Rows withdrawn (or restored) in one go: per form key, the count (cascades included)."""

    by_form: dict[str, int] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)

    def add(self, form: db.Form, n: int) -> None:
        if n:
            self.by_form[form.key] = self.by_form.get(form.key, 0) + n
            self.titles[form.key] = form.title

    def own(self, form: str) -> int:
        return self.by_form.get(form, 0)

    def cascaded(self, form: str) -> dict[str, int]:
        """Form title -> count, for the forms other than `form`."""
        return {self.titles[k]: n for k, n in self.by_form.items() if k != form}


def scope_condition(scope: Iterable[int | None] | None):
    """SQL condition on `submission.scope_unit_id` for a scope (None: the whole form)."""
    if scope is None:
        return None
    ids = sorted({s for s in scope if s is not None})
    parts = []
    if ids:
        parts.append(_S.scope_unit_id.in_(ids))
    if None in set(scope):
        parts.append(_S.scope_unit_id.is_(None))
    return or_(*parts) if parts else false()


def withdraw_rows(
    session: Session,
    *,
    form: db.Form,
    filing: db.Filing,
    scope: Iterable[int | None] | None,
    keep: set[str] | None,
    actor: str,
    now: dt.datetime,
) -> Withdrawn:
    """Withdraw the form's active rows of `scope` — all but the natural keys in `keep` (what a
    replacing filing carries) — with their cascades; one audit row per row."""
    condition = [_S.form_id == form.id, _S.archived.is_(False)]
    where = scope_condition(scope)
    if where is not None:
        condition.append(where)
    session.flush()
    rows = [
        (id_, key)
        for id_, key in session.execute(select(_S.id, _S.natural_key).where(*condition))
        if keep is None or key not in keep
    ]
    result = Withdrawn()
    _withdraw_ids(session, form, rows, filing, actor, now, result)
    return result


def _withdraw_ids(
    session: Session,
    form: db.Form,
    rows: list[tuple[int, str]],
    filing: db.Filing,
    actor: str,
    now: dt.datetime,
    result: Withdrawn,
) -> None:
    if not rows:
        return
    ids = [id_ for id_, _ in rows]
    if form.kind == "problem":  # their measures first, while the problems still join
        for fix_form, fixes in _measures_of(session, ids):
            _withdraw_ids(session, fix_form, fixes, filing, actor, now, result)
    for part in _chunks(ids):
        session.execute(
            update(_S)
            .where(_S.id.in_(part))
            .values(archived=True, withdrawn_by_id=filing.id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    _unproject(session, form, ids, [key for _, key in rows])
    _audit(session, form, rows, "withdraw", filing, actor, now)
    result.add(form, len(rows))


def _measures_of(session: Session, problem_submissions: list[int]):
    """(rectification form, [(submission id, key)]) of the active measures of these problems."""
    found: dict[int, list[tuple[int, str]]] = {}
    for part in _chunks(problem_submissions):
        problems = select(db.Problem.id).where(db.Problem.submission_id.in_(part))
        for form_id, id_, key in session.execute(
            select(_S.form_id, _S.id, _S.natural_key)
            .join(db.Rectification, db.Rectification.submission_id == _S.id)
            .where(db.Rectification.problem_id.in_(problems), _S.archived.is_(False))
        ):
            found.setdefault(form_id, []).append((id_, key))
    return [(session.get(db.Form, form_id), rows) for form_id, rows in sorted(found.items())]


_MODELS = {
    "problem": db.Problem,
    "rectification": db.Rectification,
    "activity": db.Activity,
    "feedback": db.FeedbackItem,
}


def _unproject(session: Session, form: db.Form, ids: list[int], keys: list[str]) -> None:
    """Remove the ledger/activity/feedback/ballot rows of withdrawn submissions."""
    if form.kind == "ballot":
        rounds = select(db.EvaluationRound.id).where(db.EvaluationRound.form_id == form.id)
        for part in _chunks(keys):
            session.execute(
                delete(db.Ballot).where(
                    db.Ballot.round_id.in_(rounds), db.Ballot.paper_key.in_(part)
                )
            )
        return
    model = _MODELS.get(form.kind)
    if model is None:
        return
    for part in _chunks(ids):
        if model is db.Activity:
            activities = select(db.Activity.id).where(db.Activity.submission_id.in_(part))
            session.execute(delete(db.Attendance).where(db.Attendance.activity_id.in_(activities)))
        session.execute(delete(model).where(model.submission_id.in_(part)))


def _audit(
    session: Session,
    form: db.Form,
    rows: list[tuple[int, str]],
    action: str,
    filing: db.Filing,
    actor: str,
    now: dt.datetime,
) -> None:
    from sqlalchemy import insert

    session.execute(
        insert(db.AuditEntry.__table__),
        [
            {
                "campaign_id": form.campaign_id,
                "entity": "submission",
                "entity_key": f"{form.key}:{key}",
                "action": action,
                "before": None,
                "after": {"filing": filing.id},
                "at": now,
                "actor": actor,
            }
            for _, key in rows
        ],
    )


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


# ---------------------------------------------------------------- withdraw and restore on request


@dataclass
class LifecycleResult:
    """What a withdrawal or restore did (the filing it recorded, and the counts)."""

    filing: int
    form: str
    title: str
    scope: str  # what it covered, as shown
    mode: str
    rows: Withdrawn = field(default_factory=Withdrawn)
    skipped: int = 0  # rows not restored: their problem is withdrawn

    def summary(self) -> str:
        label = MODE_LABELS[self.mode]
        own = self.rows.own(self.form)
        text = f"{label} {self.scope} 的 {self.title} 记录：{label} {own} 条（填报记录 #{self.filing}）"
        extra = "、".join(f"{k} {n} 条" for k, n in self.rows.cascaded(self.form).items())
        if extra:
            text += f"；连带{label}：{extra}"
        if self.skipped:
            text += f"；{self.skipped} 条整改措施的问题仍处于撤回状态，未恢复"
        return text


def _form_row(session: Session, campaign: db.Campaign, loaded: LoadedCampaign, form_id: str):
    form = session.scalar(
        select(db.Form).where(db.Form.campaign_id == campaign.id, db.Form.key == form_id)
    )
    if form is None or form_id not in loaded.spec.forms:
        known = "、".join(f"{k}（{f.title}）" for k, f in loaded.spec.forms.items())
        raise LifecycleError(f"活动中没有表单 {form_id}（可选：{known}）")
    return form


def _unit_ids(session: Session, campaign: db.Campaign, names: list[str]) -> dict[int, str]:
    rows = session.execute(
        select(db.Unit.id, db.Unit.key, db.Unit.name).where(db.Unit.campaign_id == campaign.id)
    ).all()
    by_name = {key: (id_, name) for id_, key, name in rows} | {
        name: (id_, name) for id_, _key, name in rows
    }
    found = {}
    for name in names:
        if name not in by_name:
            raise LifecycleError(f"没有单位“{name}”：请写单位编号或名称（见活动方案 units）")
        id_, shown = by_name[name]
        found[id_] = shown
    return found


def withdraw(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    form_id: str,
    units: list[str] | None,
    actor: str,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> LifecycleResult:
    """Withdraw the current rows of `form_id` sent by `units` (None: every row of the form)."""
    now = now or db.utcnow()
    with db.write_session(engine) as session:
        campaign = db.find_campaign(session, loaded.spec.campaign.id)
        form = _form_row(session, campaign, loaded, form_id)
        names = _unit_ids(session, campaign, units) if units is not None else None
        scope = None if names is None else sorted(_keys(session, names))
        filing = _command_filing(
            session, campaign, form, "withdraw", actor, now, scope=scope, note=reason
        )
        rows = withdraw_rows(
            session,
            form=form,
            filing=filing,
            scope=None if names is None else list(names),
            keep=None,
            actor=actor,
            now=now,
        )
        filing.withdrawn = rows.own(form.key)
        shown = "全部单位" if names is None else scope_text(list(names.values()))
        return LifecycleResult(filing.id, form.key, form.title, shown, "withdraw", rows)


def _command_filing(
    session: Session,
    campaign: db.Campaign,
    form: db.Form,
    mode: str,
    actor: str,
    now: dt.datetime,
    **fields: object,
) -> db.Filing:
    """A filing made by a command (`withdraw`, `restore`) rather than a file, flushed so that it
    has its number."""
    filing = db.Filing(
        campaign_id=campaign.id,
        form_id=form.id,
        mode=mode,
        channel="命令",
        source=None,
        actor=actor,
        at=now,
        **fields,
    )
    session.add(filing)
    session.flush()
    return filing


def _keys(session: Session, ids: dict[int, str]) -> list[str]:
    return list(session.scalars(select(db.Unit.key).where(db.Unit.id.in_(list(ids)))))


def restore(
    *,
    engine: Engine,
    loaded: LoadedCampaign,
    filing_id: int,
    actor: str,
    now: dt.datetime | None = None,
) -> LifecycleResult:
    """Bring back the rows filing `filing_id` withdrew (its cascades included) that are still
    withdrawn; a measure whose problem is withdrawn stays withdrawn (and is counted)."""
    now = now or db.utcnow()
    with db.write_session(engine) as session:
        campaign = db.find_campaign(session, loaded.spec.campaign.id)
        old = session.get(db.Filing, filing_id)
        if old is None or old.campaign_id != campaign.id:
            raise LifecycleError(f"没有填报记录 #{filing_id}：请用 campaignflow history 查看编号")
        form = session.get(db.Form, old.form_id)
        filing = _command_filing(
            session, campaign, form, "restore", actor, now, scope=old.scope, restores_id=old.id
        )
        result = LifecycleResult(filing.id, form.key, form.title, "", "restore")
        forms = {
            f.id: f
            for f in session.scalars(select(db.Form).where(db.Form.campaign_id == campaign.id))
        }
        withdrawn = session.execute(
            select(_S.id, _S.form_id, _S.natural_key).where(
                _S.withdrawn_by_id == old.id, _S.archived.is_(True)
            )
        ).all()
        order = {"problem": 0, "rectification": 2}
        by_form: dict[int, list[tuple[int, str]]] = {}
        for id_, form_id, key in withdrawn:
            by_form.setdefault(form_id, []).append((id_, key))
        for form_id in sorted(by_form, key=lambda f: (order.get(forms[f].kind, 1), f)):
            restored, skipped = _restore_rows(
                session, loaded, forms[form_id], by_form[form_id], filing, actor, now
            )
            result.rows.add(forms[form_id], restored)
            result.skipped += skipped
        filing.restored = result.rows.own(form.key)
        result.scope = _scope_text(session, campaign.id, old.scope)
        return result


def _restore_rows(
    session: Session,
    loaded: LoadedCampaign,
    form: db.Form,
    rows: list[tuple[int, str]],
    filing: db.Filing,
    actor: str,
    now: dt.datetime,
) -> tuple[int, int]:
    ids = [id_ for id_, _ in rows]
    subs = {
        s.id: s for part in _chunks(ids) for s in session.scalars(select(_S).where(_S.id.in_(part)))
    }
    skipped = 0
    if form.kind == "rectification":  # only measures whose problem is active again
        codes = {str((subs[i].data or {}).get("problem")) for i in ids}
        problem_form = session.scalar(
            select(db.Form.id).where(
                db.Form.campaign_id == form.campaign_id, db.Form.key == form.of_form
            )
        )
        active = set(
            session.scalars(
                select(db.Problem.code).where(
                    db.Problem.form_id == problem_form, db.Problem.code.in_(codes)
                )
            )
        )
        keep = [(i, k) for i, k in rows if str(subs[i].data.get("problem")) in active]
        skipped, rows = len(rows) - len(keep), keep
    if not rows:
        return 0, skipped
    fields = loaded.form_fields(form.key) if form.key in loaded.spec.forms else {}
    touched = []
    for id_, _ in rows:
        sub = subs[id_]
        sub.archived, sub.withdrawn_by_id, sub.updated_at = False, None, now
        touched.append((sub, typed_values(fields, sub.data)))
    session.flush()
    units, people = _maps(session, form.campaign_id)
    project(
        session=session,
        kind=form.kind,
        form=form,
        campaign_id=form.campaign_id,
        rows=touched,
        units=units,
        people=people,
    )
    _audit(session, form, rows, "restore", filing, actor, now)
    return len(rows), skipped


def _maps(session: Session, campaign_id: int) -> tuple[dict[str, int], dict[str, int]]:
    units = db.key_map(session, db.Unit.key, db.Unit.id, campaign_id)
    return units, db.key_map(session, db.Person.key, db.Person.id, campaign_id)


def _scope_text(session: Session, campaign_id: int, scope: list[Any] | None) -> str:
    """`局机关党支部、审计业务党支部 ` or `全部单位` (as the summary shows a scope)."""
    if scope is None:
        return "全部单位"
    names = dict(
        session.execute(
            select(db.Unit.key, db.Unit.name).where(
                db.Unit.campaign_id == campaign_id, db.Unit.key.in_([s for s in scope if s])
            )
        ).all()
    )
    return scope_text([names.get(s, s) if s else "（未填单位）" for s in scope])


def scope_text(names: list[str]) -> str:
    """How a scope is named in a summary: up to three units by name, else how many."""
    if not names:
        return "全部单位"
    if len(names) <= 3:
        return "、".join(names)
    return f"{len(names)} 个单位"


# ---------------------------------------------------------------- history


@dataclass(frozen=True)
class FilingLine:
    """One filing as `campaignflow history` shows it."""

    id: int
    at: dt.datetime
    mode: str  # 替换 / 追加 / 撤回 / 恢复
    channel: str
    source: str
    scope: str
    inserted: int
    updated: int
    unchanged: int
    withdrawn: int
    restored: int
    actor: str
    note: str


@dataclass(frozen=True)
class WithdrawnRow:
    """A row withdrawn now: how it is known, its unit, and the filing that withdrew it."""

    key: str
    label: str  # the row's first values, for a person to recognise it
    unit: str
    by: int


@dataclass
class History:
    form: str
    title: str
    filings: list[FilingLine] = field(default_factory=list)
    withdrawn: list[WithdrawnRow] = field(default_factory=list)
    withdrawn_total: int = 0


def history(*, engine: Engine, loaded: LoadedCampaign, form_id: str, limit: int = 200) -> History:
    """The filings of `form_id`, newest first, and the rows it has withdrawn now (up to
    `limit`, with the total)."""
    with db.read_session(engine) as session:
        campaign = db.find_campaign(session, loaded.spec.campaign.id)
        form = _form_row(session, campaign, loaded, form_id)
        result = History(form.key, form.title)
        for f in session.scalars(
            select(db.Filing).where(db.Filing.form_id == form.id).order_by(db.Filing.id.desc())
        ):
            result.filings.append(
                FilingLine(
                    f.id, f.at, MODE_LABELS.get(f.mode, f.mode), f.channel, f.source or "",
                    _scope_text(session, campaign.id, f.scope), f.inserted, f.updated,
                    f.unchanged, f.withdrawn, f.restored, f.actor, f.note or "",
                )
            )  # fmt: skip
        names = dict(
            session.execute(
                select(db.Unit.id, db.Unit.name).where(db.Unit.campaign_id == campaign.id)
            ).all()
        )
        condition = [_S.form_id == form.id, _S.archived.is_(True)]
        result.withdrawn_total = session.scalar(select(func.count()).where(*condition)) or 0
        fields = loaded.form_fields(form_id) if form_id in loaded.spec.forms else {}
        shown_as = {u.id: u.name for u in loaded.units} | {p.id: p.name for p in loaded.people}
        for key, data, unit, by in session.execute(
            select(_S.natural_key, _S.data, _S.scope_unit_id, _S.withdrawn_by_id)
            .where(*condition)
            .order_by(_S.id)
            .limit(limit)
        ):
            shown = [
                shown_as.get(str(data[f]), str(data[f])) if spec.type in ("unit", "person")
                else str(data[f])
                for f, spec in fields.items()
                if data.get(f) not in (None, "")
            ][:3]  # fmt: skip
            result.withdrawn.append(
                WithdrawnRow(key, " | ".join(shown), names.get(unit, "（未填单位）"), by or 0)
            )
        return result
