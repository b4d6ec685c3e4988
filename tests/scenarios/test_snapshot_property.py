"""Property: after any sequence of filings (replace or append), withdrawals and restores, every
figure of the snapshot as of a date equals an independent recomputation — a plain Python model
of which rows are current, and plain SQL over the rows not withdrawn."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from campaignflow.collect import import_file
from campaignflow.collect.importer import ImportRejected
from campaignflow.collect.lifecycle import restore, withdraw
from campaignflow.db import make_engine, open_database
from campaignflow.snapshot import take_snapshot
from campaignflow.spec import load
from campaignflow.sync import sync_campaign

SPEC = """\
campaign: {id: prop, title: 性质测试, organisation: 测试党委, year: 2023}
units:
  - {id: root, name: 党委, kind: 党委}
  - {id: b1, name: 一支部, kind: 党支部, parent: root}
  - {id: b2, name: 二支部, kind: 党支部, parent: root}
  - {id: b3, name: 三支部, kind: 党支部, parent: root}
phases:
  - {id: p1, name: 第一阶段, window: [2023-03-01, 2023-06-30]}
measures:
  - {id: meet, title: 开会, phase: p1, owner: 各党支部, due: 2023-04-28, form: meetings,
     target: {metric: meetings_held, at_least: 2}}
  - {id: fix, title: 整改, phase: p1, owner: 各党支部, due: 2023-06-30, form: fixes,
     target: {metric: fixes_open, at_most: 0}}
forms:
  meetings: {kind: activity, title: 会议, activity_type: 支委会}
  problems:
    kind: problem
    title: 问题清单
    fields: {category: {type: choice, choices: [甲, 乙], label: 类别}}
  fixes: {kind: rectification, title: 整改清单, of: problems}
metrics:
  meetings_held: {count: meetings}
  attendance: {sum: meetings.attendees}
  problems_found: {count: problems}
  by_category: {count: problems, by: category}
  fixes_made: {count: fixes}
  fixes_closed: {count: fixes, where: {state: [已完成, 巩固]}}
  fixes_open: {count: fixes, where: {state: [未启动, 整改中]}}
