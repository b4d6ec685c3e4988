from __future__ import annotations

import datetime as dt

from campaignflow.reports import filters as f


def test_numbers_and_sections():
    assert [f.cn_number(n) for n in (1, 10, 12, 20, 37, 105, 110)] == [
        "一",
        "十",
        "十二",
        "二十",
        "三十七",
        "一百零五",
        "一百一十",
    ]
    assert [f.section(3, level) for level in (1, 2, 3, 4)] == ["三、", "（三）", "3.", "（3）"]
    assert f.ordinal_is(2) == "二是"
    assert (f.cn_quantity(2), f.cn_quantity(4), f.cn_quantity(12)) == ("两", "四", "十二")


def test_counts_percent_dates_punctuation():
    assert (
        f.count(37, "次") == "37次"
        and f.count(301.0, "人次") == "301人次"
        and f.count(None, "册") == "0册"
    )
    assert f.percent(0.923) == "92.3%" and f.percent(1.0) == "100%" and f.percent(None) == "—"
    assert f.cn_date(dt.date(2023, 11, 5)) == "2023年11月5日"
    assert f.cn_date("2023-11-05", "month") == "2023年11月"
    assert f.full_width("问题(共3条):整改,销号") == "问题（共3条）：整改，销号"
    assert f.join_cn(["支委会", "党员大会"]) == "支委会、党员大会"


def test_run_in_heading_is_bold_before_the_full_stop():
    assert (
        f.run_in("进一步加强党性修养。坚持学习。", "（一）")
        == "**（一）进一步加强党性修养**。坚持学习。"
    )
    assert f.run_in("没有句号的一段话", "（二）") == "（二）没有句号的一段话"
