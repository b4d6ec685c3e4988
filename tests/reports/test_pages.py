"""Reports as printed: PDF pages from LibreOffice, page images from pdftoppm, fonts that come with
the Python environment (a machine with no CJK font at all)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from docx import Document
from report_support import import_sample

from campaignflow.reports import final_context, phase_context, render_template
from campaignflow.reports.branches import branch_units, write_branch_reports
from campaignflow.reports.charts import report_charts
from campaignflow.reports.pdf import INSTALL_HINT, docx_to_pdf, find_soffice
from campaignflow.reports.publish import publish
from campaignflow.snapshot import take_snapshot
from campaignflow.spec.shipped import shipped_root

pytestmark = pytest.mark.slow
MAX_GAP = 8.0  # pt between two pieces of one line: more is a stretched (justified) line


def _require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if find_soffice() is None:
        missing.append("LibreOffice")
    if missing:
        message = f"{'、'.join(missing)} missing: {INSTALL_HINT}; apt-get install poppler-utils"
        pytest.fail(message) if os.environ.get("CI") == "true" else pytest.skip(message)


@pytest.fixture(scope="module")
def three_reports(tmp_path_factory) -> dict[str, Path]:
    """The DOCX of one phase, one final and one branch report of 八破八立."""
    _require("pdftotext", "pdftoppm", "pdfinfo", "pdffonts")
    tmp = tmp_path_factory.mktemp("pages")
    engine, loaded, home, _ = import_sample(
        tmp, shipped_root() / "bapo-bali-2023" / "campaign.yaml"
    )
    out = {}
    for stage, kind in (("examine", "phase"), (None, "final")):
        end = (
            next(s.window[1] for s in loaded.spec.stages if s.id == stage)
            if stage
            else max(s.window[1] for s in loaded.spec.stages)
        )
        snap = take_snapshot(engine=engine, loaded=loaded, as_of=end, stage=stage)
        context = (
            phase_context(loaded=loaded, snapshot=snap)
            if stage
            else final_context(loaded=loaded, snapshot=snap)
        )
        markdown = render_template(None, f"{kind}.md.j2", context)
        published = publish(
            engine=engine, loaded=loaded, home=home, scope=f"phase:{stage}" if stage else "final",
            as_of=end, markdown=markdown, charts=report_charts(loaded, snap),
        )  # fmt: skip
        out[kind] = published.files["docx"]
    units = branch_units(engine, loaded)[:1]
    write_branch_reports(
        engine=engine, loaded=loaded, home=home, stage="examine", as_of=dt.date(2023, 5, 15),
        units=units,
    )  # fmt: skip
    out["branch"] = next((home / "reports").rglob(f"branches/examine-*/{units[0]}.docx"))
    return out


def _rows(pdf: Path) -> list[tuple[int, float, list[tuple[float, float, str]]]]:
    """(page, y, pieces (x0, x1, text)) of every printed line, from pdftotext's boxes."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True, check=True
    ).stdout
    rows: dict[tuple[int, float], list] = {}
    for page, body in enumerate(re.findall(r"<page .*?</page>", xml, re.S), 1):
        for x0, y0, x1, _y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            body,
        ):
            rows.setdefault((page, round(float(y0))), []).append((float(x0), float(x1), word))
    return [(p, y, sorted(w)) for (p, y), w in sorted(rows.items())]


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("&quot;", '"').replace("&amp;", "&")


