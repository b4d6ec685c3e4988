"""Every built-in report (phase, final, branch) of every shipped campaign reads as a 报告: the four
parts, the 落款, numbered tables and figures, and 存在问题 items that name units and figures of
the data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from report_support import import_sample

from campaignflow.reports import final_context, phase_context, render_template
from campaignflow.reports.branches import branch_contexts, branch_units
from campaignflow.reports.charts import report_charts
from campaignflow.reports.filters import cn_date
from campaignflow.reports.layout import SIGNATURE_MARK, Laid, lay_out
from campaignflow.snapshot import take_snapshot
from campaignflow.spec.shipped import shipped_campaigns

CAMPAIGNS = sorted(shipped_campaigns())
HEADINGS = ["## 一、主要做法和成效", "## 二、存在问题和不足", "## 三、下一步工作打算"]


@dataclass
class Rendered:
    campaign: str
    kind: str  # phase / final / branch
    name: str
    context: dict[str, Any]
    laid: Laid
    loaded: Any


def _render(loaded, snap, kind: str, context: dict[str, Any], charts=()) -> Laid:
    template = {"phase": "phase.md.j2", "final": "final.md.j2", "branch": "branch.md.j2"}[kind]
    return lay_out(render_template(None, template, context), charts, prefix="x-")


@pytest.fixture(scope="module")
def every_report(tmp_path_factory) -> list[Rendered]:
    out: list[Rendered] = []
    for name, folder in shipped_campaigns().items():
        tmp = tmp_path_factory.mktemp(name)
        engine, loaded, _home, _ = import_sample(tmp, folder / "campaign.yaml")
        for stage in loaded.spec.stages:
            snap = take_snapshot(
                engine=engine, loaded=loaded, as_of=stage.window[1], stage=stage.id
            )
            context = phase_context(loaded=loaded, snapshot=snap)
            laid = _render(loaded, snap, "phase", context, report_charts(loaded, snap))
            out.append(Rendered(name, "phase", stage.id, context, laid, loaded))
        end = max(s.window[1] for s in loaded.spec.stages)
        snap = take_snapshot(engine=engine, loaded=loaded, as_of=end)
        context = final_context(loaded=loaded, snapshot=snap)
        out.append(
            Rendered(
                name,
                "final",
                "final",
                context,
                _render(loaded, snap, "final", context, report_charts(loaded, snap)),
                loaded,
            )
        )
        stage = loaded.spec.stages[0]
        units = branch_units(engine, loaded)[:3]
        for key, context in branch_contexts(
            engine=engine, loaded=loaded, stage=stage.id, as_of=stage.window[1], units=units
        ):
            out.append(
                Rendered(
                    name, "branch", key, context, _render(loaded, None, "branch", context), loaded
                )
            )
    return out


def test_every_campaign_has_each_kind(every_report):
    kinds = {(r.campaign, r.kind) for r in every_report}
    assert kinds == {(c, k) for c in CAMPAIGNS for k in ("phase", "final", "branch")}


def test_four_parts_and_the_signature(every_report):
    for r in every_report:
        md = r.laid.markdown
        lines = md.splitlines()
        title = lines[0]
        assert title.startswith("# ") and "\u200b" not in md, (r.campaign, r.name)
        assert not re.search(r"(..+)\1", title), title  # no word said twice in a row
        headings = [ln for ln in lines if ln.startswith("## ")]
        assert headings == HEADINGS, (r.campaign, r.name, headings)
        opening = lines[2]
        assert "截至" in opening or "未向" in opening, opening
        assert "{{" not in md and "None" not in md and "　　" not in md
        # 落款: the organisation (from the spec or the branch) and the date in Chinese
        tail = [ln for ln in lines[lines.index(SIGNATURE_MARK) + 1 :] if ln]
        who = r.context["campaign"]["organisation"]
        assert tail == [who, cn_date(r.context["as_of"])], tail
        assert who in (r.loaded.spec.campaign.organisation, r.context.get("branch", {}).get("name"))
        # each paragraph on one line: no line of body text is followed by another without a blank
        body = md.strip().split("\n\n")
        for block in body:
            if not block.startswith(("|", "<!--")) and "\n" in block:
                pytest.fail(f"{r.campaign} {r.name}: a paragraph on two lines: {block[:60]}")


def test_tables_and_figures_are_numbered_where_they_stand(every_report):
    figures_seen = 0
    for r in every_report:
        lines = r.laid.markdown.splitlines()
        tables = [ln for ln in lines if re.match(r"^表\d+　", ln)]
        assert [int(re.match(r"表(\d+)", t).group(1)) for t in tables] == list(
            range(1, len(tables) + 1)
        )
        for t in tables:  # the title stands above its table
            assert lines[lines.index(t) + 2].startswith("| "), t
        images = [ln for ln in lines if ln.startswith("![")]
        assert len(images) == len(r.laid.figures)
        for n, image in enumerate(images, 1):
            caption = lines[lines.index(image) + 2]
            assert caption.startswith(f"图{n}　"), (image, caption)
            assert image.startswith(f"![{caption}](x-图{n}-")
        assert "附图" not in r.laid.markdown
        figures_seen += len(images)
    assert figures_seen > 10


def test_what_was_done_names_who_and_when(every_report):
    for r in (x for x in every_report if x.kind == "phase"):
        done = r.context["prose"]["done"]
        measures = r.context["progress"]["measures"]
        # each measure under its own title; a milestone named as the 重要节点 it is
        assert [d["heading"] for d in done] == [
            m["title"] + ("（重要节点）" if m["milestone"] else "") for m in measures
        ]
        for d, m in zip(done, measures, strict=True):
            named = [u["name"] for u in m["units"]]
            assert any(n in d["text"] for n in named) or len(named) > 6, d["text"]
            for u in m["units"]:
                if len(m["units"]) == 1 and u["done_on"]:
                    assert cn_date(u["done_on"]) in d["text"], d["text"]


def _unit_names(loaded) -> set[str]:
    return {u.name for u in loaded.units} | {"（未指定）"}


def test_each_problem_names_a_unit_and_a_figure_of_the_data(every_report):
    kinds_seen = set()
    for r in every_report:
        problems = r.context["prose"]["problems"]
        md = r.laid.markdown
        part = md[md.index(HEADINGS[1]) : md.index(HEADINGS[2])]
        for item in problems:
            if item["kind"] == "narrative":
                continue
            kinds_seen.add(item["kind"])
            assert item["heading"] in part and item["text"] in part
            assert item["figures"], item
            for figure in item["figures"]:
                assert figure in item["text"], (figure, item["text"])
            if item["kind"] != "gate":
                assert item["units"], item
            for unit in item["units"]:
                assert unit in item["text"] or len(item["units"]) > 6, (unit, item["text"])
                assert unit in _unit_names(r.loaded), unit
        overdue = [i for i in problems if i["kind"] == "overdue"]
        expected = r.context["progress"]["overdue"]
        assert bool(overdue) == bool(expected)
        if expected:
            assert overdue[0]["figures"] == [str(i["workdays_overdue"]) for i in expected]
            assert overdue[0]["units"] == [i["unit_name"] for i in expected]
        open_problems = [i for i in problems if i["kind"] == "open_problems"]
        ledger = r.context["ledger"]
        if open_problems:
            assert open_problems[0]["figures"][0] == str(sum(ledger["open_by_unit"].values()))
    assert {"overdue", "open_problems", "cadence"} <= kinds_seen, kinds_seen


def test_a_report_without_shortfalls_says_so(every_report):
    clean = [r for r in every_report if not r.context["prose"]["problems"]]
    assert clean, "some shipped report has no shortfall"
    for r in clean:
        md = r.laid.markdown
        part = md[md.index(HEADINGS[1]) : md.index(HEADINGS[2])]
        assert "经对照检查" in part and "未发现逾期未完成" in part, part
    with_problems = [r for r in every_report if r.context["prose"]["problems"]]
    assert with_problems
    for r in with_problems:
        assert "经对照检查" not in r.laid.markdown


def test_a_phase_report_shows_its_own_exit_conditions(every_report):
    examine = next(
        r for r in every_report if r.campaign == "bapo-bali-2023" and r.name == "examine"
    )
    gate = examine.context["prose"]["gate"]
    exit_checks = examine.context["exit_gate"]["checks"]
    assert f"本阶段设完成条件{len(exit_checks)}项" in gate
    met = sum(c["ok"] for c in exit_checks)
    assert f"已满足{met}项" in gate
    assert "进入本阶段的" in gate  # the entry conditions, apart
    for check in exit_checks:
        assert check["detail"] in gate
    assert "完成条件落实情况" in examine.laid.markdown


def test_a_track_report_shows_the_tracks_own_figures(every_report):
    study = next(
        r for r in every_report if r.campaign == "theme-education-2023" and r.name == "study"
    )
    rows = [row["title"] for row in study.context["prose"]["data"]]
    assert rows and "问题" not in "".join(rows), rows
    assert "查找问题" not in study.context["prose"]["opening"]
    assert "工作线" in study.laid.markdown and "项工作" in study.context["prose"]["opening"]
    assert "工作措施" not in study.context["prose"]["opening"]
    staged = next(r for r in every_report if r.campaign == "bapo-bali-2023" and r.kind == "phase")
    assert "项工作措施" in staged.context["prose"]["opening"]


def test_next_steps_come_from_what_remains(every_report):
    mobilise = next(
        r for r in every_report if r.campaign == "bapo-bali-2023" and r.name == "mobilise"
    )
    following = mobilise.context["next_stage"]
    plan = mobilise.context["prose"]["plans"][0]
    assert plan["heading"] == f"扎实推进{following['label']}工作"
    for m in following["measures"]:
        assert m["title"] in plan["text"]
        if m["due"]:
            assert f"{cn_date(m['due'])}前完成" in plan["text"]
    last = next(r for r in every_report if r.campaign == "bapo-bali-2023" and r.name == "improve")
    assert last.context["next_stage"] is None
