"""Reminders at most once, on SQLite and PostgreSQL: a robot that answers slowly or hangs up gets
the message once and it is marked 待确认 (never resent by itself); one that refuses or is down is
retried; two sweeps at the same moment deliver each item once; the officer resends by hand."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select
from test_outbox import MORNING, log, sweep

from campaignflow import db
from campaignflow.db import make_engine
from campaignflow.notify import RetryPolicy, env_resolver
from campaignflow.notify.outbox import SENDING, _claim
from campaignflow.notify.resend import STALE, resend, unconfirmed
from campaignflow.sync import sync_campaign

QUICK = RetryPolicy(attempts=3, delay=0, timeout=0.3)  # a robot has 0.3 s to answer
DING = "overdue:late@b1:2023-09-27>dingtalk:第一支部工作群"


@pytest.fixture
def any_engine(migrated_url, loaded):
    engine = make_engine(migrated_url)
    sync_campaign(engine=engine, loaded=loaded)
    yield engine
    engine.dispose()


def _sweep(engine, loaded, env, now=MORNING):
    return sweep(engine, loaded, now, env=env, retry=QUICK)


def _ding(deliveries):
    return next(d for d in deliveries if d.channel == "dingtalk")


@pytest.mark.parametrize("fault", ["slow", "hang_up"])
def test_a_robot_that_took_the_message_without_answering_gets_it_once(
    any_engine, loaded, channels_env, receiver, fault
):
    if fault == "slow":
        receiver.delay = 1.0
    else:
        receiver.hang_up = True
    first = _ding(_sweep(any_engine, loaded, channels_env))
    assert first.label.startswith("待确认：已发出但未收到应答"), first.label
    assert "不自动重发" in first.label
    assert len(receiver.at("/robot/send")) == 1  # not three tries
    assert log(any_engine)[DING] == "unconfirmed"

    receiver.delay, receiver.hang_up = 0.0, False
    second = _ding(_sweep(any_engine, loaded, channels_env, MORNING.replace(hour=15)))
    assert second.label.startswith("待确认：2 项此前已发出但未收到应答")
    assert len(receiver.at("/robot/send")) == 1  # the next sweep does not send it again

    waiting = unconfirmed(any_engine, loaded)
    assert {u.key for u in waiting} == {
        DING,
        "before3:holiday@b1:2023-09-26>dingtalk:第一支部工作群",
    }
    assert all(u.unit_name == "机关第一党支部" for u in waiting)
    done = resend(engine=any_engine, loaded=loaded, resolve=env_resolver(channels_env), retry=QUICK)
    assert [(d.unit_name, d.items, d.label) for d in done] == [("机关第一党支部", 2, "已发送")]
    text = receiver.at("/robot/send")[-1]["json"]["text"]["content"]
    assert "机关第一党支部：以下 2 项工作请关注（补发）" in text
    assert log(any_engine)[DING] == "sent"
    assert resend(engine=any_engine, loaded=loaded, resolve=env_resolver(channels_env)) == []
    assert _ding(_sweep(any_engine, loaded, channels_env)).label == "已发送过"
    assert len(receiver.at("/robot/send")) == 2


def test_a_robot_that_refuses_or_is_down_is_retried(any_engine, loaded, channels_env, receiver):
    receiver.fail = 3  # refuses all three tries: nothing delivered, so retrying is safe
    first = _ding(_sweep(any_engine, loaded, channels_env))
    assert first.label.startswith("失败：接口返回错误 310000")
    assert len(receiver.at("/robot/send")) == 3
    assert log(any_engine)[DING] == "failed"

    down = {**channels_env, "CAMPAIGNFLOW_DINGTALK_URL": "http://127.0.0.1:9/robot/send"}
    second = _ding(_sweep(any_engine, loaded, down, MORNING.replace(hour=10)))
    assert second.label.startswith("失败：连接失败")
    assert log(any_engine)[DING] == "failed"

    third = _ding(_sweep(any_engine, loaded, channels_env, MORNING.replace(hour=11)))
    assert third.label == "已发送" and len(receiver.at("/robot/send")) == 4


def test_two_sweeps_at_the_same_moment_deliver_each_item_once(
    any_engine, loaded, channels_env, receiver, smtp
):
    receiver.delay = 0.2  # both sweeps are in flight together
    results: list = []
    errors: list = []

    def run() -> None:
        try:
            results.append(_sweep(any_engine, loaded, channels_env))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    paths = [r["path"] for r in receiver.requests]
    assert sorted(paths) == ["/cgi-bin/webhook/send", "/hook", "/robot/send"]  # once each
    assert len(smtp.messages) == 1
    labels = sorted(d.label for r in results for d in r)
    assert labels.count("已发送") == 4 and labels.count("已发送过") == 4
    assert set(log(any_engine).values()) == {"sent"}


def test_a_sweep_that_crashed_mid_send_leaves_its_items_for_the_officer(
    any_engine, loaded, channels_env, receiver
):
    """Claimed (`sending`) but never recorded: no sweep sends it again; after a while it is
    listed as 待确认 and the officer resends it."""
    with db.read_session(any_engine) as session:
        campaign_id = session.scalar(select(db.Campaign.id))
    fields = {"kind": "reminder", "channel": "dingtalk", "recipient": "机关第一党支部（第一支部工作群）",
              "assignment_id": None, "subject": "【测试】期限提醒", "body": "召开专题组织生活会",
              "error": None, "sent_at": dt.datetime.now(dt.UTC)}  # fmt: skip
    claimed, _ = _claim(any_engine, campaign_id, {DING: fields}, SENDING)
    assert claimed == [DING]
    again = _ding(_sweep(any_engine, loaded, channels_env))
    assert again.items == 1  # only the other item: the crashed one is not sent again
    assert "召开专题组织生活会" not in receiver.at("/robot/send")[0]["json"]["text"]["content"]
    assert unconfirmed(any_engine, loaded) == []  # another sweep may still be on it
    later = dt.datetime.now(dt.UTC) + STALE + dt.timedelta(minutes=1)
    assert [u.key for u in unconfirmed(any_engine, loaded, later)] == [DING]
