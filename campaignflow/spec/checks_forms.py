"""Checks of forms (fields, keys, evaluation, questionnaires) and of the metrics over them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from .checks_common import Found, duplicates, unknown
from .kinds import effective_fields
from .models import METRIC_KINDS, Campaign
from .translate import suggest


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
                yield (*at, "key", k), unknown("字段", key, list(fields))
        if form.kind == "rectification":
            if form.of is None:
                yield at, "整改清单（rectification）须用 of 指明对应的问题清单表单"
            elif form.of not in spec.forms:
                yield (*at, "of"), unknown("表单", form.of, spec.form_names)
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
                yield (*at, "evaluation", "findings"), unknown("表单", findings, spec.form_names)
            elif findings is not None and spec.forms[findings].kind != "record":
                yield (
                    (*at, "evaluation", "findings"),
                    f"findings 应指向 record 类表单，而 {findings} 是 {spec.forms[findings].kind}",
                )
        if form.date_field is not None:
            if form.date_field not in fields:
                yield (*at, "date_field"), unknown("字段", form.date_field, list(fields))
            elif fields[form.date_field].type != "date":
                yield (
                    (*at, "date_field"),
                    f"date_field 应为日期字段，{form.date_field} 是 {fields[form.date_field].type}",
                )
        for column, target in form.columns.items():
            if target not in fields:
                yield (*at, "columns", column), unknown("字段", target, list(fields))


def _check_evaluation(ev, at) -> Iterator[Found]:
    yield from duplicates(ev.categories, (*at, "categories"), "类别")
    ids = Counter(ind.id for cat in ev.categories for ind in cat.indicators)
    for c, cat in enumerate(ev.categories):
        for k, ind in enumerate(cat.indicators):
            if ids[ind.id] > 1:
                yield (*at, "categories", c, "indicators", k, "id"), f"指标编号 {ind.id} 重复"
                ids[ind.id] = 1
    for q, quota in enumerate(ev.quotas):
        if quota.grade not in ev.grades:
            yield (*at, "quotas", q, "grade"), unknown("等次", quota.grade, list(ev.grades))
    if not any(points is not None for points in ev.grades.values()):
        yield (*at, "grades"), "至少要有一个计分的等次"
    scored = [g for g, points in ev.grades.items() if points is not None]
    for grade in ev.grade_floors:
        if grade not in scored:
            yield (*at, "grade_floors", grade), unknown("计分等次", grade, scored)
    if ev.pass_grade is not None and ev.pass_grade not in scored:
        yield (*at, "pass_grade"), unknown("计分等次", ev.pass_grade, scored)
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
        op = next(k for k in METRIC_KINDS if getattr(metric, k) is not None)
        form = spec.forms.get(metric.form)
        if form is None:
            where = (*at, op, "form") if op == "rate" else (*at, op)
            yield where, unknown("表单", metric.form, spec.form_names)
            continue
        if op in ("days", "span") and form.kind != "activity":
            activities = [k for k, f in spec.forms.items() if f.kind == "activity"]
            yield (
                (*at, op),
                (
                    f"{op} 只能用于活动类表单（kind: activity，有日期和结束日期），{metric.form} 是 "
                    f"{form.kind}"
                    + (f"（活动类表单：{'、'.join(activities)}）" if activities else "")
                ),
            )
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
