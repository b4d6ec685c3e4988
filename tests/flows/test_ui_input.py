"""Interactive workflows: a phase waits for its sign-off in the UI; an activity entered in the UI.

A person's form submission is played by `resume_flow_run(..., run_input=...)` through the API.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterName,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.flow_runs import resume_flow_run

from campaignflow.gates import signed_off
from campaignflow.spec import load
from campaignflow.workspace import open_workspace
from flows.phase import phase
from flows.record_activity import record_activity


def _start(coro_factory) -> tuple[threading.Thread, dict]:
    box: dict = {}

    def target():
        try:
            box["result"] = asyncio.run(coro_factory())
        except BaseException as exc:  # noqa: BLE001 - surfaced by the test
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, box


def _paused_run(name: str, timeout: float = 90):
    async def find():
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    name=FlowRunFilterName(any_=[name]) if name else None,
                    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=["PAUSED"])),
                )
            )
            for run in runs:
                keyset = (run.state.state_details.run_input_keyset or {}) if run.state else {}
                if keyset.get("schema"):
                    try:
                        await client.read_flow_run_input(run.id, keyset["schema"])
                        return run
                    except Exception:  # noqa: BLE001 - not written yet
                        pass
            return None

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = asyncio.run(find())
        if run is not None:
            return run
        time.sleep(0.5)
    raise AssertionError(f"no paused run {name!r} waiting for input")


def test_phase_waits_for_sign_off_in_the_ui(home, fill_inbox, spec):
    fill_inbox(home, "bapo-bali-2023", skip=("signoff.csv",))
    path = spec("bapo-bali-2023")
    thread, box = _start(
        lambda: phase(
            spec_path=path,
            phase="mobilise",
            as_of=dt.date(2023, 3, 31),
            ask_sign_off_in_ui=True,
            sign_off_timeout=120,
        )
    )
    run = _paused_run("八破八立 · 学习动员 · 2023-03-31")
    resume_flow_run(
        run.id, run_input={"approved": True, "signer": "张书记", "remarks": "同意进入查摆剖析"}
    )
    thread.join(timeout=120)
    assert "error" not in box, box.get("error")
    loaded = load(path)
    record = signed_off(
        engine=open_workspace().engine, loaded=loaded, stage="mobilise", as_of=dt.date(2023, 3, 31)
    )
    assert record == {"by": "张书记", "remarks": "同意进入查摆剖析", "on": "2023-03-31"}


def test_sign_off_timeout_keeps_the_gate_closed(home, fill_inbox, spec):
    fill_inbox(home, "bapo-bali-2023", skip=("signoff.csv",))
    path = spec("bapo-bali-2023")
    outcome = asyncio.run(
        phase(
            spec_path=path,
            phase="mobilise",
            as_of=dt.date(2023, 3, 31),
            ask_sign_off_in_ui=True,
            sign_off_timeout=3,
        )
    )
    assert outcome["reports"]  # the run finishes and reports; the gate is what stays shut
    loaded = load(path)
    assert (
        signed_off(
            engine=open_workspace().engine,
            loaded=loaded,
            stage="mobilise",
            as_of=dt.date(2023, 3, 31),
        )
        is None
    )


def test_activity_entered_in_the_ui_is_stored(home, spec):
    path = spec("bapo-bali-2023")
    thread, box = _start(lambda: record_activity(spec_path=path, form="seminars", timeout=120))
    run = _paused_run("")
    resume_flow_run(
        run.id,
        run_input={
            "date": "2023-04-20",
            "unit": "局机关党支部",
            "type": "集中研讨",
            "title": "第一轮集中研讨（补录）",
            "attendees": 18,
            "round": "第一轮",
        },
    )
    thread.join(timeout=120)
    assert box.get("result", {}).get("status") == "新增", box
    from campaignflow.metrics import compute_metrics

    values = compute_metrics(
        engine=open_workspace().engine, loaded=load(path), as_of=dt.date(2023, 4, 30)
    )
    assert values["seminars_held"].value == 1
