"""民主测评 on the web: codes spent once (also 50 at a time), papers sealed without any trace
of the rater, results only after the round is closed — against the running app, SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select, text
from web_support import SECRET, csrf_of

from campaignflow import db
from campaignflow.web import ballots

ROUND = "2023年度"


def _issue(app, group="班子成员", n=3) -> list[str]:
    return ballots.issue_codes(engine=app.engine, loaded=app.loaded, secret=SECRET,
                               form_id="ballots", round_key=ROUND, group=group, count=n)  # fmt: skip


def _paper(app, grade="称职") -> dict[str, str]:
    data = {f"g.{p.id}": grade for p in ballots.subjects(app.loaded)}
    data["i." + ballots.subjects(app.loaded)[0].id + ".idle"] = "1"
    return data


def _cast(client, app, code: str, paper: dict[str, str]):
    page = client.get(f"/b/{app.loaded.spec.campaign.id}/ballots/{code}")
    assert page.status_code == 200, page.text
    return client.post(f"/b/{app.loaded.spec.campaign.id}/ballots",
                       data={"csrf": csrf_of(page.text), "code": code, "action": "cast", **paper})  # fmt: skip


def _ballot_rows(app) -> int:
    with db.read_session(app.engine) as session:
        return session.scalar(
            select(func.count()).select_from(db.Submission).join(db.Form).where(db.Form.key == "ballots")
        )  # fmt: skip


def test_a_code_votes_once_and_the_paper_is_sealed_until_the_round_closes(served, caplog):
    caplog.set_level(logging.DEBUG)
    app = served("tangping-review-2023", dt.date(2023, 11, 1))
    codes = _issue(app)
    people = ballots.subjects(app.loaded)
    with app.client() as client:
        first = _cast(client, app, codes[0].lower().replace("-", " "), _paper(app))  # as typed
        assert first.status_code == 200 and "投票成功" in first.text
        again = client.get(f"/b/{app.loaded.spec.campaign.id}/ballots/{codes[0]}")
        assert again.status_code == 409 and "测评码已使用" in again.text
        # a paper missing one grade is refused, the code stays unspent
        partial = _paper(app)
        partial.pop(f"g.{people[-1].id}")
        reply = _cast(client, app, codes[1], partial)
        assert reply.status_code == 400 and "还有 1 人未评价" in reply.text
        assert (
            "测评码无效" in client.get(f"/b/{app.loaded.spec.campaign.id}/ballots/ZZZZZ-ZZZZZ").text
        )
        assert _cast(client, app, codes[1], _paper(app, "优秀")).status_code == 200
    assert ballots.turnout(app.engine, app.loaded, "ballots", ROUND) == {"班子成员": (2, 3)}
    assert _ballot_rows(app) == 0  # sealed: no metric or report sees them yet
    with db.read_session(app.engine) as session:
        papers = session.scalars(select(db.SealedPaper)).all()
        stored = " ".join(
            str(row) for table in ("ballot_code", "sealed_paper")
            for row in session.execute(text(f"SELECT * FROM {table}"))
        )  # fmt: skip
    assert len(papers) == 2 and {p.cast_on for p in papers} == {dt.date(2023, 11, 1)}
    assert all(len(p.key) == 32 for p in papers)
    server_log = "\n".join(  # what the server side logged (the test's own client aside)
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))
    )
    for code in codes:  # no code in clear, in the tables or in any log line
        assert code not in stored and code.replace("-", "") not in stored
        assert code not in server_log
    assert "127.0.0.1" not in stored and "python-httpx" not in stored
    moved = ballots.close_round(engine=app.engine, loaded=app.loaded, form_id="ballots",
                                round_key=ROUND, actor="test")  # fmt: skip
    assert moved == 2
    assert _ballot_rows(app) == 2 * len(people)
    with db.read_session(app.engine) as session:
        grades = session.execute(
            select(db.Ballot.grade, func.count()).group_by(db.Ballot.grade)
        ).all()
        assert session.scalar(select(func.count()).select_from(db.SealedPaper)) == 0
    assert dict(grades) == {"称职": len(people), "优秀": len(people)}
    with app.client() as client:
        closed = client.get(f"/b/{app.loaded.spec.campaign.id}/ballots/{codes[2]}")
    assert closed.status_code == 410 and "测评已结束" in closed.text
    unit = app.loaded.units[0].id  # a ballot form is never a unit's form, even by a signed link
    with app.client() as client:
        assert client.get(f"/f/{app.link('ballots', unit)}").status_code == 403


def test_fifty_simultaneous_uses_of_one_code_cast_exactly_one_ballot(served):
    app = served("tangping-review-2023", dt.date(2023, 11, 1))
    (code,) = _issue(app, n=1)
    paper = _paper(app)
    with app.client() as client:
        page = client.get(f"/b/{app.loaded.spec.campaign.id}/ballots/{code}")
        token, cookies = csrf_of(page.text), dict(client.cookies)

    def cast(_: int) -> int:
        with app.client() as c:
            c.cookies.update(cookies)
            return c.post(f"/b/{app.loaded.spec.campaign.id}/ballots",
                          data={"csrf": token, "code": code, "action": "cast", **paper}).status_code  # fmt: skip

    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(cast, range(50)))
    assert statuses.count(200) == 1, statuses
    assert set(statuses) == {200, 409}
    with db.read_session(app.engine) as session:
        assert session.scalar(select(func.count()).select_from(db.SealedPaper)) == 1
