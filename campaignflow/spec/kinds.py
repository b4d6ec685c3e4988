"""What each form kind brings: its built-in fields and natural key.

A form's effective fields are its kind's built-ins, overridden or extended by the fields the
campaign file declares (same id: the declared label/choices/required win).
"""

from __future__ import annotations

from .models import Form, FormField

PROBLEM_SOURCES = ["自己找", "领导点", "互相提", "巡察", "审计", "群众评议"]
RECTIFICATION_STATES = ["未启动", "整改中", "已完成", "巩固", "长期坚持"]
FEEDBACK_STATES = ["待核实", "已核实", "处理中", "已办结", "已回复"]
RECEIVED, REPLIED = FEEDBACK_STATES[0], FEEDBACK_STATES[-1]
SATISFACTION = ["满意", "基本满意", "不满意"]
ACTIVITY_TYPES = [
    "支委会",
    "党员大会",
    "党小组会",
    "党课",
    "主题党日",
    "集中学习",
    "集中研讨",
    "宣讲",
    "志愿服务",
    "组织生活会",
    "民主生活会",
    "其他活动",
]


def _f(
    type_: str, label: str, required: bool = False, choices: list[str] | None = None
) -> FormField:
    return FormField(type=type_, label=label, required=required, choices=choices)


DEFAULT_GRADES = ["优秀", "称职", "基本称职", "不称职", "不了解"]


def ballot_grades(form: Form) -> list[str]:
    """The grades a ballot form offers: its evaluation's, else the default five."""
    return list(form.evaluation.grades) if form.evaluation else list(DEFAULT_GRADES)


def ballot_indicators(form: Form) -> list:
    """The indicators (表现) of a ballot form, in declared order."""
    ev = form.evaluation
    return [i for c in (ev.categories if ev else []) for i in c.indicators]


def builtin_fields(form: Form) -> dict[str, FormField]:
    """The fields a form of this kind always has (before the campaign's own declarations)."""
    if form.kind == "activity":
        types = form.activity_types or (
            [form.activity_type] if form.activity_type else ACTIVITY_TYPES
        )
        return {
            "date": _f("date", "日期", True),
            "end_date": _f("date", "结束日期"),  # a 读书班 over several days; default: the date
            "unit": _f("unit", "党组织", True),
            "type": _f("choice", "活动类型", not form.activity_type, list(types)),
            "title": _f("text", "主题", True),
            "attendees": _f("int", "参加人数"),
            "speaker": _f("text", "主讲人"),
        }
    if form.kind == "problem":
        return {
            "code": _f("text", "问题编号", True),
            "unit": _f("unit", "责任部门"),
            "source": _f("choice", "问题来源", False, PROBLEM_SOURCES),
            "category": _f("text", "问题类别"),
            "description": _f("text", "问题表现", True),
            "found_on": _f("date", "发现日期"),
        }
    if form.kind == "rectification":
        return {
            "code": _f("text", "措施编号", True),
            "problem": _f("text", "问题编号", True),
            "measure": _f("text", "整改措施", True),
            "owner": _f("unit", "责任部门"),
            "owner_person": _f("text", "责任人"),
            "leader": _f("text", "责任领导"),
            "due": _f("date", "整改时限"),
            "state": _f("choice", "状态", True, RECTIFICATION_STATES),
            "progress": _f("text", "进展"),
            "evidence": _f("text", "佐证材料"),
            "reviewer": _f("text", "审核人"),
            "closed_on": _f("date", "销号日期"),
            "review_on": _f("date", "巩固复查日期"),
            "note": _f("text", "备注"),
        }
    if form.kind == "ballot":
        ev = form.evaluation
        grades = ballot_grades(form)
        groups = list(ev.rater_groups) if ev and ev.rater_groups else None
        fields = {
            "round": _f("text", "测评轮次", True),
            "subject": _f("person", "被测评人", True),
            "rater_group": _f("choice", "测评人类别", True, groups)
            if groups
            else _f("text", "测评人类别"),
            "grade": _f("choice", "总体评价", True, grades),
        }
        for ind in ballot_indicators(form):
            fields[ind.id] = _f("bool", ind.title)
        return fields
    if form.kind == "feedback":
        return {
            "code": _f("text", "编号", True),
            "received_on": _f("date", "收到日期", True),
            "channel": _f("text", "渠道"),
            "content": _f("text", "反映内容", True),
            "unit": _f("unit", "承办部门"),
            "status": _f("choice", "办理状态", True, FEEDBACK_STATES),
            "replied_on": _f("date", "回复日期"),
            "satisfaction": _f("choice", "满意度", False, SATISFACTION),
        }
    return {}


def effective_fields(form: Form) -> dict[str, FormField]:
    """Built-in fields of the form's kind, then the declared ones (declared win)."""
    fields = builtin_fields(form)
    for name, declared in form.fields.items():
        base = fields.get(name)
        if base is None:
            fields[name] = declared
        else:
            merged = base.model_dump()
            merged.update(declared.model_dump(exclude_unset=True))
            fields[name] = FormField.model_validate(merged)
    return fields


KIND_DATE_FIELD = {"activity": "date", "problem": "found_on", "feedback": "received_on"}

# A state that a date of the row dates: before that date the row was still in the earlier
# state. Per kind: the state field, then (states, date field, state before that date), applied
# in order — a 巩固 measure closed after the day was 整改中 then; one reviewed after it, 已完成.
DATED_STATES: dict[str, tuple[str, tuple[tuple[tuple[str, ...], str, str], ...]]] = {
    "rectification": (
        "state",
        ((("已完成", "巩固"), "closed_on", "整改中"), (("巩固",), "review_on", "已完成")),
    ),
    "feedback": ("status", ((("已回复",), "replied_on", "处理中"),)),
}


def date_field(form: Form) -> str | None:
    """The field that dates a row (reports as of a date count rows dated on or before it).

    A rectification has no date of its own: its 整改时限 is a deadline, not when it was recorded.
    """
    if form.date_field:
        return form.date_field
    if form.kind in KIND_DATE_FIELD:
        return KIND_DATE_FIELD[form.kind]
    if form.kind == "record" and "date" in form.fields and form.fields["date"].type == "date":
        return "date"
    return None


def natural_key(form: Form) -> list[str]:
    """Fields that identify a row across re-imports."""
    if form.key:
        return list(form.key)
    if form.kind == "activity":
        return ["date", "unit", "type", "title"]
    if form.kind in ("problem", "rectification", "feedback"):
        return ["code"]
    return []
