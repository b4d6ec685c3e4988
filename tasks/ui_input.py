"""Decisions a person takes in the Prefect UI while a run waits (interactive workflows).

The run pauses with a form built from a RunInput model; the answer (or the timeout) is stored
in the campaign database like any other sign-off.
"""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from pydantic import Field

from campaignflow.gates import record_declined, sign_off, signed_off
from campaignflow.spec import LoadedCampaign

from ._common import workspace


class PhaseSignOff(RunInput):
    """支部书记（或方案指定的人）确认本阶段已完成。"""

    approved: bool = Field(default=True, title="同意本阶段结束、进入下一阶段")
    signer: str = Field(title="签批人")
    remarks: str = Field(default="", title="意见")


async def ask_sign_off(loaded: LoadedCampaign, stage: str, as_of: dt.date, timeout: int) -> bool:
    """Pause for the stage's exit sign-off unless it is already recorded; True when signed."""
    current = next(s for s in loaded.spec.stages if s.id == stage)
    role = current.exit.sign_off if current.exit else None
    engine = workspace().engine
    if role is None or signed_off(engine=engine, loaded=loaded, stage=stage, as_of=as_of):
        return True
    logger = get_run_logger()
    logger.info("等待%s在界面中签批“%s”阶段（%d 秒内有效）", role, current.name, timeout)
    form = PhaseSignOff.with_initial_data(
        description=(
            f"**{loaded.spec.campaign.title} · {current.name}**：请{role}确认本阶段工作已完成，"
            "可填写意见后提交。"
        ),
        signer=role,
    )
    recorded = {"engine": engine, "loaded": loaded, "stage": stage, "on": as_of, "actor": "ui"}
    try:
        answer = await pause_flow_run(wait_for_input=form, timeout=timeout, poll_interval=2)
    except FlowPauseTimeout:
        record_declined(**recorded, by=role, reason="超时未签批")
        logger.warning("%s未在 %d 秒内签批，阶段关口保持未满足", role, timeout)
        return False
    if not answer.approved:
        record_declined(**recorded, by=answer.signer, reason=answer.remarks)
        logger.warning("%s未同意结束本阶段：%s", answer.signer, answer.remarks)
        return False
    sign_off(**recorded, by=answer.signer, remarks=answer.remarks)
    logger.info("%s已签批：%s", answer.signer, answer.remarks)
    return True


def form_input(loaded: LoadedCampaign, form_id: str) -> type[RunInput]:
    """A RunInput model of one form's fields: the UI shows it as a form (choices as dropdowns)."""
    import typing

    from pydantic import create_model

    python_types = {"int": int, "number": float, "date": dt.date, "bool": bool}
    units = "、".join(u.name for u in loaded.units)
    fields = {}
    for name, spec in loaded.form_fields(form_id).items():
        kind = python_types.get(spec.type, str)
        if spec.type == "choice" and spec.choices:
            kind = typing.Literal[tuple(spec.choices)]
        hint = f"可选：{units}" if spec.type == "unit" and units else spec.help
        info = Field(title=spec.label or name, description=hint)
        if not spec.required:
            kind = kind | None
            info = Field(default=None, title=spec.label or name, description=hint)
        fields[name] = (kind, info)
    return create_model(f"Form_{form_id}", __base__=RunInput, **fields)


async def ask_activity(loaded: LoadedCampaign, form_id: str, timeout: int) -> dict:
    """Pause for one activity record; store it (checked like an imported row)."""
    form = loaded.spec.forms.get(form_id)
    if form is None or form.kind != "activity":
        activity_forms = [f for f, spec in loaded.spec.forms.items() if spec.kind == "activity"]
        raise ValueError(f"{form_id} 不是活动类表单（可选：{'、'.join(activity_forms)}）")
    request = form_input(loaded, form_id).with_initial_data(
        description=f"**{loaded.spec.campaign.title} · {form.title}**：请填写一次活动，带 * 的为必填项。"
    )
    logger = get_run_logger()
    try:
        answer = await pause_flow_run(wait_for_input=request, timeout=timeout, poll_interval=2)
    except FlowPauseTimeout:
        logger.warning("%d 秒内无人填写，未记录活动", timeout)
        return {"status": "超时", "form": form_id}
    values = answer.model_dump(exclude_none=True)
    from campaignflow.collect.manual import EntryRejected, record_entry

    try:
        status = record_entry(
            engine=workspace().engine, loaded=loaded, form_id=form_id, values=values, actor="ui"
        )
    except EntryRejected as exc:
        logger.error("活动记录有误，未保存：%s", exc)
        return {"status": "有误", "form": form_id, "error": str(exc)}
    logger.info("活动已记录（%s）：%s %s", status, values.get("date"), values.get("title"))
    return {"status": status, "form": form_id, "values": {k: str(v) for k, v in values.items()}}
