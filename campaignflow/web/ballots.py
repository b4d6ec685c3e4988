"""民主测评 on the web: one-time codes handed out on paper slips, and a sealed ballot box.

- A code is 10 characters (50 random bits), printed as ABCDE-FGHJK. The database keeps only its
  keyed hash, its rater group and a spent flag: nothing ties a code to a name, and a spent code
  to a ballot.
- Spending is one conditional UPDATE (`spent = false` → `true`) in the transaction that seals
  the paper: of many simultaneous uses of one code exactly one succeeds, on SQLite and
  PostgreSQL alike.
- A sealed paper has a random key, the day, the rater group and the marks — no code, address,
  browser or time of day. The round's papers stay out of the ballot form (so out of every
  metric and report) until `close_round`, which moves them in, shuffled.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, select, update

from .. import db
from ..calendar import today
from ..collect.rows import ParsedRow
from ..collect.store import SubmissionWriter
from ..errors import CampaignflowError
from ..spec import LoadedCampaign
from ..spec.kinds import ballot_grades, ballot_indicators
from ..spec.models import Person
from .secret import keyed

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 10
MAX_CODES = 5000  # per command
CHANNEL = "网页测评"
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


class CodeRefused(enum.Enum):
    """Why a code is refused; the value is the page's title."""

    UNKNOWN = "测评码无效"
    USED = "测评码已使用"
    CLOSED = "测评已结束"


