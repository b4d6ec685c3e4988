"""Checks of what a campaign produces and sends: report templates, reminders, no secrets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .checks_common import Found, resolve_owner, unknown
from .models import Campaign, Unit
from .paths import outside


def _template_problem(root: Path, template: str) -> str | None:
    problem = outside(root, template)
    if problem is None and not (root / template).is_file():
        problem = f"找不到报告模板 {template}（相对于 {root}）"
    return problem


def check_reports(spec: Campaign, root: Path) -> Iterator[Found]:
    reports = spec.reports
    for name in ("phase", "final", "branch"):
        template = getattr(reports, name)
        problem = template and _template_problem(root, template)
        if problem:
            yield ("reports", name), problem
    stage_ids = [s.id for s in spec.stages]
    for stage_id, template in reports.phases.items():
        if stage_id not in stage_ids:
            yield ("reports", "phases", stage_id), unknown("阶段", stage_id, stage_ids)
        elif problem := _template_problem(root, template):
            yield ("reports", "phases", stage_id), problem
    if spec.campaign.inbox and (problem := outside(root, spec.campaign.inbox)):
        yield ("campaign", "inbox"), problem
    if reports.narrative and reports.narrative not in spec.forms:
        yield ("reports", "narrative"), unknown("表单", reports.narrative, spec.form_names)
    for name, campaign_id in reports.campaigns.items():
        if campaign_id == spec.campaign.id:
            yield ("reports", "campaigns", name), f"报告不能引用活动自身（{campaign_id}）"


def check_templates(spec: Campaign, root: Path) -> Iterator[Found]:
    """The campaign's own report templates, checked before any run: syntax, filters, variables
    and metric names (`m.<id>`), each error naming the template's file:line."""
    reports = spec.reports
    if not (reports.phase or reports.final or reports.branch or reports.phases):
        return  # only the built-in templates, which the package's own tests check
    from ..reports.render import (
        BRANCH_VARIABLES,
        FINAL_VARIABLES,
        PHASE_VARIABLES,
        template_problems,
    )

    wanted: list[tuple[tuple, str, frozenset[str]]] = []
    if reports.phase:
        wanted.append((("reports", "phase"), reports.phase, PHASE_VARIABLES))
    if reports.final:
        wanted.append((("reports", "final"), reports.final, FINAL_VARIABLES))
    if reports.branch:
        wanted.append((("reports", "branch"), reports.branch, BRANCH_VARIABLES))
    wanted += [(("reports", "phases", k), v, PHASE_VARIABLES) for k, v in reports.phases.items()]
    metrics = set(spec.metrics)
    for at, template, variables in wanted:
        if _template_problem(root, template):
            continue  # check_reports says so
        path = root / template
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            yield at, f"无法读取报告模板 {template}：{exc}（请保存为 UTF-8 文本）"
            continue
        for problem in template_problems(source, template, variables, metrics):
            yield at, problem


def check_reminders(spec: Campaign, units: list[Unit] | None) -> Iterator[Found]:
    for i, recipient in enumerate(spec.reminders.recipients):
        if units is not None and resolve_owner(recipient.unit, units) is None:
            yield (
                ("reminders", "recipients", i, "unit"),
                unknown("组织", recipient.unit, [u.name for u in units]),
            )
        if recipient.channel not in spec.reminders.channels:
            yield (
                ("reminders", "recipients", i, "channel"),
                (f"渠道 {recipient.channel} 未在 reminders.channels 中启用"),
            )


_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)
_TOKEN_PARAM = re.compile(r"[?&](access_token|key|token|secret|password)=[^&\s]{8,}", re.IGNORECASE)
_LONG_HEX = re.compile(r"^(SEC)?[0-9a-fA-F]{32,}$")


def secret_kind(value: str) -> str | None:
    """What kind of secret a value looks like, or None."""
    text = value.strip()
    if _URL_PASSWORD.search(text):
        return "网址中的密码"
    if _TOKEN_PARAM.search(text):
        return "网址中的令牌"
    if _LONG_HEX.match(text):
        return "机器人令牌或签名密钥"
    return None


def _strings(value, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))
    elif isinstance(value, str):
        yield path, value


def check_secrets(spec: Campaign) -> Iterator[Found]:
    """Tokens and passwords never belong in a campaign file: say where they go instead."""
    from ..notify.secrets import where_to_put

    targets = {
        ("reminders", "recipients", i, "target"): r for i, r in enumerate(spec.reminders.recipients)
    }
    for path, value in _strings(
        spec.model_dump(exclude_unset=True, exclude_defaults=True, warnings=False), ()
    ):
        kind = secret_kind(value)
        if kind is None:
            continue
        recipient = targets.get(path)
        if recipient is not None:
            yield (
                path,
                (
                    f"疑似密钥（{kind}）不能写在方案文件中：请删除，改为放在"
                    f"{where_to_put(recipient.channel, '', recipient.secret_name)}；"
                    "target 只写接收人名称（如 机关党支部工作群）"
                ),
            )
        else:
            yield (
                path,
                f"疑似密钥（{kind}）不能写在方案文件中：请删除，改为放在环境变量或 Prefect Secret 块中",
            )
