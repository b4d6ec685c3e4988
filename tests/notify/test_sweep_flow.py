"""The deadline-sweep flow under the Prefect harness: digests to local receivers, idempotent reruns,
quiet hours, a table artifact; without secrets it lists what it would have sent."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2023, 9, 27)


def run(**kwargs):
    from flows.deadline_sweep import deadline_sweep

    return asyncio.run(deadline_sweep(retry_delay_seconds=0, **kwargs))


def labels(result):
    (campaign,) = result
    return [(r["unit"], r["channel"], r["items"], r["label"]) for r in campaign["reminders"]]


def artifact(key: str):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def read():
        async with get_client() as client:
            found = await client.read_latest_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
            )
            return found[0]

    return asyncio.run(read())


def test_sweep_sends_digests_once_and_shows_them(home, channels_env, receiver, smtp):
    morning = dt.datetime(2023, 9, 27, 9, 0, tzinfo=SHANGHAI)
    first = run(as_of=DAY, now=morning)
    assert labels(first) == [
        ("机关第一党支部", "dingtalk", 2, "已发送"),
        ("机关第二党支部", "wecom", 1, "已发送"),
        ("局党组", "email", 1, "已发送"),
        ("局党组", "webhook", 1, "已发送"),
    ]
    assert first[0]["overdue"] == 1
    content = receiver.at("/robot/send")[0]["json"]["text"]["content"]
    assert content.startswith(
        "【八破八立】期限提醒（2023-09-27）\n机关第一党支部：以下 2 项工作请关注\n"
    )
    assert len(smtp.messages) == 1

    again = run(as_of=DAY, now=morning.replace(hour=11))
    assert [r[3] for r in labels(again)] == ["已发送过"] * 4
    assert len(receiver.requests) == 3 and len(smtp.messages) == 1

    table = artifact("notify-test-2023-reminders")
    assert json.loads(table.data)[0] == {
        "接收单位": "机关第一党支部",
        "渠道": "钉钉",
        "接收人": "第一支部工作群",
        "事项数": 2,
        "状态": "已发送过",
    }
    assert "截至 2023-09-27 的期限提醒" in table.description


def test_quiet_hours_then_next_sweep(home, channels_env, receiver, smtp):
    night = run(as_of=DAY, now=dt.datetime(2023, 9, 27, 23, 0, tzinfo=SHANGHAI))
    assert {r[3] for r in labels(night)} == {"已排队（静默时段）"}
    assert receiver.requests == [] and smtp.messages == []
    morning = run(as_of=DAY, now=dt.datetime(2023, 9, 28, 8, 5, tzinfo=SHANGHAI))
    assert {r[3] for r in labels(morning)} == {"已发送"}


def test_without_secrets_the_sweep_lists_what_it_would_send(home, no_secrets, caplog):
    result = run(as_of=DAY, now=dt.datetime(2023, 9, 27, 9, 0, tzinfo=SHANGHAI))
    first = labels(result)[0]
    assert first[3].startswith(
        "未发送：未配置钉钉机器人密钥（环境变量 CAMPAIGNFLOW_DINGTALK_TOKEN__B1"
    )
    assert (
        "未配置钉钉机器人密钥（环境变量 CAMPAIGNFLOW_DINGTALK_TOKEN__B1（或 Prefect Secret 块 campaignflow-dingtalk-token--b1）），以下提醒未发送"
        in caplog.text
    )
    table = artifact("notify-test-2023-reminders")
    assert "以下提醒未发送" in table.description


def test_a_slow_robot_is_shown_as_unconfirmed_and_resent_by_hand(home, channels_env, receiver):
    """The sweep's artifact says 待确认 and how to resend; `notify list` shows the items and
    `notify resend` sends them once, after which a sweep has nothing left to send."""
    from typer.testing import CliRunner

    from campaignflow.cli import build_app

    spec = Path(__file__).with_name("sweep.yaml")
    receiver.delay = 1.0
    morning = dt.datetime(2023, 9, 27, 9, 0, tzinfo=SHANGHAI)
    first = run(as_of=DAY, now=morning, answer_timeout_seconds=0.3)
    assert labels(first)[0][3].startswith("待确认：已发出但未收到应答")
    table = artifact("notify-test-2023-reminders")
    assert "**2 项提醒待确认**" in table.description
    assert f"campaignflow notify resend {spec} --all" in table.description
    assert len(receiver.at("/robot/send")) == 1

    receiver.delay = 0.0
    cli = CliRunner()
    listed = cli.invoke(build_app(), ["notify", "list", str(spec)])
    assert listed.exit_code == 0, listed.output
    assert (
        "待确认的提醒 2 项" in listed.output and "机关第一党支部（第一支部工作群）" in listed.output
    )
    wrong = cli.invoke(build_app(), ["notify", "resend", str(spec), "no-such-key"])
    assert wrong.exit_code == 2 and "不是待确认的提醒：no-such-key" in wrong.output
    sent = cli.invoke(build_app(), ["notify", "resend", str(spec), "--all"])
    assert sent.exit_code == 0, sent.output
    assert "机关第一党支部（dingtalk 第一支部工作群）：2 项，已发送" in sent.output
    assert len(receiver.at("/robot/send")) == 2
    again = run(as_of=DAY, now=morning.replace(hour=11), answer_timeout_seconds=0.3)
    assert labels(again)[0][3] == "已发送过" and len(receiver.at("/robot/send")) == 2