class BallotError(CampaignflowError, ValueError):
    def __init__(self, reason: CodeRefused | None, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def new_code() -> str:
    text = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{text[:5]}-{text[5:]}"


def normalise(code: str) -> str:
    """A code as typed (lower case, spaces, O for 0 …) in its printed form, or ''."""
    text = "".join(c for c in code.upper() if c.isalnum()).translate(_READS_AS)
    if len(text) != CODE_LENGTH or any(c not in ALPHABET for c in text):
        return ""
    return f"{text[:5]}-{text[5:]}"


def digest(secret: bytes, code: str) -> str:
    return keyed(secret, "ballot-code", code).hex()


def subjects(loaded: LoadedCampaign) -> list[Person]:
    """Who a paper evaluates: the campaign's cadres (every person when none is marked)."""
    cadres = [p for p in loaded.people if p.cadre]
    return cadres or list(loaded.people)


def _round(session, loaded: LoadedCampaign, form_id: str, key: str, create: bool = False):
    campaign = db.find_campaign(session, loaded.spec.campaign.id)
    form = session.scalar(
        select(db.Form).where(db.Form.campaign_id == campaign.id, db.Form.key == form_id)
    )
    if form is None:
        raise BallotError(None, f"表单 {form_id} 尚未同步到数据库：请先运行 campaignflow sync")
    found = session.scalar(
        select(db.EvaluationRound).where(
            db.EvaluationRound.form_id == form.id, db.EvaluationRound.key == key
        )
    )
    if found is None and create:
        found = db.EvaluationRound(
            campaign_id=campaign.id, form_id=form.id, key=key, title=key, headcount={}
        )
        session.add(found)
        session.flush()
    if found is None:
        raise BallotError(None, f"测评轮次“{key}”不存在：先用 campaignflow ballot-codes 发放测评码")
    return found


def issue_codes(
    *, engine: Engine, loaded: LoadedCampaign, secret: bytes, form_id: str, round_key: str,
    group: str | None, count: int,
) -> list[str]:  # fmt: skip
    """`count` new codes of `group` for the round (made when missing); returns them — the only
    time they exist in clear."""
    form = loaded.spec.forms[form_id]
    groups = list(form.evaluation.rater_groups) if form.evaluation else []
    if groups and group not in groups:
        raise BallotError(None, f"测评人类别应为以下之一：{'、'.join(groups)}；而不是“{group}”")
    if not 1 <= count <= MAX_CODES:
        raise BallotError(None, f"一次发放 1 至 {MAX_CODES} 个测评码，而不是 {count}")
    codes = sorted({new_code() for _ in range(count)})
    while len(codes) < count:  # 50 bits: a repeat is all but impossible, but not quite
        codes = sorted(set(codes) | {new_code()})
    with db.write_session(engine) as session:
        rnd = _round(session, loaded, form_id, round_key, create=True)
        if rnd.state == "closed":
            raise BallotError(CodeRefused.CLOSED, f"测评轮次“{round_key}”已结束，不能再发放测评码")
        session.execute(
            db.BallotCode.__table__.insert(),
            [{"digest": digest(secret, c), "round_id": rnd.id, "rater_group": group, "spent": False}
             for c in codes],
        )  # fmt: skip
    return codes


@dataclass(frozen=True)
class OpenCode:
    round_key: str
    rater_group: str | None


def look_up(engine: Engine, loaded: LoadedCampaign, secret: bytes, form_id: str, code: str):
    """The round and group of an unspent code of an open round; BallotError otherwise."""
    text = normalise(code)
    with db.read_session(engine) as session:
        row = _code(session, loaded, form_id, digest(secret, text)) if text else None
    _refuse(row)
    return OpenCode(row[2].key, row[1])


def _code(session, loaded: LoadedCampaign, form_id: str, key: str):
    """(spent, rater group, round) of the code with digest `key` — of this campaign's form only."""
    C, R = db.BallotCode, db.EvaluationRound
    return session.execute(
        select(C.spent, C.rater_group, R)
        .join(R, R.id == C.round_id)
        .join(db.Form, db.Form.id == R.form_id)
        .join(db.Campaign, db.Campaign.id == db.Form.campaign_id)
        .where(C.digest == key, db.Form.key == form_id, db.Campaign.key == loaded.spec.campaign.id)
    ).first()


def _refuse(row) -> None:
    if row is None:
        raise BallotError(CodeRefused.UNKNOWN, "请核对测评码（10 位字母和数字，如 7K3M9-P2X4Q）")
    spent, _, rnd = row
    if rnd.state == "closed":
        raise BallotError(CodeRefused.CLOSED, f"测评轮次“{rnd.key}”已结束，感谢参与")
    if spent:
        raise BallotError(CodeRefused.USED, "每个测评码只能投票一次；此码已经投过票")


def read_paper(loaded: LoadedCampaign, form_id: str, posted: dict[str, str]):
    """(marks in the subjects' order, {subject id: message}) of a posted paper."""
    form = loaded.spec.forms[form_id]
    grades = ballot_grades(form)
    indicators = [i.id for i in ballot_indicators(form)]
    marks, problems = [], {}
    for person in subjects(loaded):
        grade = (posted.get(f"g.{person.id}") or "").strip()
        if grade not in grades:
            problems[person.id] = "请选择总体评价" if not grade else f"评价“{grade}”不在可选范围内"
            continue
        mark: dict[str, Any] = {"subject": person.id, "grade": grade}
        for ind in indicators:
            mark[ind] = posted.get(f"i.{person.id}.{ind}") in ("1", "on")
        marks.append(mark)
    return marks, problems


def spend(
    *, engine: Engine, loaded: LoadedCampaign, secret: bytes, form_id: str, code: str,
    marks: list[dict[str, Any]], on: dt.date | None = None,
) -> None:  # fmt: skip
    """Spend `code` and seal its paper, in one transaction; BallotError when it cannot be."""
    text = normalise(code)
    key = digest(secret, text) if text else ""
    C = db.BallotCode
    with db.write_session(engine) as session:
        row = _code(session, loaded, form_id, key) if text else None
        _refuse(row)
        spent = session.execute(
            update(C).where(C.digest == key, C.spent.is_(False)).values(spent=True)
        )
        if spent.rowcount != 1:  # another request spent it between the read and now
            raise BallotError(CodeRefused.USED, "每个测评码只能投票一次；此码已经投过票")
        session.add(
            db.SealedPaper(
                key=secrets.token_hex(16),
                round_id=row[2].id,
                cast_on=on or today(loaded.spec.campaign.timezone),
                rater_group=row[1],
                marks=marks,
            )
        )


def turnout(engine: Engine, loaded: LoadedCampaign, form_id: str, round_key: str):
    """{rater group: (spent, issued)} of the round's codes — counts only."""
    C = db.BallotCode
    with db.read_session(engine) as session:
        rnd = _round(session, loaded, form_id, round_key)
        rows = session.execute(
            select(C.rater_group, C.spent, func.count())
            .where(C.round_id == rnd.id)
            .group_by(C.rater_group, C.spent)
        ).all()
    issued, spent = Counter(), Counter()
    for group, used, n in rows:
        issued[group] += n
        if used:
            spent[group] += n
    return {g: (spent[g], issued[g]) for g in issued}


def close_round(
    *, engine: Engine, loaded: LoadedCampaign, form_id: str, round_key: str, actor: str
) -> int:
    """Close the round: no more ballots; its sealed papers move into the ballot form in a
    random order, one row per subject. Returns the papers moved."""
    shuffle = secrets.SystemRandom().shuffle
    with db.write_session(engine) as session:
        rnd = _round(session, loaded, form_id, round_key)
        if rnd.state == "closed":
            raise BallotError(CodeRefused.CLOSED, f"测评轮次“{round_key}”已经结束")
        papers = list(
            session.scalars(select(db.SealedPaper).where(db.SealedPaper.round_id == rnd.id))
        )
        shuffle(papers)
        rows = []
        for paper in papers:
            for mark in paper.marks:
                values = {"round": round_key, "rater_group": paper.rater_group, **mark}
                key = f"网测-{paper.key[:20]}-{mark['subject']}"
                rows.append(ParsedRow(row=0, key=key, values=values))
        if rows:
            writer = SubmissionWriter(
                session=session, loaded=loaded, form_id=form_id, source=f"网页测评（{round_key}）",
                sheet="网页", actor=actor, mode="append", channel=CHANNEL,
            )  # fmt: skip
            writer.write(rows)
            writer.finish()
        session.execute(delete(db.SealedPaper).where(db.SealedPaper.round_id == rnd.id))
        rnd.state = "closed"
    return len(papers)
