"""`plain` makes what `dataclasses.asdict` makes of the report dataclasses, without its deepcopy."""

from __future__ import annotations

import dataclasses
import datetime as dt


def test_plain_data_is_what_asdict_makes():
    from campaignflow.activities.cadence_check import Cadence, Shortfall
    from campaignflow.activities.counts import ActivityCount
    from campaignflow.evaluation.models import PersonResult, RoundResult
    from campaignflow.plain import plain

    result = RoundResult(
        "r1",
        people=[PersonResult("s1", "张三", votes={"优秀": 3}, groups={"班子": {"n": [1, 2]}})],
        by_group={"班子": None},
        notes=["人数不足"],
    )
    cadence = Cadence(
        dt.date(2023, 1, 1), dt.date(2023, 2, 1), [Shortfall("b1", "党课", "2023Q1", "每季度1次")]
    )
    counts = [ActivityCount("b1", "党课", "2023-03", 2, 40, 20)]
    for value in (result, cadence, counts, (cadence, [counts])):
        as_dict = (
            dataclasses.asdict(value)
            if dataclasses.is_dataclass(value)
            else dataclasses.asdict(_Box(value))["value"]
        )
        assert plain(value) == as_dict
    copied = plain(result)
    copied["people"][0]["votes"]["优秀"] = 0
    assert result.people[0].votes["优秀"] == 3  # a copy, as asdict's


@dataclasses.dataclass
class _Box:
    value: object
