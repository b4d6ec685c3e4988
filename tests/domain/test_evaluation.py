"""民主测评: the sample round, the scoring rules, anonymity, and property-based invariants."""

from __future__ import annotations

import math
import random

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from campaignflow import db
from campaignflow.cli.ledger import register
from campaignflow.evaluation import (
    DoubleVote,
    EvaluationError,
    Vote,
    evaluate_all,
    evaluate_round,
    record_cast,
    report_data,
    score_round,
)
from campaignflow.spec.models import Evaluation

ROUND = "2023年“躺平式”干部专项整治测评"


def test_sample_round_six_doers_one_lying_flat(tangping):
    result = evaluate_round(engine=tangping.engine, loaded=tangping.loaded, round_key=ROUND)
    classes = {p.name: p.classification for p in result.people}
    assert classes == {
        "王磊": "实干型", "陈静": "实干型", "刘洋": "实干型", "张婷": "实干型",
        "孙浩": "实干型", "吴倩": "实干型", "黄伟": "一般", "马超": "躺平式",
    }  # fmt: skip
    assert result.classes == {"实干型": 6, "一般": 1, "躺平式": 1}
    scores = {p.name: p.score for p in result.people}
    assert scores["王磊"] == 88.0 and scores["黄伟"] == 70.0 and scores["马超"] == 50.0
    chen = next(p for p in result.people if p.name == "陈静")
    assert chen.ballots == 8 and chen.valid == 7 and chen.denominator == 7  # 不了解 left out
    assert chen.votes["不了解"] == 1
    ma = next(p for p in result.people if p.name == "马超")
    assert ma.vetoed and "在岗不在状态" in ma.reason and "一票否决" in ma.reason
    assert ma.indicators["idle"] == 7
    huang = next(p for p in result.people if p.name == "黄伟")
    assert not huang.vetoed  # not a veto indicator, and 不予认定
    assert result.ballots == 64
    with db.read_session(tangping.engine) as s:
        rows = s.scalars(select(db.EvaluationResult)).all()
    assert len(rows) == 8 and sum(r.vetoed for r in rows) == 1
    assert {r.classification for r in rows} == {"实干型", "一般", "躺平式"}
    again = evaluate_all(engine=tangping.engine, loaded=tangping.loaded)  # idempotent
    assert [p.score for p in again[0].people] == [p.score for p in result.people]
    data = report_data(again)
    assert data["classes"] == {"实干型": 6, "一般": 1, "躺平式": 1}


def test_unknown_round_is_a_clear_error(tangping):
    with pytest.raises(EvaluationError, match="没有轮次"):
        evaluate_round(engine=tangping.engine, loaded=tangping.loaded, round_key="2099")


def test_cli_evaluate(tangping):
    app = typer.Typer()
    register(app)
    spec = str(tangping.loaded.path)
    ok = CliRunner().invoke(app, ["evaluate", spec, "--round", ROUND, "--db", tangping.url])
    assert ok.exit_code == 0, ok.output
    assert "躺平式" in ok.output and "马超" in ok.output
    bad = CliRunner().invoke(app, ["evaluate", spec, "--round", "无此轮", "--db", tangping.url])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


EV = Evaluation(
    grades={"优秀": 95, "称职": 85, "基本称职": 75, "不称职": 65, "不了解": None},
    rater_groups={"班子成员": 0.4, "中层": 0.3, "一般干部": 0.2, "服务对象": 0.1},
    classes=[
        {"label": "实干型", "min_score": 88},
        {"label": "一般", "max_score": 88},
        {"label": "躺平式", "veto": True},
    ],
    quotas=[{"grade": "优秀", "at_most": 0.3}],
    categories=[
        {
            "id": "c",
            "title": "不愿担当",
            "indicators": [{"id": "idle", "title": "躺", "veto": True}],
        }
    ],
    min_ballots_shown=1,
)


def test_rules_by_hand():
    votes = [
        Vote("a", "优秀", "班子成员"),
        Vote("a", "称职", "中层"),
        Vote("a", "不了解", "服务对象"),
    ]
    person = score_round(EV.model_copy(update={"quotas": []}), votes).people[0]
    # groups with votes: 0.4·95 + 0.3·85, re-normalised over 0.7 (一般干部/服务对象 drop out)
    assert person.score == round((0.4 * 95 + 0.3 * 85) / 0.7, 2)
    assert person.grade == "优秀"  # ≥ 90 (halfway 95/85)
    assert person.excellent_rate == 0.5 and person.pass_rate == 1.0
    alone = score_round(EV, votes).people[0]  # one person: 30% of 1 → no 优秀 place
    assert alone.grade == "称职" and "名额" in alone.grade_reason
    assert person.classification == "实干型" and "≥ 88" in person.reason
    edge = score_round(EV, [Vote("b", "称职", "班子成员")]).people[0]
    assert edge.score == 85 and edge.classification == "一般"  # max_score excluded
    ev = Evaluation.model_validate(
        {**EV.model_dump(), "classes": [{"label": "x", "min_score": 85}]}
    )
    at_min = score_round(ev, [Vote("b", "称职", "班子成员")]).people[0]
    assert at_min.classification == "x"  # min_score included


