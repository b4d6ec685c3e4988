"""Cross-reference checks over a structurally valid campaign.

Each check yields `(path, message)`; the loader maps paths to file:line:column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

from ..calendar import WorkCalendar
from .kinds import effective_fields
from .models import Campaign, Measure, Person, Unit, UnitKind
from .translate import suggest

Found = tuple[tuple, str]
GROUP_PREFIX = "各"


def _unknown(kind: str, value: str, known: list[str]) -> str:
    hint = suggest(value, known) or (
        f"（已有：{', '.join(known[:12])}）" if known else "（尚未定义任何项）"
    )
    return f"未知{kind} {value}{hint}"


def _duplicates(items: list, section: tuple, what: str) -> Iterator[Found]:
    seen = Counter(item.id for item in items)
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        if seen[item.id] > 1:
            if item.id in first:
                yield (
                    (*section, i, "id"),
                    f"{what}编号 {item.id} 重复（第一次出现在第 {first[item.id] + 1} 项）",
                )
            else:
                first[item.id] = i


def _unknown_owner(owner: str, units: list[Unit]) -> str:
    kind = owner[len(GROUP_PREFIX) :]
    if owner.startswith(GROUP_PREFIX) and kind in get_args(UnitKind):
        return f"未知责任单位 {owner}：units 中没有类型（kind）为 {kind} 的组织"
    return _unknown("责任单位", owner, [u.name for u in units])


def resolve_owner(name: str, units: list[Unit]) -> list[Unit] | None:
    """Units an owner names: a unit id, a unit name, or 各<类型> (every unit of that kind)."""
    for unit in units:
        if name in (unit.id, unit.name):
            return [unit]
    if name.startswith(GROUP_PREFIX):
        group = [u for u in units if u.kind == name[len(GROUP_PREFIX) :]]
        return group or None
    return None


def check_units(
    units: list[Unit], people: list[Person], from_file: bool, people_from_file: bool
) -> Iterator[Found]:
    section = ("units", "file") if from_file else ("units",)
    if not from_file:
        yield from _duplicates(units, ("units",), "组织")
    ids = [u.id for u in units]
    by_id = {u.id: u for u in units}
    for i, unit in enumerate(units):
        if unit.parent is not None and unit.parent not in by_id:
            where = section if from_file else ("units", i, "parent")
            yield where, _unknown("上级组织", unit.parent, ids)
    for i, unit in enumerate(units):  # cycles in the tree, reported at each unit on one
        chain, current = [unit.id], unit
        while current.parent and current.parent in by_id:
            current = by_id[current.parent]
            if current.id in chain:
                if current.id == unit.id:
                    where = section if from_file else ("units", i, "parent")
                    yield where, f"组织层级出现循环：{' → '.join([*chain, unit.id])}"
                break
            chain.append(current.id)
    if not people_from_file:
        yield from _duplicates(people, ("people",), "人员")
    counts = Counter(p.id for p in people)
    for pid in sorted(k for k, n in counts.items() if n > 1 and people_from_file):
        yield ("people", "file"), f"人员编号 {pid} 重复"
    for i, person in enumerate(people):
        if person.unit not in by_id:
            where = ("people", "file") if people_from_file else ("people", i, "unit")
            yield where, f"{person.name}（{person.id}）：" + _unknown("组织", person.unit, ids)


def check_stages(spec: Campaign) -> Iterator[Found]:
    key = "phases" if spec.staged else "tracks"
    stages = spec.stages
    yield from _duplicates(stages, (key,), "阶段" if spec.staged else "工作线")
    for i, stage in enumerate(stages):
        if stage.window and stage.window[0] > stage.window[1]:
            yield (key, i, "window"), f"开始日期 {stage.window[0]} 晚于结束日期 {stage.window[1]}"
    if spec.staged:
        for i in range(1, len(stages)):
            prev, cur = stages[i - 1], stages[i]
            if cur.window[0] <= prev.window[1]:
                yield (
                    (key, i, "window", 0),
                    (
                        f"阶段 {cur.id} 的开始日期 {cur.window[0]} 与上一阶段 {prev.id}"
                        f"（至 {prev.window[1]}）重叠；分阶段的活动须依次进行"
                    ),
                )
        metric_ids = list(spec.metrics)
        for i, phase in enumerate(stages):
            for gate_name in ("entry", "exit"):
                gate = getattr(phase, gate_name)
                for metric in gate.metrics if gate else {}:
                    if metric not in spec.metrics:
                        yield (
                            (key, i, gate_name, "metrics", metric),
                            _unknown("指标", metric, metric_ids),
                        )


def check_measures(
    spec: Campaign,
    units: list[Unit] | None,
    due: dict[str, dt.date | None],
    due_errors: dict[str, str],
) -> Iterator[Found]:
    """`units` is None when the organisation tree is incomplete: owners are then not checked."""
    yield from _duplicates(spec.measures, ("measures",), "措施")
    stages = {s.id: s for s in spec.stages}
    stage_ids = list(stages)
    first_index: dict[str, int] = {}
    for i, measure in enumerate(spec.measures):
        at = ("measures", i)
        repeated = first_index.setdefault(measure.id, i) != i  # its due is the first one's
        yield from _measure_stage(spec, measure, at, stages, stage_ids)
        for j, owner in enumerate(measure.owners if units is not None else []):
            if resolve_owner(owner, units) is None:
                where = (*at, "owner") if isinstance(measure.owner, str) else (*at, "owner", j)
                yield where, _unknown_owner(owner, units)
        if measure.form is not None and measure.form not in spec.forms:
            yield (*at, "form"), _unknown("表单", measure.form, list(spec.forms))
        if measure.target is not None and measure.target.metric not in spec.metrics:
            yield (
                (*at, "target", "metric"),
                _unknown("指标", measure.target.metric, list(spec.metrics)),
            )
        if repeated:
            continue
        if measure.id in due_errors:
            yield (*at, "due"), due_errors[measure.id]
            continue
        stage = stages.get(measure.phase or measure.track or "")
        day = due.get(measure.id)
        if (
            day
            and stage is not None
            and stage.window
            and stage.window[0] <= stage.window[1]  # a reversed window is reported already
            and not (stage.window[0] <= day <= stage.window[1])
        ):
            yield (
                (*at, "due"),
                (
                    f"期限 {day} 不在所属阶段 {stage.id}（{stage.window[0]} 至 {stage.window[1]}）之内"
                ),
            )


def _measure_stage(spec, measure: Measure, at, stages, stage_ids) -> Iterator[Found]:
    if spec.staged:
        if measure.track is not None:
            yield (*at, "track"), "分阶段的活动（phases）中，措施应写 phase 而不是 track"
        elif measure.phase is None:
            yield at, f"措施 {measure.id} 须写明所属阶段 phase"
        elif measure.phase not in stages:
            yield (*at, "phase"), _unknown("阶段", measure.phase, stage_ids)
    else:
        if measure.phase is not None:
            yield (*at, "phase"), "并行推进的活动（tracks）中，措施应写 track 而不是 phase"
        elif measure.track is None:
            yield at, f"措施 {measure.id} 须写明所属工作线 track"
        elif measure.track not in stages:
            yield (*at, "track"), _unknown("工作线", measure.track, stage_ids)


def check_forms(spec: Campaign) -> Iterator[Found]:
    for form_id, form in spec.forms.items():
        at = ("forms", form_id)
        for name, field in form.fields.items():
            if field.choices is not None:
                if not field.choices:
                    yield (*at, "fields", name, "choices"), "选项列表为空"
                seen: set[str] = set()
                for k, choice in enumerate(field.choices):
                    if choice in seen:
                        yield (*at, "fields", name, "choices", k), f"选项 {choice} 重复"
                    seen.add(choice)
        fields = effective_fields(form)
        for k, key in enumerate(form.key):
            if key not in fields:
                yield (*at, "key", k), _unknown("字段", key, list(fields))
        if form.kind == "rectification":
            if form.of is None:
                yield at, "整改清单（rectification）须用 of 指明对应的问题清单表单"
            elif form.of not in spec.forms:
                yield (*at, "of"), _unknown("表单", form.of, list(spec.forms))
            elif spec.forms[form.of].kind != "problem":
                yield (
                    (*at, "of"),
                    f"of 应指向 problem 类表单，而 {form.of} 是 {spec.forms[form.of].kind}",
                )
        elif form.of is not None:
            yield (*at, "of"), "只有整改清单（rectification）可以写 of"
        if form.kind != "activity" and (form.activity_type or form.activity_types):
            yield (*at, "activity_type"), "只有活动类表单（activity）可以写活动类型"
        if form.activity_type and form.activity_types:
            yield (*at, "activity_types"), "activity_type 与 activity_types 只能写一个"
        if form.evaluation is not None and form.kind != "ballot":
            yield (*at, "evaluation"), "只有测评表（ballot）可以写 evaluation"
        if form.evaluation is not None:
            yield from _check_evaluation(form.evaluation, (*at, "evaluation"))
            findings = form.evaluation.findings
            if findings is not None and findings not in spec.forms:
                yield (*at, "evaluation", "findings"), _unknown("表单", findings, list(spec.forms))
            elif findings is not None and spec.forms[findings].kind != "record":
                yield (
                    (*at, "evaluation", "findings"),
                    f"findings 应指向 record 类表单，而 {findings} 是 {spec.forms[findings].kind}",
                )
        if form.date_field is not None:
            if form.date_field not in fields:
                yield (*at, "date_field"), _unknown("字段", form.date_field, list(fields))
            elif fields[form.date_field].type != "date":
                yield (
                    (*at, "date_field"),
                    f"date_field 应为日期字段，{form.date_field} 是 {fields[form.date_field].type}",
                )
        for column, target in form.columns.items():
            if target not in fields:
                yield (*at, "columns", column), _unknown("字段", target, list(fields))


def _check_evaluation(ev, at) -> Iterator[Found]:
    yield from _duplicates(ev.categories, (*at, "categories"), "类别")
    ids = Counter(ind.id for cat in ev.categories for ind in cat.indicators)
    for c, cat in enumerate(ev.categories):
        for k, ind in enumerate(cat.indicators):
            if ids[ind.id] > 1:
                yield (*at, "categories", c, "indicators", k, "id"), f"指标编号 {ind.id} 重复"
                ids[ind.id] = 1
    for q, quota in enumerate(ev.quotas):
        if quota.grade not in ev.grades:
            yield (*at, "quotas", q, "grade"), _unknown("等次", quota.grade, list(ev.grades))
    if not any(points is not None for points in ev.grades.values()):
        yield (*at, "grades"), "至少要有一个计分的等次"
    scored = [g for g, points in ev.grades.items() if points is not None]
    for grade in ev.grade_floors:
        if grade not in scored:
            yield (*at, "grade_floors", grade), _unknown("计分等次", grade, scored)
    if ev.pass_grade is not None and ev.pass_grade not in scored:
        yield (*at, "pass_grade"), _unknown("计分等次", ev.pass_grade, scored)
    for group, weight in ev.rater_groups.items():
        if weight < 0:
            yield (*at, "rater_groups", group), f"测评人类别 {group} 的权重不能为负数"
    veto_classes = [k for k, rule in enumerate(ev.classes) if rule.veto]
    for k in veto_classes[1:]:
        yield (*at, "classes", k, "veto"), "只能有一个否决类别（veto: true）"
    has_veto_indicator = any(ind.veto for cat in ev.categories for ind in cat.indicators)
    if has_veto_indicator and ev.classes and not veto_classes:
        yield (
            (*at, "classes"),
            "有否决指标（veto: true），还需要一个否决类别（如 躺平式，veto: true）",
        )
    for k, rule in enumerate(ev.classes):
        if (
            rule.min_score is not None
            and rule.max_score is not None
            and rule.min_score >= rule.max_score
        ):
            yield (*at, "classes", k), f"类别 {rule.label} 的 min_score 应小于 max_score"


def check_metrics(spec: Campaign) -> Iterator[Found]:
    for metric_id, metric in spec.metrics.items():
        at = ("metrics", metric_id)
        op = next(k for k in ("count", "sum", "distinct", "rate") if getattr(metric, k) is not None)
        form = spec.forms.get(metric.form)
        if form is None:
            where = (*at, op, "form") if op == "rate" else (*at, op)
            yield where, _unknown("表单", metric.form, list(spec.forms))
            continue
        fields = effective_fields(form)
        if op in ("sum", "distinct"):
            if metric.field is None:
                yield (*at, op), f"{op} 应写成 表单.字段，如 {metric.form}.attendees"
            elif metric.field not in fields:
                yield (
                    (*at, op),
                    f"表单 {metric.form} 没有字段 {metric.field}"
                    + suggest(metric.field, list(fields)),
                )
            elif op == "sum" and fields[metric.field].type not in ("int", "number"):
                yield (
                    (*at, op),
                    f"sum 只能用于数字字段，{metric.field} 是 {fields[metric.field].type}",
                )
        wheres = [((*at, "where"), metric.where)]
        if metric.rate is not None:
            wheres.append(((*at, "rate", "where"), metric.rate.where))
        for where_at, where in wheres:
            for name, value in where.items():
                yield from _check_filter(metric.form, fields, name, value, (*where_at, name))
        for k, name in enumerate(metric.group_by):
            if name not in fields:
                where = (*at, "by") if isinstance(metric.by, str) else (*at, "by", k)
                yield where, f"表单 {metric.form} 没有字段 {name}" + suggest(name, list(fields))


def _check_filter(form_id, fields, name, value, at) -> Iterator[Found]:
    if name not in fields:
        yield at, f"表单 {form_id} 没有字段 {name}" + suggest(name, list(fields))
        return
    choices = fields[name].choices
    if choices:
        for v in value if isinstance(value, list) else [value]:
            if str(v) not in choices:
                yield at, f"{v} 不是字段 {name} 的选项（可选：{'、'.join(choices)}）"


def check_reports(spec: Campaign, root: Path) -> Iterator[Found]:
    reports = spec.reports
    for name in ("phase", "final"):
        template = getattr(reports, name)
        if template and not (root / template).is_file():
            yield ("reports", name), f"找不到报告模板 {template}（相对于 {root}）"
    stage_ids = [s.id for s in spec.stages]
    for stage_id, template in reports.phases.items():
        if stage_id not in stage_ids:
            yield ("reports", "phases", stage_id), _unknown("阶段", stage_id, stage_ids)
        elif not (root / template).is_file():
            yield ("reports", "phases", stage_id), f"找不到报告模板 {template}（相对于 {root}）"
    if reports.narrative and reports.narrative not in spec.forms:
        yield ("reports", "narrative"), _unknown("表单", reports.narrative, list(spec.forms))


def check_templates(spec: Campaign, root: Path) -> Iterator[Found]:
    """The campaign's own report templates, checked before any run: syntax, filters, variables
    and metric names (`m.<id>`), each error naming the template's file:line."""
    from ..reports.render import FINAL_VARIABLES, PHASE_VARIABLES, template_problems

    reports = spec.reports
    wanted: list[tuple[tuple, str, frozenset[str]]] = []
    if reports.phase:
        wanted.append((("reports", "phase"), reports.phase, PHASE_VARIABLES))
    if reports.final:
        wanted.append((("reports", "final"), reports.final, FINAL_VARIABLES))
    wanted += [(("reports", "phases", k), v, PHASE_VARIABLES) for k, v in reports.phases.items()]
    metrics = set(spec.metrics)
    for at, template, variables in wanted:
        path = root / template
        if not path.is_file():
            continue  # check_reports says so
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
                _unknown("组织", recipient.unit, [u.name for u in units]),
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