@pytest.mark.parametrize("kind, pages", [("phase", (3, 8)), ("final", (3, 9)), ("branch", (1, 4))])
def test_pages_have_no_stretched_line(three_reports, kind, pages, tmp_path):
    docx = three_reports[kind]
    pdf = docx_to_pdf(docx, tmp_path / f"{kind}.pdf")
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages[0] <= count <= pages[1], count
    document = Document(docx)
    paragraphs = [_plain(p.text) for p in document.paragraphs if p.text.strip()]
    cells = {_plain("".join(c.text for c in row.cells)) for t in document.tables for row in t.rows}
    checked = unmatched = 0
    for page, _y, pieces in _rows(pdf):
        text = _plain("".join(w for _, _, w in pieces))
        if any(text in c for c in cells) or re.fullmatch(r"—\d+—", text) or len(text) < 4:
            continue  # a table row, a page number, a stray piece
        if re.match(r"^[图表]\d+", text):
            continue  # a caption: its number and title are set apart by a full-width space
        source = next((p for p in paragraphs if text in p), None)
        if source is None:
            unmatched += 1
            continue
        checked += 1
        gaps = [b[0] - a[1] for a, b in zip(pieces, pieces[1:], strict=False)]
        assert max(gaps, default=0) <= MAX_GAP, f"page {page}: stretched line {text!r} {gaps}"
    assert checked >= 10 and unmatched <= checked // 10, (checked, unmatched)
    # the page images: every page has ink inside the text block only
    subprocess.run(["pdftoppm", "-r", "30", "-gray", pdf, tmp_path / "page"], check=True)
    images = sorted(tmp_path.glob("page*.pgm"))
    assert len(images) == count
    for image in images:
        _magic, size, _depth, pixels = image.read_bytes().split(b"\n", 3)
        width, height = map(int, size.split())
        left = round(28 / 25.4 * 30)
        assert all(
            px >= 128 for y in range(height) for px in pixels[y * width : y * width + left - 2]
        )
        assert sum(1 for px in pixels if px < 128) > 200, f"{image.name} is empty"


def test_signature_is_right_aligned_on_the_page(three_reports, tmp_path):
    pdf = docx_to_pdf(three_reports["phase"], tmp_path / "phase.pdf")
    rows = _rows(pdf)
    date = next(
        r for r in reversed(rows) if _plain("".join(w for *_, w in r[2])) == "2023年5月15日"
    )
    right = max(x1 for _, x1, _ in date[2])
    block_right = (210 - 26) / 25.4 * 72
    assert block_right - 4 * 16 - 8 <= right <= block_right - 4 * 16 + 8  # four characters in


FRESH = """
import sys, warnings
from pathlib import Path
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from campaignflow.reports.charts import category_chart, monthly_chart, cjk_font
    charts = [category_chart({"不想担当": 3, "不善担当": 2, "不敢担当": 1}),
              monthly_chart({"2023-01": {"支委会": 1, "主题党日": 2}, "2023-02": {}})]
glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message)]
assert not glyphs, glyphs[:3]
print("family", cjk_font())
from campaignflow.reports.docx import markdown_to_docx
from campaignflow.reports.pdf import docx_to_pdf
out = Path(sys.argv[1])
docx = markdown_to_docx("# 标题\\n\\n## 一、一级标题\\n\\n**（一）二级标题**。正文。\\n", out / "f.docx")
print("pdf", docx_to_pdf(docx, out / "f.pdf"))
"""


def test_fresh_machine_fonts_come_with_the_environment(tmp_path):
    """No system font at all (an empty fontconfig), a new matplotlib cache: charts still have
    their glyphs and the PDF embeds the shipped Noto Serif SC and Noto Sans SC."""
    _require("pdffonts")
    conf = tmp_path / "empty.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path / 'fc'}</cachedir></fontconfig>\n"
    )
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(conf),
        "MPLCONFIGDIR": str(tmp_path / "mpl"),
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(FRESH), str(tmp_path)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Glyph" not in done.stderr and "missing from" not in done.stderr, done.stderr[-2000:]
    assert "family Noto Sans SC" in done.stdout
    fonts = subprocess.run(
        ["pdffonts", tmp_path / "f.pdf"], capture_output=True, text=True, check=True, env=env
    ).stdout
    names = [line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]]
    assert any(n.startswith("NotoSerifSC") for n in names), fonts  # body, title
    assert any(n.startswith("NotoSansSC") for n in names), fonts  # 黑体 headings
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), "every font embedded"
