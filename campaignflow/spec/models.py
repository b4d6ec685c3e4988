"""The campaign spec: pydantic models of a campaign file (campaign.yaml).

Structure only; references between sections are checked in `checks.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
)

from .models_ballot import (  # noqa: F401 - re-exported: part of the spec's model set
    ClassRule,
    Evaluation,
    Indicator,
    IndicatorCategory,
    Questionnaire,
    Quota,
)
from .models_base import ID_PATTERN, Id, Strict  # noqa: F401 - re-exported

# `phase.start`, `phase.end + 3 days`, `phase.start + 5 workdays`, `measure.plan.due + 2 workdays`
DUE_EXPR = re.compile(
    r"^\s*(?:(?P<anchor>phase\.start|phase\.end|track\.start|track\.end)"
    r"|measure\.(?P<measure>[a-z][a-z0-9_-]*)\.due"
    r"|(?P<date>\d{4}-\d{2}-\d{2}))"
    r"\s*(?:(?P<sign>[+-])\s*(?P<n>\d+)\s*(?P<unit>workdays?|days?|工作日|天))?\s*$"
)


# ---------------------------------------------------------------- campaign meta, calendar


class CampaignMeta(Strict):
    id: Id
    title: str = Field(min_length=1)
    short_title: str | None = None  # for run names in the Prefect UI, e.g. 八破八立
    organisation: str = Field(min_length=1)
    year: int = Field(ge=2000, le=2100)
    timezone: str = "Asia/Shanghai"
    description: str | None = None
    inbox: str | None = None  # folder of incoming .xlsx/.csv; default under the data folder

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"未知时区 {value}（例如 Asia/Shanghai）") from exc
        return value


class CalendarSpec(Strict):
    country: Literal["CN"] = "CN"
    workweek: Literal["chinese-official", "mon-fri"] = "chinese-official"
    extra_holidays: list[dt.date] = []
    extra_workdays: list[dt.date] = []


# ---------------------------------------------------------------- organisation

UnitKind = Literal["党委", "党组", "党总支", "党支部", "党小组", "部门"]
PersonRole = Literal["党员", "预备党员", "发展对象", "入党积极分子", "群众", "干部"]


class Unit(Strict):
    id: Id
    name: str = Field(min_length=1)
    kind: UnitKind
    parent: Id | None = None
    contact: str | None = None  # person id of the responsible contact


class UnitsFile(Strict):
    file: str


class Person(Strict):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    unit: Id
    role: PersonRole = "党员"
    cadre: bool = False
    position: str | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2100)


class PeopleFile(Strict):
    file: str


def _inline_or_file(value: Any) -> str:
    return "from_file" if isinstance(value, dict) else "inline"


UnitsSection = Annotated[
    Annotated[list[Unit], Tag("inline")] | Annotated[UnitsFile, Tag("from_file")],
    Discriminator(_inline_or_file),
]
PeopleSection = Annotated[
    Annotated[list[Person], Tag("inline")] | Annotated[PeopleFile, Tag("from_file")],
    Discriminator(_inline_or_file),
]


# ---------------------------------------------------------------- phases and tracks


class Gate(Strict):
    all_measures_done: bool = False
    sign_off: str | None = None  # who signs the phase off, e.g. 支部书记
    metrics: dict[str, int] = {}  # metric id -> minimum value


class Stage(Strict):
    """What phases and tracks share (the code's one word for both): an id, a name, and — as
    `Phase` fields or `Track` class attributes — window, grace, entry and exit gates."""

    id: Id
    name: str = Field(min_length=1)


class Phase(Stage):
    window: tuple[dt.date, dt.date]
    # working days after the window in which its measures may still fall due (a 总结 due a
    # few days after the phase, as real plans have): the window itself, and progress, unchanged
    grace: int = Field(default=0, ge=0, le=60)
    entry: Gate | None = None
    exit: Gate | None = None
    description: str | None = None


class Track(Stage):
    window: tuple[dt.date, dt.date] | None = None
    grace: int = Field(default=0, ge=0, le=60)  # as for a phase
    description: str | None = None
    # a track runs in parallel with the others: no gate in or out
    entry: ClassVar[Gate | None] = None
    exit: ClassVar[Gate | None] = None


# ---------------------------------------------------------------- measures


class Target(Strict):
    metric: str
    at_least: float | None = None
    at_most: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Target:
        if self.at_least is None and self.at_most is None:
            raise ValueError("目标需要 at_least 或 at_most")
        return self


class Measure(Strict):
    id: Id
    title: str = Field(min_length=1)
    phase: str | None = None
    track: str | None = None
    owner: str | list[str]
    due: dt.date | str | None = None
    evidence: list[str] = []
    form: str | None = None
    target: Target | None = None
    checklist: list[str] = []
    milestone: bool = False
    description: str | None = None

    @property
    def stage(self) -> str | None:
        """The id of the phase or track the measure belongs to (a valid campaign writes one)."""
        return self.phase or self.track

    @field_validator("due", mode="before")
    @classmethod
    def _due_syntax(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        match = DUE_EXPR.match(value)
        text = value.strip()
        lead = re.match(r"^(\d{4}-[0-9-]*)(.*)$", text)
        if lead:
            day, rest = lead[1], lead[2].strip()
            try:
                parsed = dt.date.fromisoformat(day)
            except ValueError:
                raise ValueError(
                    f"日期无效：{day}（应为 2023-03-15 这样的日期）" if not rest else
                    f"日期无效：{day}（应为 2023-03-15 这样的日期，再加减天数，如 2024-04-30 + 5 workdays）"
                ) from None  # fmt: skip
            if match is None:
                raise ValueError(
                    f"无法识别的期限 {value!r}：日期之后只能加减天数，"
                    "如 2024-04-30 + 5 workdays、2024-04-30 - 3 days"
                )
            return parsed if not match["n"] else text
        if match is None:
            raise ValueError(
                f"无法识别的期限 {value!r}：应为日期（2023-03-15）或表达式，如 phase.start + 5 "
                "workdays、phase.end、measure.plan.due + 3 days、2024-04-30 + 5 workdays"
            )
        return value

    @property
    def owners(self) -> list[str]:
        return [self.owner] if isinstance(self.owner, str) else list(self.owner)


# ---------------------------------------------------------------- forms

FieldType = Literal["text", "int", "number", "date", "choice", "unit", "person", "bool", "file"]
FormKind = Literal["record", "activity", "problem", "rectification", "ballot", "feedback"]


class FormField(Strict):
    type: FieldType = "text"
    label: str | None = None
    required: bool = False
    choices: list[str] | None = None
    help: str | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _choices_only_for_choice(self) -> FormField:
        if self.type == "choice" and self.choices is None:
            raise ValueError("choice 类型的字段需要 choices 列表")
        if self.type != "choice" and self.choices is not None:
            raise ValueError(f"只有 choice 类型可以有 choices（此字段类型为 {self.type}）")
        return self


class Form(Strict):
    kind: FormKind
    title: str = Field(min_length=1)
    fields: dict[Id, FormField] = {}
    key: list[str] = []  # natural key for idempotent imports
    of: str | None = None  # rectification: the problem form it belongs to
    activity_type: str | None = None  # activity: the fixed type of this form's events
    activity_types: list[str] | None = None  # activity: the allowed types
    evaluation: Evaluation | None = None  # ballot
    date_field: str | None = None  # the field that dates a row (default: the kind's own date field)
    sheet: str | None = None  # sheet name to import from (default: the title)
    columns: dict[str, str] = {}  # import column mapping: export header -> field id
    questionnaire: Questionnaire | None = None  # feedback/ballot: imported from 问卷星


# ---------------------------------------------------------------- metrics


class RateSpec(Strict):
    form: str
    where: dict[str, Any] = {}


METRIC_KINDS = ("count", "sum", "distinct", "rate", "days", "span")


class Metric(Strict):
    title: str | None = None
    count: str | None = None  # form id
    sum: str | None = None  # form.field
    distinct: str | None = None  # form.field
    rate: RateSpec | None = None  # share of the form's rows (after `where`) matching rate.where
    days: str | None = None  # activity form id: days its rows cover, in all (读书班 5 天)
    span: str | None = None  # activity form id: days of the longest one (至少一周 = 7)
    where: dict[str, Any] = {}
    by: str | list[str] | None = None
    unit: str | None = None  # display unit: 次, 人次, 册, 条

    @model_validator(mode="after")
    def _exactly_one(self) -> Metric:
        given = [k for k in METRIC_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "指标须且只能选择一种计算：count、sum、distinct、rate、days、span"
                + (f"（现有 {', '.join(given)}）" if given else "")
            )
        return self

    @property
    def form(self) -> str:
        for direct in (self.count, self.days, self.span):
            if direct is not None:
                return direct
        if self.rate is not None:
            return self.rate.form
        return (self.sum or self.distinct or "").split(".", 1)[0]

    @property
    def field(self) -> str | None:
        ref = self.sum or self.distinct
        return ref.split(".", 1)[1] if ref and "." in ref else None

    @property
    def group_by(self) -> list[str]:
        if self.by is None:
            return []
        return [self.by] if isinstance(self.by, str) else list(self.by)


# ---------------------------------------------------------------- reminders, reports

Channel = Literal["dingtalk", "wecom", "email", "webhook"]


class Recipient(Strict):
    unit: str
    channel: Channel
    target: str  # robot name, e-mail address or webhook name; secrets come from the environment
    # which robot's secret: CAMPAIGNFLOW_DINGTALK_TOKEN__<SECRET_NAME> (see campaignflow.notify.secrets)
    secret_name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_]+$", max_length=64)


class Reminders(Strict):
    before_due: list[int] = [3, 1]  # working days before the due date
    escalate_after: int = Field(default=2, ge=0)  # working days overdue before escalation
    channels: list[Channel] = []
    recipients: list[Recipient] = []
    quiet_hours: tuple[str, str] = ("21:00", "08:00")

    @field_validator("quiet_hours")
    @classmethod
    def _hhmm(cls, value: tuple[str, str]) -> tuple[str, str]:
        for item in value:
            if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", item):
                raise ValueError(f"时间格式应为 HH:MM（如 21:00），而不是 {item!r}")
        return value


ReportFormat = Literal["md", "html", "docx", "pdf"]


class Reports(Strict):
    phase: str | None = None  # template for every phase report
    final: str | None = None
    phases: dict[str, str] = {}  # per-phase override: phase id -> template
    formats: list[ReportFormat] = ["md", "html", "docx"]
    narrative: str | None = None  # form id holding the text the data cannot know
    branches: bool = False  # also one short report per 党支部 with every phase report
    branch: str | None = None  # template of those branch reports (default: the built-in one)
    # other campaigns of the same database the final report reads (name -> campaign id), as of
    # the same date: `campaigns.<name>.m.<metric>` etc. in the template
    campaigns: dict[Id, Id] = {}


# ---------------------------------------------------------------- the whole campaign


class Campaign(Strict):
    """A whole campaign file."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, title="campaignflow 活动方案"
    )

    campaign: CampaignMeta
    calendar: CalendarSpec = CalendarSpec()
    units: UnitsSection = []
    people: PeopleSection = []
    phases: list[Phase] | None = None
    tracks: list[Track] | None = None
    measures: list[Measure] = []
    forms: dict[Id, Form] = {}
    metrics: dict[Id, Metric] = {}
    reminders: Reminders = Reminders()
    reports: Reports = Reports()
    # every form the file defines, those with errors of their own included (set by the loader):
    # an "unknown form" message lists them all, not only the ones that parsed
    # (a default, copied per instance by pydantic: a factory of `list` would make pydantic read
    # the builtin's signature, which costs `validate` 10 ms compiling the tokenizer's patterns)
    _declared_forms: list[str] = PrivateAttr(default=[])

    @property
    def form_names(self) -> list[str]:
        return self._declared_forms or list(self.forms)

    @model_validator(mode="after")
    def _phases_or_tracks(self) -> Campaign:
        if (self.phases is None) == (self.tracks is None):
            raise ValueError("须且只能有 phases（分阶段）或 tracks（并行推进）其中之一")
        return self

    @property
    def staged(self) -> bool:
        return self.phases is not None

    @property
    def stages(self) -> list[Stage]:
        return self.phases if self.phases is not None else (self.tracks or [])
