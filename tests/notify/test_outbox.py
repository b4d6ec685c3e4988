"""Delivery and the notification log: one message per recipient, nothing twice, quiet hours."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from campaignflow import db
from campaignflow.deadlines import plan_reminders
from campaignflow.notify import RetryPolicy, deliver, env_resolver
from campaignflow.progress import stage_progress

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2023, 9, 27)
MORNING = dt.datetime(2023, 9, 27, 9, 0, tzinfo=SHANGHAI)
NIGHT = dt.datetime(2023, 9, 27, 22, 30, tzinfo=SHANGHAI)
FAST = RetryPolicy(attempts=2, delay=0)


def sweep(engine, loaded, now, day=DAY, env=None, retry=FAST):
    progress = stage_progress(engine=engine, loaded=loaded, stage="autumn", as_of=day)
    digests = plan_reminders(loaded=loaded, progress=progress, as_of=day)
    return deliver(
        engine=engine,
        loaded=loaded,
        digests=digests,
        as_of=day,
        now=now,
        resolve=env_resolver(env),
        retry=retry,
    )


def table(deliveries):
    return [(d.unit_name, d.channel, d.target, d.items, d.label) for d in deliveries]


def log(engine):
    with db.read_session(engine) as session:
        return {n.dedupe_key: n.status for n in session.scalars(select(db.Notification))}


def test_one_message_per_recipient_and_nothing_twice(engine, loaded, channels_env, receiver, smtp):
    first = sweep(engine, loaded, MORNING, env=channels_env)
    assert table(first) == [
        ("机关第一党支部", "dingtalk", "第一支部工作群", 2, "已发送"),
        ("机关第二党支部", "wecom", "第二支部工作群", 1, "已发送"),
        ("局党组", "email", "leader@example.org", 1, "已发送"),
        ("局党组", "webhook", "oa", 1, "已发送"),
    ]
    dingtalk = receiver.at("/robot/send")
    assert [r["query"] for r in dingtalk] == [{"access_token": "tok-b1"}]
    assert dingtalk[0]["json"] == {
        "msgtype": "text",
        "text": {
            "content": "【八破八立】期限提醒（2023-09-27）\n"
            "机关第一党支部：以下 2 项工作请关注\n"
            "1. 【即将到期】报送整改台账（机关第一党支部）将于 2023-10-01（节假日顺延至 2023-10-07）到期，"
            "还剩 2 个工作日\n"
            "2. 【逾期】召开专题组织生活会（机关第一党支部）已逾期 5 个工作日（期限 2023-09-20）\n"
            "（本消息由 campaignflow 自动发送，请勿直接回复）"
        },
    }
    wecom = receiver.at("/cgi-bin/webhook/send")
    assert wecom[0]["query"] == {"key": "wecom-key"}
    assert wecom[0]["json"]["text"]["content"].splitlines()[1:3] == [
        "机关第二党支部：以下 1 项工作请关注",
        "1. 【即将到期】提交调研报告（机关第二党支部）将于 2023-09-28 到期，还剩 1 个工作日",
    ]
    (mail,) = smtp.messages
    assert mail["to"] == ["leader@example.org"]
    assert (
        "【逾期督办】召开专题组织生活会（机关第一党支部）已逾期 5 个工作日"
        in mail["message"].get_body().get_content()
    )
    assert len(receiver.at("/hook")) == 1
    assert set(log(engine).values()) == {"sent"}
    assert len(log(engine)) == 5  # 2 + 1 items, 1 escalation × 2 channels

    again = sweep(engine, loaded, MORNING.replace(hour=15), env=channels_env)
    assert [d.label for d in again] == ["已发送过"] * 4
    assert len(receiver.requests) == 3 and len(smtp.messages) == 1

    # the next day only the new reminders go out, still one message per recipient
    next_day = sweep(
        engine,
        loaded,
        MORNING + dt.timedelta(days=1),
        day=DAY + dt.timedelta(days=1),
        env=channels_env,
    )
    assert table(next_day) == [
        ("机关第一党支部", "dingtalk", "第一支部工作群", 2, "已发送"),
        ("机关第二党支部", "wecom", "第二支部工作群", 1, "已发送过"),
        ("局党组", "email", "leader@example.org", 1, "已发送过"),
        ("局党组", "webhook", "oa", 1, "已发送过"),
    ]
    assert "还剩 1 个工作日" in receiver.at("/robot/send")[-1]["json"]["text"]["content"]


def test_quiet_hours_queue_then_the_morning_sends(engine, loaded, channels_env, receiver, smtp):
    night = sweep(engine, loaded, NIGHT, env=channels_env)
    assert {d.label for d in night} == {"已排队（静默时段）"}
    assert receiver.requests == [] and smtp.messages == []
    assert set(log(engine).values()) == {"queued"}
    early = sweep(
        engine, loaded, dt.datetime(2023, 9, 28, 7, 30, tzinfo=SHANGHAI), day=DAY, env=channels_env
    )
    assert {d.label for d in early} == {"已排队（静默时段）"}
    morning = sweep(
        engine, loaded, dt.datetime(2023, 9, 28, 8, 0, tzinfo=SHANGHAI), day=DAY, env=channels_env
    )
    assert {d.label for d in morning} == {"已发送"}
    assert len(receiver.requests) == 3 and len(smtp.messages) == 1


def test_queued_reminders_replaced_by_newer_ones_are_skipped(engine, loaded, channels_env):
    sweep(engine, loaded, NIGHT, env=channels_env)
    sweep(
        engine,
        loaded,
        MORNING + dt.timedelta(days=1),
        day=DAY + dt.timedelta(days=1),
        env=channels_env,
    )
    statuses = log(engine)
    # yesterday's overdue notice and the 3-day reminder were never sent: superseded by today's
    assert statuses["overdue:late@b1:2023-09-27>dingtalk:第一支部工作群"] == "skipped"
    assert statuses["before3:holiday@b1:2023-09-26>dingtalk:第一支部工作群"] == "skipped"
    assert statuses["overdue:late@b1:2023-09-28>dingtalk:第一支部工作群"] == "sent"
    assert statuses["before1:soon@b2:2023-09-27>wecom:第二支部工作群"] == "sent"


def test_one_bad_channel_is_recorded_and_retried_next_sweep(
    engine, loaded, channels_env, receiver, smtp
):
    receiver.fail = 2  # the DingTalk robot refuses both tries; everything else goes out
    first = sweep(engine, loaded, MORNING, env=channels_env)
    assert table(first)[0] == (
        "机关第一党支部",
        "dingtalk",
        "第一支部工作群",
        2,
        "失败：接口返回错误 310000：keywords not in content",
    )
    assert [d.label for d in first[1:]] == ["已发送"] * 3
    assert log(engine)["overdue:late@b1:2023-09-27>dingtalk:第一支部工作群"] == "failed"
    second = sweep(engine, loaded, MORNING.replace(hour=10), env=channels_env)
    assert [d.label for d in second] == ["已发送", "已发送过", "已发送过", "已发送过"]


def test_without_secrets_nothing_is_sent_and_the_fix_is_named(engine, loaded, no_secrets):
    deliveries = sweep(engine, loaded, MORNING, env={})
    assert deliveries[0].label == (
        "未发送：未配置钉钉机器人密钥（环境变量 CAMPAIGNFLOW_DINGTALK_TOKEN__B1（或 Prefect Secret 块 "
        "campaignflow-dingtalk-token--b1））"
    )
    assert "【逾期】召开专题组织生活会" in deliveries[0].text
    assert set(log(engine).values()) == {"skipped"}
