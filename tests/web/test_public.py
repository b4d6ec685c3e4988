"""群众评议 from the public: a message with a 受理编号 enters the feedback ledger; the sender
follows the reply and rates it; bounded length, rate limit without storing the address."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, text
from web_support import csrf_of

from campaignflow import db
from campaignflow.collect.rows import ParsedRow
from campaignflow.collect.store import SubmissionWriter
from campaignflow.web import links

FORM = "comments"


def _post(client, token: str, content: str):
    page = client.get(f"/p/{token}")
    return client.post(f"/p/{token}", data={"csrf": csrf_of(page.text), "content": content})


def _reply(app, code: str, values: dict) -> None:
    """The office records its reply the way it does today (a row of the feedback form)."""
    with db.write_session(app.engine) as session:
        writer = SubmissionWriter(session=session, loaded=app.loaded, form_id=FORM, source="台账",
                                  sheet="-", actor="office", mode="append")  # fmt: skip
        writer.write([ParsedRow(row=1, key=code, values=values)])
        writer.finish()


def test_a_message_gets_a_receipt_enters_the_ledger_and_can_be_followed(served):
    app = served("party-building-2023", dt.date(2023, 10, 20))
    token = app.link(FORM, links.PUBLIC)
    with app.client() as client:
        short = _post(client, token, "好")
        assert short.status_code == 400 and "请填写 5 至 1000 字" in short.text
        long = _post(client, token, "很" * 1001)
        assert long.status_code == 400
        done = _post(client, token, "建议窗口<b>午休</b>时间安排人员值守，方便群众办事。")
        assert done.status_code == 200
        code = re.search(r'class="receipt">(QZ-[0-9A-Z]{8})<', done.text)[1]
        assert "&lt;b&gt;" not in done.text  # the message is not echoed
        with db.read_session(app.engine) as session:
            item = session.scalar(select(db.FeedbackItem).where(db.FeedbackItem.code == code))
            stored = " ".join(str(r) for r in session.execute(text("SELECT * FROM submission")))
        assert (item.status, item.channel, item.received_on) == (
            "待核实",
            "网页",
            dt.date(2023, 10, 20),
        )
        assert item.content == "建议窗口<b>午休</b>时间安排人员值守，方便群众办事。"
        assert "127.0.0.1" not in stored and "httpx" not in stored
        page = client.get(f"/p/{token}/reply")
        found = client.post(
            f"/p/{token}/reply", data={"csrf": csrf_of(page.text), "code": code.lower()}
        )
        assert "待核实" in found.text and "您对办理结果是否满意" not in found.text
        _reply(app, code, {"code": code, "received_on": dt.date(2023, 10, 20), "channel": "网页",
                           "content": item.content, "status": "已回复",
                           "replied_on": dt.date(2023, 10, 25), "result": "已安排午间轮流值守"})  # fmt: skip
        found = client.post(f"/p/{token}/reply", data={"csrf": csrf_of(page.text), "code": code})
        assert "已安排午间轮流值守" in found.text and "您对办理结果是否满意" in found.text
        rated = client.post(f"/p/{token}/reply",
                            data={"csrf": csrf_of(page.text), "code": code, "action": "rate",
                                  "satisfaction": "满意"})  # fmt: skip
        assert "感谢您的评价" in rated.text
        missing = client.post(
            f"/p/{token}/reply", data={"csrf": csrf_of(page.text), "code": "QZ-00000000"}
        )
        assert missing.status_code == 404
    with db.read_session(app.engine) as session:
        item = session.scalar(select(db.FeedbackItem).where(db.FeedbackItem.code == code))
    assert (item.status, item.satisfaction) == ("已回复", "满意")


def test_the_public_form_is_rate_limited_per_client_and_its_link_is_checked(served):
    app = served("party-building-2023", dt.date(2023, 10, 20))
    token = app.link(FORM, links.PUBLIC)
    with app.client() as client:
        statuses = [
            _post(client, token, f"第{n}条意见：请改进服务。").status_code for n in range(7)
        ]
        assert statuses == [200] * 5 + [429, 429]
        assert client.get(f"/p/{app.link('meetings', links.PUBLIC)}").status_code == 403
        assert client.get(f"/f/{token}").status_code == 403  # a public link opens no unit form
    with db.read_session(app.engine) as session:
        assert len(session.scalars(select(db.FeedbackItem)).all()) == 5
