"""The reader's fast formula-tag scan gives the regular expression's answer, across chunks."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from openpyxl import Workbook

from campaignflow.collect import reader

SAMPLES = [
    b"",
    b"f",
    b"<f>",
    b"<f",  # cut: no character after the tag name
    b'<c r="A1"><f>SUM(A2:A3)</f><v></v></c>',
    b'<c r="A2"><f t="shared" si="0"/></c>',
    b"<f\tt='x'>",
    b"<f\x0b>",
    b"<x:f>A1</x:f>",
    b"<x14:f>A1</x14:f>",
    b"<x.y-z_1:f/>",
    b"<formula1>LIST</formula1>",  # data validation: not a formula cell
    b"<family val='2'/>",
    b'<c r="A1" t="inlineStr"><is><t>a:f b of fff <ff> :f> x:f</t></is></c>',
    b"<1x:f>",  # not a name: no match
    b"text<:f>",
    b"<sheetFormatPr defaultRowHeight='15'/>",
]


@pytest.mark.parametrize("sample", SAMPLES)
def test_formula_in_agrees_with_the_regex(sample: bytes) -> None:
    expected = reader._FORMULA_TAG.search(sample) is not None
    assert reader._formula_in(sample) is expected
    padded = b"<row><c><v>1</v></c>" * 50 + sample + b"</row>"
    assert reader._formula_in(padded) is (reader._FORMULA_TAG.search(padded) is not None)


def test_formula_in_agrees_with_the_regex_on_random_text() -> None:
    rng = random.Random(9)
    alphabet = b"<>/:fx c\t\nvr="
    for _ in range(3000):
        sample = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        expected = reader._FORMULA_TAG.search(sample) is not None
        assert reader._formula_in(sample) is expected, sample


def test_many_f_bytes_fall_back_to_the_regex() -> None:
    text = b"<t>" + b"of fluffy stuff " * 2000 + b"</t>"
    assert reader._formula_in(text) is False
    assert reader._formula_in(text + b"<x:f>A1</x:f>") is True
    assert reader._formula_in(b"<f>" + text) is True


@pytest.mark.parametrize("tag", [b"<f>", b"<x:f>", b"<f/>", b"<spreadsheet:f "])
def test_a_formula_tag_cut_between_chunks_is_found(tag: bytes) -> None:
    for cut in range(len(tag) + 1):
        data = b"a" * (reader._CHUNK - cut) + tag + b"b" * 100
        assert reader._has_formula(io.BytesIO(data)), (tag, cut)
    assert not reader._has_formula(io.BytesIO(b"a" * (reader._CHUNK * 2 + 7)))


def test_uncached_formulas_are_located(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    ws.append(["编号", "数量"])
    ws.append(["Q1", 3])
    ws.append(["Q2", "=B2*2"])
    ws["D5"] = "=SUM(B2:B3)"
    path = tmp_path / "f.xlsx"
    wb.save(path)
    table = reader.open_table(path, ["问题清单"])
    assert table.uncached == {3: {1}, 5: {3}}


def test_rows_keep_real_columns_when_data_starts_right(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    ws["C2"], ws["D2"] = "编号", "数量"
    ws["C3"], ws["D3"] = "Q1", 3
    path = tmp_path / "offset.xlsx"
    wb.save(path)
    table = reader.open_table(path, ["问题清单"], ["编号"])
    assert table.header_row == 2
    assert table.header == ["", "", "编号", "数量"]
    assert list(table.rows) == [(3, ["", "", "Q1", 3.0])]
    assert table.uncached == {}