"""
UNITS = ("b1", "b2", "b3")
DATES = [dt.date(2023, 3, 1) + dt.timedelta(days=9 * i) for i in range(14)]  # 03-01 … 06-27
AS_OF = (dt.date(2023, 3, 20), dt.date(2023, 4, 28), dt.date(2023, 5, 31), dt.date(2023, 6, 30))
HEADERS = {
    "meetings": ["日期", "党组织", "主题", "参加人数"],
    "problems": ["问题编号", "责任部门", "类别", "问题表现", "发现日期"],
    "fixes": ["措施编号", "问题编号", "整改措施", "责任部门", "整改时限", "状态", "销号日期",
              "审核人", "佐证材料", "巩固复查日期"],
}  # fmt: skip


# ---------------------------------------------------------------- the pools rows come from


def meeting(unit: str, i: int, day: int, people: int) -> dict:
    return {
        "日期": DATES[day].isoformat(),
        "党组织": unit,
        "主题": f"支委会{i}",
        "参加人数": people,
    }


def problem(unit: str, i: int, day: int, cat: str) -> dict:
    return {"问题编号": f"P-{unit}-{i}", "责任部门": unit, "类别": cat,
            "问题表现": f"问题{unit}{i}", "发现日期": DATES[day].isoformat()}  # fmt: skip


def fix(unit: str, i: int, j: int, state: str, due: int, closed: int, review: int) -> dict:
    done = state in ("已完成", "巩固")
    return {
        "措施编号": f"F-{unit}-{i}-{j}", "问题编号": f"P-{unit}-{i}", "整改措施": f"措施{unit}{i}{j}",
        "责任部门": unit, "整改时限": DATES[due].isoformat(), "状态": state,
        "销号日期": DATES[closed].isoformat() if done else "", "审核人": "审核" if done else "",
        "佐证材料": "材料" if done else "",
        "巩固复查日期": DATES[max(closed, review)].isoformat() if state == "巩固" else "",
    }  # fmt: skip


day = st.integers(0, len(DATES) - 1)
meetings = st.builds(meeting, st.sampled_from(UNITS), st.integers(1, 4), day, st.integers(1, 30))
problems = st.builds(
    problem, st.sampled_from(UNITS), st.integers(1, 3), day, st.sampled_from("甲乙")
)
fixes = st.builds(
    fix, st.sampled_from(UNITS), st.integers(1, 3), st.integers(1, 2),
    st.sampled_from(["未启动", "整改中", "已完成", "巩固", "长期坚持"]), day, day, day,
)  # fmt: skip
ROWS = {"meetings": meetings, "problems": problems, "fixes": fixes}
KEY = {"meetings": lambda r: (r["日期"], r["党组织"], r["主题"]), "problems": lambda r: r["问题编号"],
       "fixes": lambda r: r["措施编号"]}  # fmt: skip


@st.composite
def filing(draw):
    form = draw(st.sampled_from(list(ROWS)))
    unit = draw(st.sampled_from(UNITS))
    rows = draw(st.lists(ROWS[form], max_size=5))
    rows = [r for r in rows if r["责任部门" if form != "meetings" else "党组织"] == unit]
    unique = list({KEY[form](r): r for r in rows}.values())
    return ("file", form, unit, unique, draw(st.sampled_from(["replace", "append"])))


operations = st.lists(
    st.one_of(
        filing(),
        st.tuples(st.just("withdraw"), st.sampled_from(list(ROWS)), st.sampled_from(UNITS)),
        st.tuples(st.just("restore")),
    ),
    min_size=1,
    max_size=8,
)


# ---------------------------------------------------------------- the model


@dataclass
class Model:
    """Which rows are current: form -> key -> (row, 填报单位); withdrawn rows by the filing."""

    active: dict[str, dict] = field(default_factory=lambda: {f: {} for f in ROWS})
    withdrawn: dict[str, dict] = field(default_factory=lambda: {f: {} for f in ROWS})

    def _withdraw(self, form: str, keys: list, by: int) -> None:
        for key in keys:
            self.withdrawn[form][key] = (*self.active[form].pop(key), by)
        if form == "problems":
            gone = set(keys)
            fixes = [k for k, (r, _u) in self.active["fixes"].items() if r["问题编号"] in gone]
            self._withdraw("fixes", fixes, by)

    def file(self, form: str, unit: str, rows: list[dict], mode: str, by: int) -> None:
        for r in rows:
            self.withdrawn[form].pop(KEY[form](r), None)
            self.active[form][KEY[form](r)] = (r, unit)
        if mode == "replace":
            carried = {KEY[form](r) for r in rows}
            stale = [
                k for k, (_r, u) in self.active[form].items() if u == unit and k not in carried
            ]
            self._withdraw(form, stale, by)

    def withdraw_unit(self, form: str, unit: str, by: int) -> None:
        self._withdraw(form, [k for k, (_r, u) in self.active[form].items() if u == unit], by)

    def restore(self, by: int) -> None:
        for form in ("problems", "meetings", "fixes"):
            for key, (row, unit, who) in list(self.withdrawn[form].items()):
                if who != by:
                    continue
                if form == "fixes" and row["问题编号"] not in self.active["problems"]:
                    continue
                del self.withdrawn[form][key]
                self.active[form][key] = (row, unit)

    def figures(self, as_of: dt.date) -> dict:
        iso = as_of.isoformat()
        meetings = [r for r, _ in self.active["meetings"].values() if r["日期"] <= iso]
        problems = {
            r["问题编号"]: r for r, _ in self.active["problems"].values() if r["发现日期"] <= iso
        }
        fixes = [r for r, _ in self.active["fixes"].values() if r["问题编号"] in problems]

        def state(r: dict) -> str:
            s = r["状态"]
            if s in ("已完成", "巩固") and r["销号日期"] > iso:
                return "整改中"
            if s == "巩固" and r["巩固复查日期"] > iso:
                return "已完成"
            return s

        finished = ("已完成", "巩固", "长期坚持")
        per_problem = {
            code: [state(f) for f in fixes if f["问题编号"] == code] for code in problems
        }
        return {
            "meetings_held": len(meetings),
            "attendance": sum(int(r["参加人数"]) for r in meetings),
            "problems_found": len(problems),
            "by_category": {c: sum(r["类别"] == c for r in problems.values()) for c in "甲乙"},
            "fixes_made": len(fixes),
            "fixes_closed": sum(state(f) in ("已完成", "巩固") for f in fixes),
            "fixes_open": sum(state(f) in ("未启动", "整改中") for f in fixes),
            "problems_closed": sum(
                bool(s) and all(x in finished for x in s) for s in per_problem.values()
            ),  # fmt: skip
            "overdue": sorted(
                f["措施编号"] for f in fixes if state(f) not in finished and f["整改时限"] < iso
            ),
            "meet_done": {u: sum(r["党组织"] == u for r in meetings) >= 2 for u in UNITS},
            "fix_done": {
                u: not any(f["责任部门"] == u and state(f) in ("未启动", "整改中") for f in fixes)
                for u in UNITS
            },
        }


# ---------------------------------------------------------------- the run


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> tuple[Path, Path]:
    """A database with the spec synced, made once; each example works on a copy."""
    folder = tmp_path_factory.mktemp("property")
    (folder / "campaign.yaml").write_text(SPEC, encoding="utf-8")
    engine = open_database(f"sqlite:///{folder / 'template.db'}")
    sync_campaign(engine=engine, loaded=load(folder / "campaign.yaml"))
    engine.dispose()
    return folder / "campaign.yaml", folder / "template.db"


def _csv(path: Path, form: str, rows: list[dict]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADERS[form], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_snapshot_figures_equal_a_recomputation(ops, synced, tmp_path_factory):
    spec, template = synced
    work = tmp_path_factory.mktemp("example")
    shutil.copy(template, work / "c.db")
    engine = make_engine(f"sqlite:///{work / 'c.db'}")
    loaded = load(spec)
    model = Model()
    withdrawals: list[int] = []
    try:
        for n, op in enumerate(ops):
            if op[0] == "file":
                _, form, unit, rows, mode = op
                path = _csv(work / f"{n}.csv", form, rows)
                try:
                    result = import_file(engine=engine, loaded=loaded, form_id=form, path=path,
                                         mode=mode, unit=unit)  # fmt: skip
                except ImportRejected:  # a measure of a problem that is not current
                    current = set(model.active["problems"])
                    assert form == "fixes" and any(r["问题编号"] not in current for r in rows)
                    continue
                model.file(form, unit, rows, mode, result.filing or -1)
                if result.withdrawn:
                    withdrawals.append(result.filing)
            elif op[0] == "withdraw":
                _, form, unit = op
                done = withdraw(engine=engine, loaded=loaded, form_id=form, units=[unit], actor="t")
                model.withdraw_unit(form, unit, done.filing)
                withdrawals.append(done.filing)
            elif withdrawals:
                last = withdrawals.pop()
                restore(engine=engine, loaded=loaded, filing_id=last, actor="t")
                model.restore(last)
        for as_of in AS_OF:
            want = model.figures(as_of)
            snap = take_snapshot(engine=engine, loaded=loaded, as_of=as_of, stage="p1")
            m = snap.metric_values()
            got = {k: m[k] for k in ("meetings_held", "attendance", "problems_found",
                                      "by_category", "fixes_made", "fixes_closed", "fixes_open")}  # fmt: skip
            assert got == {k: want[k] for k in got}, as_of
            ledger = snap.ledger
            assert (ledger.problems, ledger.measures) == (
                want["problems_found"],
                want["fixes_made"],
            )
            assert (ledger.measures_closed, ledger.measures_open) == (
                want["fixes_closed"], want["fixes_open"])  # fmt: skip
            assert ledger.problems_closed == want["problems_closed"], as_of
            assert sorted(o["code"] for o in ledger.overdue) == want["overdue"], as_of
            done = {(i.measure, i.unit): i.done for i in snap.stage_progress.items}
            assert {u: done[("meet", u)] for u in UNITS} == want["meet_done"], as_of
            assert {u: done[("fix", u)] for u in UNITS} == want["fix_done"], as_of
        with engine.connect() as conn:  # plain SQL: the rows not withdrawn are the model's
            rows = conn.execute(
                text(
                    "SELECT f.key, s.natural_key FROM submission s JOIN form f ON f.id = s.form_id"
                    " WHERE s.archived = 0"
                )
            ).all()

        def natural(form: str, key) -> str:  # the activity form's key: date|unit|type|title
            return f"{key[0]}|{key[1]}|支委会|{key[2]}" if form == "meetings" else key

        expected = {(form, natural(form, k)) for form, rows_ in model.active.items() for k in rows_}
        assert set(map(tuple, rows)) == expected
    finally:
        engine.dispose()