def test_veto_by_ballots_and_confirmed():
    votes = [Vote("a", "优秀", "班子成员", frozenset({"idle"}))] * 2 + [Vote("a", "优秀", "中层")]
    assert not score_round(EV, votes).people[0].vetoed  # default: needs confirmation
    confirmed = score_round(EV, votes, confirmed={"a": {"idle": "2023-11-08"}}).people[0]
    assert confirmed.vetoed and confirmed.classification == "躺平式"
    by_ballots = score_round(EV.model_copy(update={"veto_rule": "ballots"}), votes).people[0]
    assert by_ballots.vetoed and "2/3" in by_ballots.reason
    half = [Vote("a", "优秀", "班子成员", frozenset({"idle"})), Vote("a", "优秀", "中层")]
    assert not score_round(EV.model_copy(update={"veto_rule": "ballots"}), half).people[0].vetoed


def test_anonymity_small_groups_and_people_hidden():
    ev = EV.model_copy(update={"min_ballots_shown": 3})
    votes = [Vote("a", "称职", "班子成员")] * 3 + [Vote("a", "优秀", "服务对象")]
    result = score_round(ev, votes)
    person = result.people[0]
    assert person.groups["班子成员"]["shown"] and not person.groups["服务对象"]["shown"]
    assert person.groups["服务对象"]["mean"] is None
    assert result.by_group["服务对象"] is None and result.by_group["班子成员"] == 3
    lone = score_round(ev, [Vote("b", "优秀", "中层")] * 2).people[0]
    assert lone.score is None and lone.votes == {} and lone.classification is None
    assert "少于 3 张" in lone.reason


def test_headcount_denominator():
    ev = EV.model_copy(update={"denominator": "headcount"})
    votes = [Vote("a", "优秀", "班子成员"), Vote("a", "不了解", "班子成员")]
    person = score_round(ev, votes, headcount={"班子成员": 4}).people[0]
    assert person.denominator == 4 and person.excellent_rate == 0.25
    assert person.score == 95  # the score is always over valid votes


def test_quota_ties_move_down_together():
    votes = [Vote(s, "优秀", "班子成员") for s in "abc"] + [
        Vote(s, "称职", "班子成员") for s in "defghij"
    ]
    result = score_round(EV, votes)  # 10 people, 优秀 ≤ 3 — all three fit
    assert result.distribution["优秀"] == 3
    votes.append(Vote("k", "优秀", "班子成员"))  # 11 people → cap 3, four tied at 95
    result = score_round(EV, votes)
    assert result.distribution["优秀"] == 0 and result.notes
    assert "名额" in next(p for p in result.people if p.subject == "a").grade_reason


def test_double_vote_refused(tangping):
    with db.write_session(tangping.engine) as s:
        round_id = s.scalar(select(db.EvaluationRound.id))
        record_cast(session=s, round_id=round_id, rater="R1", rater_group="班子成员")
        s.flush()
        with pytest.raises(DoubleVote):
            record_cast(session=s, round_id=round_id, rater="R1")


# ---------------------------------------------------------------- properties

GRADES = list(EV.grades)
GROUPS = [*EV.rater_groups, None]
votes_st = st.lists(
    st.builds(
        Vote,
        subject=st.sampled_from(["a", "b", "c", "d", "e"]),
        grade=st.sampled_from(GRADES),
        rater_group=st.sampled_from(GROUPS),
        ticks=st.sets(st.just("idle")).map(frozenset),
    ),
    max_size=60,
)


def _summary(result):
    return [
        (p.subject, p.score, p.grade, p.votes, p.classification, p.excellent_rate, p.groups)
        for p in result.people
    ]


@settings(max_examples=150, deadline=None)
@given(votes_st)
def test_score_within_point_range(votes):
    for p in score_round(EV, votes).people:
        if p.score is not None:
            assert 65 <= p.score <= 95


@settings(max_examples=150, deadline=None)
@given(votes_st, st.randoms(use_true_random=False))
def test_permutation_does_not_change_results(votes, rnd: random.Random):
    shuffled = list(votes)
    rnd.shuffle(shuffled)
    assert _summary(score_round(EV, votes)) == _summary(score_round(EV, shuffled))


@settings(max_examples=150, deadline=None)
@given(votes_st, st.sampled_from(["a", "b", "c"]), st.sampled_from(GROUPS))
def test_unknown_vote_does_not_change_score(votes, subject, group):
    before = {p.subject: p.score for p in score_round(EV, votes).people}
    after = {
        p.subject: p.score for p in score_round(EV, [*votes, Vote(subject, "不了解", group)]).people
    }
    assert after.get(subject) == before.get(subject)


@settings(max_examples=150, deadline=None)
@given(votes_st, st.sampled_from([0.1, 0.2, 0.3, 0.5]))
def test_quotas_respected(votes, share):
    ev = Evaluation.model_validate(
        {**EV.model_dump(), "quotas": [{"grade": "优秀", "at_most": share}]}
    )
    result = score_round(ev, votes)
    rated = sum(1 for p in result.people if p.score is not None)
    assert result.distribution["优秀"] <= math.floor(share * rated + 1e-9)
