"""Each channel against a local receiver: exact payloads and Chinese text; retries; missing secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac

from campaignflow.notify import (
    Message,
    NotConfigured,
    RetryPolicy,
    build_sender,
    env_resolver,
    send_with_retry,
)
from campaignflow.notify.channels import DingTalkRobot, WeComRobot, truncate_bytes
from campaignflow.notify.quiet import in_quiet_hours

MESSAGE = Message(
    subject="【八破八立】期限提醒（2023-09-27）",
    text="机关第一党支部：以下 1 项工作请关注\n1. 测试",
)
FAST = RetryPolicy(attempts=3, delay=0.01, factor=2)


def test_dingtalk_payload_and_token(receiver):
    robot = DingTalkRobot(token="tok", url=f"{receiver.url}/robot/send")
    assert send_with_retry(robot, "工作群", MESSAGE, FAST) is None
    (request,) = receiver.requests
    assert request["path"] == "/robot/send"
    assert request["query"] == {"access_token": "tok"}
    assert request["json"] == {
        "msgtype": "text",
        "text": {
            "content": "【八破八立】期限提醒（2023-09-27）\n机关第一党支部：以下 1 项工作请关注\n1. 测试"
        },
    }


def test_dingtalk_signing(receiver):
    robot = DingTalkRobot(
        token="tok", secret="SECabc", url=f"{receiver.url}/robot/send", clock=lambda: 1695800000.0
    )
    robot.send("工作群", MESSAGE)
    query = receiver.requests[0]["query"]
    assert query["timestamp"] == "1695800000000"
    expected = hmac.new(b"SECabc", b"1695800000000\nSECabc", hashlib.sha256).digest()
    assert query["sign"] == base64.b64encode(expected).decode()


def test_wecom_payload(receiver):
    robot = WeComRobot(key="k-1", url=f"{receiver.url}/cgi-bin/webhook/send")
    robot.send("第二支部工作群", MESSAGE)
    (request,) = receiver.requests
    assert request["query"] == {"key": "k-1"}
    assert request["json"] == {"msgtype": "text", "text": {"content": MESSAGE.full_text}}


def test_wecom_long_digest_is_cut_at_a_line_with_a_note():
    text = "\n".join(f"{n}. 【逾期】某项工作（某党支部）已逾期 3 个工作日" for n in range(200))
    cut = truncate_bytes(text, 2048)
    assert len(cut.encode()) <= 2048
    assert cut.endswith("行未显示，请查看台账）")
    assert cut.split("\n")[0] == "0. 【逾期】某项工作（某党支部）已逾期 3 个工作日"


def test_email_through_apprise_to_local_smtp(smtp):
    env = {
        "CAMPAIGNFLOW_SMTP_HOST": smtp.host,
        "CAMPAIGNFLOW_SMTP_PORT": str(smtp.port),
        "CAMPAIGNFLOW_SMTP_MODE": "insecure",
        "CAMPAIGNFLOW_SMTP_FROM": "campaignflow@example.org",
    }
    sender = build_sender("email", "leader@example.org", env_resolver(env))
    assert send_with_retry(sender, "leader@example.org", MESSAGE, FAST) is None
    (mail,) = smtp.messages
    assert mail["to"] == ["leader@example.org"]
    assert mail["message"]["Subject"] == "【八破八立】期限提醒（2023-09-27）"
    assert "机关第一党支部：以下 1 项工作请关注" in mail["message"].get_body().get_content()


def test_webhook_through_apprise_json(receiver):
    sender = build_sender(
        "webhook", "oa", env_resolver({"CAMPAIGNFLOW_WEBHOOK_URL__OA": f"{receiver.url}/hook"})
    )
    sender.send("oa", MESSAGE)
    (request,) = receiver.requests
    assert request["path"] == "/hook"
    assert request["json"]["title"] == MESSAGE.subject
    assert request["json"]["message"] == MESSAGE.text


def test_failed_send_is_retried_with_backoff(receiver):
    robot = DingTalkRobot(token="tok", url=f"{receiver.url}/robot/send")
    waits: list[float] = []
    receiver.fail = 2
    assert send_with_retry(robot, "群", MESSAGE, FAST, sleep=waits.append) is None
    assert len(receiver.requests) == 3
    assert waits == [0.01, 0.02]


def test_still_failing_returns_the_reason(receiver):
    robot = DingTalkRobot(token="tok", url=f"{receiver.url}/robot/send")
    receiver.fail = 5
    error = send_with_retry(robot, "群", MESSAGE, FAST, sleep=lambda s: None)
    assert error == "接口返回错误 310000：keywords not in content"
    assert len(receiver.requests) == 3


def test_unreachable_server_is_a_failure_not_an_exception():
    robot = DingTalkRobot(token="tok", url="http://127.0.0.1:9/robot/send", timeout=1)
    error = send_with_retry(robot, "群", MESSAGE, RetryPolicy(attempts=1))
    assert error.startswith("连接失败")


def test_missing_secret_says_where_to_put_it():
    got = build_sender("dingtalk", "第一支部工作群", env_resolver({}), "b1")
    assert got == NotConfigured(
        "dingtalk",
        "未配置钉钉机器人密钥（环境变量 CAMPAIGNFLOW_DINGTALK_TOKEN__B1（或 Prefect Secret 块 "
        "campaignflow-dingtalk-token--b1））",
    )
    assert (
        "CAMPAIGNFLOW_DINGTALK_TOKEN（"
        in build_sender("dingtalk", "工作群", env_resolver({})).reason
    )
    assert "CAMPAIGNFLOW_SMTP_HOST" in build_sender("email", "a@b.cn", env_resolver({})).reason


def test_generic_token_serves_every_robot():
    env = env_resolver({"CAMPAIGNFLOW_DINGTALK_TOKEN": "all"})
    assert build_sender("dingtalk", "第一支部工作群", env, "b1").token == "all"
    env = env_resolver(
        {"CAMPAIGNFLOW_DINGTALK_TOKEN": "all", "CAMPAIGNFLOW_DINGTALK_TOKEN__B1": "one"}
    )
    assert build_sender("dingtalk", "第一支部工作群", env, "b1").token == "one"


def test_quiet_hours_in_the_campaign_zone():
    import datetime as dt

    quiet = ("21:00", "08:00")
    shanghai = dt.timezone(dt.timedelta(hours=8))
    assert in_quiet_hours(dt.datetime(2023, 9, 27, 7, 59, tzinfo=shanghai), quiet, "Asia/Shanghai")
    assert not in_quiet_hours(
        dt.datetime(2023, 9, 27, 8, 0, tzinfo=shanghai), quiet, "Asia/Shanghai"
    )
    assert not in_quiet_hours(
        dt.datetime(2023, 9, 27, 20, 59, tzinfo=shanghai), quiet, "Asia/Shanghai"
    )
    assert in_quiet_hours(dt.datetime(2023, 9, 27, 21, 0, tzinfo=shanghai), quiet, "Asia/Shanghai")
    # 13:30 UTC is 21:30 in Shanghai
    assert in_quiet_hours(dt.datetime(2023, 9, 27, 13, 30, tzinfo=dt.UTC), quiet, "Asia/Shanghai")
    assert in_quiet_hours(dt.datetime(2023, 9, 27, 12, 30), ("12:00", "13:00"), "Asia/Shanghai")
