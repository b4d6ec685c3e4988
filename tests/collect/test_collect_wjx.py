"""问卷星 (wjx) import: Excel export and JSON push into feedback and ballot forms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from collect_support import submissions, write_xlsx
from sqlalchemy import func, select
from typer.testing import CliRunner

from campaignflow import db
from campaignflow.collect import ImportRejected
from campaignflow.collect.wjx import import_wjx, import_wjx_json, normalise_title
from campaignflow.db import open_database
from campaignflow.settings import sqlite_url
from campaignflow.spec import load
from campaignflow.sync import sync_campaign

SPEC = Path(__file__).with_name("wjx-campaign.yaml")
META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
FEEDBACK_Q = [
    "1、您对我局机关作风的总体评价",
    "2、您反映的问题涉及哪个部门",
    "3、您的意见和建议",
    "4、其他补充",
]
BALLOT_Q = [
    "1、您的身份",
    "2、对王磊的总体评价",
    "3、王磊是否在岗不在状态",
    "4、对陈静的总体评价",
    "5、陈静是否在岗不在状态",
    "6、对刘洋的总体评价",
    "7、刘洋是否在岗不在状态",
]
GRADES = ["优秀", "称职", "基本称职", "称职", "优秀"]
GROUPS = ["班子成员", "中层干部", "一般干部"]


@pytest.fixture(scope="module")
def loaded():
    return load(SPEC)


@pytest.fixture
def engine(tmp_path, loaded):
    engine = open_database(sqlite_url(tmp_path / "campaign.db"))
    sync_campaign(engine=engine, loaded=loaded)
    yield engine
    engine.dispose()


def ip(i: int) -> str:
    return f"111.2.3.{i}(云南-西双版纳)"


def feedback_rows(bad_option: bool = False) -> list[list]:
    rows = [META + FEEDBACK_Q]
    for i in range(1, 13):
        rows.append(
            [i, f"2023/11/{i % 9 + 1} 14:3{i % 10}:10", "65秒", "微信", "N/A", ip(i)]
            + [["满意", "基本满意", "不满意"][i % 3], "办公室", f"第{i}条意见：窗口服务要提速", ""]
        )
    rows[4][9] = "希望公开办理结果"  # answer 4 also fills question 4 (mapped as q4 → content)
    rows[11][1] = "2023/11/15 09:00:00"  # answer 11: after the window
    # answer 13 repeats answer 3 from the same IP five minutes later
    repeat = list(rows[3])
    repeat[0], repeat[1] = 13, "2023/11/4 14:38:10"
    rows.append(repeat)
    # answer 14: same answers as answer 5 but from another IP: counted
    other = list(rows[5])
    other[0], other[5] = 14, ip(99)
    rows.append(other)
    if bad_option:
        rows[7][6] = "非常满意"  # row 8 of the sheet, column G
    return rows


def ballot_rows() -> list[list]:
    rows = [META + BALLOT_Q]
    for i in range(1, 16):
        answers = [GROUPS[i % 3]]
        for k in range(3):
            answers += [GRADES[(i + k) % 5], "否" if (i + k) % 4 else "是"]
        rows.append(
            [i, f"2023/11/{i % 8 + 2} 10:0{i % 10}:00", "40秒", "手机提交", "", ip(i)] + answers
        )
    rows[15][7:9] = ["(跳过)", "(跳过)"]  # answer 15 skipped 陈静
    repeat = list(rows[2])
    repeat[0], repeat[1] = 16, "2023/11/4 10:09:00"  # answer 2 again, 7 minutes later
    rows.append(repeat)
    return rows


def test_titles_lose_their_number():
    assert normalise_title("1、您对我局机关作风的总体评价") == "您对我局机关作风的总体评价"
    assert normalise_title("Q12. 您的意见 和建议*") == "您的意见和建议"
    assert normalise_title("第3题：您的身份") == "您的身份"
    assert normalise_title("2023年度评价") == "2023年度评价"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("      您的意见和建议: content\n      q4: content\n", "", "把一道题对应到 content"),
        ("      您的身份: rater_group", "      来自IP: rater_group", "测评是匿名的：“来自IP”"),
        ('"{subject}是否在岗不在状态"', '"{subject}{x}"', "须恰好含一个 {subject}"),
        (
            "[2023-11-01, 2023-11-10]\n      dedupe",
            "[2023-11-11, 2023-11-10]\n      dedupe",
            "晚于结束日期",
        ),
    ],
)
def test_spec_checks(tmp_path, old, new, expected):
    from campaignflow.spec import SpecError

    text = SPEC.read_text("utf-8")
    assert old in text
    path = tmp_path / "campaign.yaml"
    path.write_text(text.replace(old, new), "utf-8")
    with pytest.raises(SpecError) as caught:
        load(path)
    assert expected in caught.value.render()


def test_feedback_export(tmp_path, loaded, engine):
    path = write_xlsx(tmp_path / "123456_2_群众评议.xlsx", {"Sheet1": feedback_rows()})
    home = tmp_path / "home"
    result = import_wjx(engine=engine, loaded=loaded, form_id="comments", path=path, home=home)
    assert (result.answers, result.duplicates, result.rejected, result.inserted) == (14, 1, 1, 12)
    [late] = result.issues
    assert late.render().startswith("Sheet1!B12: 提交时间 2023-11-15 09:00:00 不在问卷有效期")
    stored = submissions(engine, "comments")
    assert "PY-13" not in stored and "PY-11" not in stored and "PY-14" in stored
    first = stored["PY-1"]
    assert first["received_on"] == "2023-11-02" and first["status"] == "待核实"
    assert first["channel"] == "微信" and first["unit"] == "bangongshi"
    assert stored["PY-4"]["content"] == (
        "您的意见和建议：第4条意见：窗口服务要提速\n其他补充：希望公开办理结果"
    )
    raw = list((home / "raw" / "wjx-test-2023").glob("*-123456_2_群众评议.xlsx"))
    assert len(raw) == 1 and raw[0].read_bytes() == path.read_bytes()
    with db.read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(db.FeedbackItem)) == 12
    again = import_wjx(engine=engine, loaded=loaded, form_id="comments", path=path, home=home)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 12)


def test_feedback_bad_option_rejects_everything(tmp_path, loaded, engine):
    path = write_xlsx(tmp_path / "comments.xlsx", {"Sheet1": feedback_rows(bad_option=True)})
    with pytest.raises(ImportRejected) as caught:
        import_wjx(engine=engine, loaded=loaded, form_id="comments", path=path, home=tmp_path)
    [issue] = caught.value.issues
    assert issue.render() == "Sheet1!G8: 应为以下之一：满意、基本满意、不满意；而不是“非常满意”"
    assert submissions(engine, "comments") == {}


def test_ballot_export_is_anonymous(tmp_path, loaded, engine):
    path = write_xlsx(tmp_path / "654321_1_作风测评.xlsx", {"Sheet1": ballot_rows()})
    home = tmp_path / "home"
    result = import_wjx(engine=engine, loaded=loaded, form_id="ballots", path=path, home=home)
    # 16 answers: answer 16 repeats answer 2 (same IP, 7 minutes later); all inside the window
    assert (result.answers, result.duplicates, result.rejected) == (16, 1, 0)
    assert result.inserted == 15 * 3 - 1  # answer 15 skipped one cadre
    with db.read_session(engine) as session:
        ballots = session.scalars(select(db.Ballot)).all()
        rounds = session.scalars(select(db.EvaluationRound.key)).all()
        datas = session.scalars(select(db.Submission.data)).all()
        rows = session.scalars(select(db.Submission.source_row)).all()
    assert len(ballots) == 44 and rounds == ["作风测评"]
    assert sum(b.indicators["idle"] for b in ballots) > 0
    text = json.dumps([*datas, *[b.paper_key for b in ballots]], ensure_ascii=False)
    assert "111.2.3" not in text and "云南" not in text and "序号" not in text
    assert set(rows) == {None}
    assert all(set(d) <= {"round", "subject", "rater_group", "grade", "idle"} for d in datas)
    again = import_wjx(engine=engine, loaded=loaded, form_id="ballots", path=path, home=home)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 44)


def push(joinid: int, minute: int, satisfaction: str = "满意", ipaddress: str = "1.2.3.4"):
    return {
        "activity": "123456",
        "name": "群众评议",
        "joinid": str(joinid),
        "timetaken": "65",
        "submittime": f"2023-11-05 14:{minute:02d}:10",
        "ipaddress": ipaddress,
        "source": "微信",
        "answer": [
            {"q": "q1", "title": "您对我局机关作风的总体评价", "answer": satisfaction},
            {"q": "q2", "title": "您反映的问题涉及哪个部门", "answer": "办公室"},
            {"q": "q4", "title": "其他补充", "answer": f"意见{joinid}"},
        ],
    }


def test_json_push(tmp_path, loaded, engine):
    home = tmp_path / "home"
    one = import_wjx_json(
        engine=engine, loaded=loaded, form_id="comments", answers=push(101, 10), home=home
    )
    assert one.inserted == 1
    answers = [push(101, 10), push(102, 20), push(103, 25, ipaddress="5.6.7.8")]
    answers.append({**push(104, 22), "answer": push(102, 20)["answer"]})
    answers.append({**push(105, 40), "submittime": "2023-12-01 08:00:00"})
    path = tmp_path / "push.wjx.jsonl"
    path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in answers), "utf-8")
    result = import_wjx(engine=engine, loaded=loaded, form_id="comments", path=path, home=home)
    # 104 repeats 102's answers from the same IP 2 minutes later: once; 101 again: unchanged
    assert (result.duplicates, result.rejected, result.inserted, result.unchanged) == (1, 1, 2, 1)
    assert result.issues[0].render().startswith("push.wjx.jsonl 第5条 submittime: 提交时间")
    assert set(submissions(engine, "comments")) == {"PY-101", "PY-102", "PY-103"}
    assert len(list((home / "raw" / "wjx-test-2023").glob("*push.*"))) == 2
    bad = [push(106, 30, satisfaction="非常满意")]
    with pytest.raises(ImportRejected) as caught:
        import_wjx_json(engine=engine, loaded=loaded, form_id="comments", answers=bad, home=home)
    assert caught.value.issues[0].render().startswith("wjx-push.jsonl 第1条 q1: 应为以下之一")


def test_json_push_ballot(tmp_path, loaded, engine):
    answer = {
        "name": "作风测评",
        "joinid": "9001",
        "submittime": "2023-11-05 10:00:00",
        "ipaddress": "1.2.3.4",
        "answer": [
            {"q": "q1", "title": "您的身份", "answer": "中层干部"},
            {"q": "q2", "title": "对王磊的总体评价", "answer": "优秀"},
            {"q": "q3", "title": "对陈静的总体评价", "answer": "查无此人"},
        ],
    }
    with pytest.raises(ImportRejected) as caught:
        import_wjx_json(
            engine=engine, loaded=loaded, form_id="ballots", answers=answer, home=tmp_path
        )
    assert caught.value.issues[0].render().startswith("wjx-push.jsonl 第1条 q3: 应为以下之一")
    answer["answer"][2]["answer"] = "称职"
    result = import_wjx_json(
        engine=engine, loaded=loaded, form_id="ballots", answers=[answer], home=tmp_path
    )
    assert result.inserted == 2
    with db.read_session(engine) as session:
        datas = session.scalars(select(db.Submission.data)).all()
    assert "9001" not in json.dumps(datas) and "1.2.3.4" not in json.dumps(datas)


def test_cli(tmp_path, loaded, monkeypatch):
    import typer

    from campaignflow.cli import collect, questionnaire

    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    collect.register(app)
    questionnaire.register(app)
    monkeypatch.setenv("CAMPAIGNFLOW_HOME", str(tmp_path / "home"))
    url = sqlite_url(tmp_path / "cli.db")
    open_database(url).dispose()
    good = write_xlsx(tmp_path / "comments.xlsx", {"Sheet1": feedback_rows()})
    bad = write_xlsx(tmp_path / "bad.xlsx", {"Sheet1": feedback_rows(bad_option=True)})
    runner = CliRunner()
    result = runner.invoke(app, ["import-wjx", str(SPEC), "comments", str(bad), "--db", url])
    assert result.exit_code == 2 and "Sheet1!G8" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["import-wjx", str(SPEC), "群众评议留言", str(good), "--db", url])
    assert result.exit_code == 0, result.output
    assert "重复 1 份" in result.output and "Sheet1!B12" in result.output


def test_inbox(tmp_path, loaded, engine):
    from campaignflow.collect.inbox import collect_inbox, inbox_folder

    home = tmp_path / "home"
    folder = inbox_folder(home, loaded)
    folder.mkdir(parents=True)
    write_xlsx(folder / "comments.wjx.xlsx", {"Sheet1": feedback_rows()})
    (folder / "测评表.wjx.json").write_text(json.dumps([push(1, 1)]), "utf-8")
    report = collect_inbox(engine=engine, loaded=loaded, home=home)
    by_file = {f.file: f for f in report.files}
    assert by_file["comments.wjx.xlsx"].status == "已导入"
    assert by_file["comments.wjx.xlsx"].inserted == 12
    assert by_file["测评表.wjx.json"].status == "已拒收"  # a feedback push is no ballot
    assert (folder / "processed" / "comments.wjx.xlsx").exists()