def check_calendar(spec: Campaign, calendar: WorkCalendar) -> Iterator[Found]:
    dated: list[tuple[tuple, dt.date]] = []
    key = "phases" if spec.staged else "tracks"
    for i, stage in enumerate(spec.stages):
        for k, day in enumerate(stage.window or ()):
            dated.append(((key, i, "window", k), day))
    for i, measure in enumerate(spec.measures):
        if isinstance(measure.due, dt.date):
            dated.append((("measures", i, "due"), measure.due))
    reported: set[int] = set()
    for at, day in dated:
        if not calendar.covers(day) and day.year not in reported:
            reported.add(day.year)
            years = [d for _, d in dated if d.year == day.year]
            yield (
                at,
                (
                    f"{day.year} 年的法定节假日安排未知（涉及 {', '.join(sorted({str(d) for d in years}))}）："
                    f"请在 calendar.extra_holidays / extra_workdays 中写明 {day.year} 年的放假和调休日期，"
                    "或设置 calendar.workweek: mon-fri"
                ),
            )


SUBJECT_SLOT = "{subject}"  # in a ballot questionnaire's `columns` key: one ballot per cadre


def check_questionnaires(spec: Campaign) -> Iterator[Found]:
    """A form's `questionnaire` (问卷星 import): a feedback or ballot form whose `columns` map
    the questions its kind needs (feedback: content; ballot: grade and who is rated)."""
    for form_id, form in spec.forms.items():
        q = form.questionnaire
        if q is None:
            continue
        at = ("forms", form_id, "questionnaire")
        if form.kind not in ("feedback", "ballot"):
            yield at, f"问卷星导入只适用于 feedback 或 ballot 类表单，而 {form_id} 是 {form.kind}"
            continue
        if q.window is not None and q.window[0] > q.window[1]:
            yield (*at, "window"), f"开始日期 {q.window[0]} 晚于结束日期 {q.window[1]}"
        targets = set(form.columns.values())
        slotted = {k: v for k, v in form.columns.items() if "{" in k or "}" in k}
        for key in slotted:
            rest = key.replace(SUBJECT_SLOT, "")
            if form.kind != "ballot" or key.count(SUBJECT_SLOT) != 1 or "{" in rest or "}" in rest:
                yield (
                    ("forms", form_id, "columns", key),
                    f"列名模式“{key}”无效：只有测评表（ballot）可用，且须恰好含一个 {SUBJECT_SLOT}，"
                    "如“对{subject}的评价”",
                )
        if form.kind == "feedback" and "content" not in targets:
            yield (
                ("forms", form_id, "columns"),
                "问卷星导入需要在 columns 中把一道题对应到 content（反映内容），"
                "如 columns: {您的意见和建议: content}",
            )
        if form.kind == "ballot":
            for key in form.columns:
                if key.strip() in ("序号", "答卷编号", "来自IP", "来源详情", "joinid", "ipaddress"):
                    yield (
                        ("forms", form_id, "columns", key),
                        f"测评是匿名的：“{key}”会暴露答卷人，不能对应到测评表的字段",
                    )
            if "grade" not in targets:
                yield (
                    ("forms", form_id, "columns"),
                    "问卷星导入需要在 columns 中把评价题对应到 grade（总体评价），"
                    "如 columns: {对{subject}的评价: grade}",
                )
            if "subject" not in targets and not any(v == "grade" for v in slotted.values()):
                yield (
                    ("forms", form_id, "columns"),
                    "问卷星导入需要知道被测评人：把一道题对应到 subject，"
                    "或用含 {subject} 的列名模式对应 grade（如“对{subject}的评价”）",
                )
