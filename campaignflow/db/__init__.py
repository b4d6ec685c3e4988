"""The campaign database: SQLAlchemy 2 models, engines and migrations.

    from campaignflow.db import open_database, write_session, Measure
    engine = open_database()                  # settings' URL, schema upgraded
    with write_session(engine) as session:    # one transaction (SQLite: BEGIN IMMEDIATE)
        ...

Importing this package does no work: no engine, no settings, no connection.
"""

from .activity import Activity, Attendance, AttendanceState
from .base import NAMING_CONVENTION, Base, JsonType, UtcDateTime, utcnow
from .campaign import Assignment, Campaign, Form, Measure, Stage
from .engine import (
    make_engine,
    read_session,
    refresh_statistics,
    write_session,
    writer_engine,
    writer_lock,
)
from .evaluation import Ballot, BallotCast, EvaluationResult, EvaluationRound
from .feedback import FeedbackItem, PoliticalFileEntry
from .filing import Filing
from .ledger import Problem, Rectification
from .lookup import campaign_id, find_campaign, key_map
from .migrate import (
    SchemaError,
    SchemaNotCurrent,
    SchemaUnknown,
    check_schema,
    current_revision,
    head_revision,
    is_current,
    open_database,
    upgrade,
)
from .ops import AuditEntry, Notification, Report, jsonable, record_change, update_audited
from .org import Person, Unit
from .submission import Submission
from .web import BallotCode, LinkGeneration, SealedPaper

__all__ = [
    "NAMING_CONVENTION",
    "Activity",
    "Assignment",
    "Attendance",
    "AttendanceState",
    "AuditEntry",
    "Ballot",
    "BallotCast",
    "BallotCode",
    "Base",
    "Campaign",
    "EvaluationResult",
    "EvaluationRound",
    "Filing",
    "FeedbackItem",
    "Form",
    "JsonType",
    "LinkGeneration",
    "Measure",
    "Notification",
    "Person",
    "PoliticalFileEntry",
    "Problem",
    "Rectification",
    "Report",
    "SchemaError",
    "SealedPaper",
    "SchemaNotCurrent",
    "SchemaUnknown",
    "Stage",
    "Submission",
    "Unit",
    "UtcDateTime",
    "campaign_id",
    "check_schema",
    "current_revision",
    "find_campaign",
    "head_revision",
    "is_current",
    "jsonable",
    "key_map",
    "make_engine",
    "open_database",
    "read_session",
    "refresh_statistics",
    "record_change",
    "update_audited",
    "upgrade",
    "utcnow",
    "write_session",
    "writer_engine",
    "writer_lock",
]
