"""Every error at once: a campaign that fails validation has its broken items (or optional
fields) dropped and is validated again, so the cross-reference checks still run over the rest —
and a problem caused only by a dropped item is not reported twice."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

from pydantic import ValidationError

from .errors import SpecIssue
from .models import Campaign
from .translate import data_path, message

if TYPE_CHECKING:
    from .loader import Located


_OPTIONAL_SECTIONS = {"calendar", "units", "people", "reminders", "reports"}
_FILE_SECTIONS = {"units", "people"}  # `{file: …}`: a broken setting drops the whole section


def about_pruned(msg: str, pruned: set[str]) -> bool:
    """A cross-reference problem caused by an item dropped for its own error (reported there) —
    judged on what the message is about, not on the names its hint lists."""
    subject = re.split(r"（(?:已有|可选|是否想写)", msg, maxsplit=1)[0]
    return any(re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", subject) for i in pruned)


def validate_pruned(
    data: dict, issues: list[SpecIssue], loc: Located
) -> tuple[Campaign | None, set[str], dict[str, list[int]]]:
    """Validate; on errors, record them, drop the broken items and retry so that the
    cross-reference checks still run over the rest (all errors at once). Returns the model
    (None when a required part is broken), the ids of the items dropped and the original
    index of each remaining list item (see `_drop`)."""
    pruned: set[str] = set()
    origin: dict[str, list[int]] = {}
    current = data
    for _attempt in range(8):
        try:
            spec = Campaign.model_validate(current)
        except ValidationError as exc:
            broken: set[tuple] = set()
            errors = [(error, data_path(error["loc"], current)) for error in exc.errors()]
            # parent path -> unknown keys there (a misspelt required key is also "missing")
            unknown: dict[tuple, list[str]] = {}
            for error, p in errors:
                if error["type"] == "extra_forbidden":
                    unknown.setdefault(p[:-1], []).append(str(p[-1]))
            for error, here in errors:
                p = original(here, origin)
                if not p and _STAGES_MESSAGE in str(error.get("ctx", {}).get("error", "")):
                    current = _stages_fallback(current, issues, loc, pruned)
                    if current is None:
                        return None, pruned, origin
                    break
                if error["type"] == "missing":
                    if difflib.get_close_matches(str(p[-1]), unknown.get(p[:-1], []), n=1):
                        continue  # reported as 未知字段 …（是否想写 …？）
                    issue = loc.issue(p[:-1], message(error, p), key=True)
                else:
                    issue = loc.issue(p, message(error, p), key=error["type"] == "extra_forbidden")
                if issue not in issues:
                    issues.append(issue)
                broken.add(_broken_part(here))
            else:
                current = _drop(current, broken, pruned, origin)
            if current is None:
                return None, pruned, origin
            continue
        return spec, pruned, origin
    return None, pruned, origin


_STAGES_MESSAGE = "须且只能有 phases"
# fields of a list item that may simply be left out: a bad one is dropped on its own, so the
# item stays and its other fields are still checked (a wrong due never hides an unknown owner)
_OPTIONAL_FIELDS = {
    "measures": {"due", "evidence", "form", "target", "checklist", "milestone", "description"},
}


def _broken_part(path: tuple) -> tuple:
    """What to drop for an error at `path`: the optional field alone, else the whole item."""
    if len(path) >= 3 and path[2] in _OPTIONAL_FIELDS.get(str(path[0]), ()):
        return path[:3]
    return path[:2] if len(path) >= 2 else path


def _stages_fallback(
    data: dict, issues: list[SpecIssue], loc: Located, pruned: set[str]
) -> dict | None:
    """Both or neither of phases/tracks: report it, then go on checking the rest as if staged
    (both: tracks set aside) or, when neither, without the measures' phase/track references."""
    result = dict(data)
    if "phases" in data and "tracks" in data:
        issues.append(
            loc.issue(
                ("tracks",),
                "phases（分阶段）和 tracks（并行推进）只能写一个：分阶段的活动删去 tracks，"
                "不分阶段的活动删去 phases",
                key=True,
            )
        )
        result.pop("tracks")
        return result
    issues.append(
        loc.issue(
            (),
            "缺少 phases（分阶段，依次进行）或 tracks（并行推进）：须写其中之一",
        )
    )
    measures = data.get("measures")
    if not isinstance(measures, list):
        return None
    staged = not any(isinstance(m, dict) and "track" in m for m in measures)
    result["phases" if staged else "tracks"] = []
    for m in measures:
        if isinstance(m, dict):
            pruned.update(str(m[k]) for k in ("phase", "track") if k in m)
    return result


def _drop(
    data: dict, broken: set[tuple], pruned: set[str], origin: dict[str, list[int]]
) -> dict | None:
    """A copy of data without the broken section items; None if a required part is broken.

    `origin[section][i]` keeps the original index of the i-th remaining list item, so that
    later problems are still located on the right lines."""
    result = {
        k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
        for k, v in data.items()
    }
    drops: dict[str, set] = {}
    for path in broken:
        if not path or path[0] not in result:
            return None
        if len(path) == 3:  # an optional field of an item (see _broken_part)
            items, i = result[path[0]], path[1]
            if isinstance(items, list) and isinstance(i, int) and isinstance(items[i], dict):
                if path[2] == "due" and isinstance(items[i].get("id"), str):
                    pruned.add(items[i]["id"])  # due dates built on it: reported at its source
                items[i] = {k: v for k, v in items[i].items() if k != path[2]}
                continue
        section, value = path[0], result[path[0]]
        if section == "campaign" and len(path) >= 2:
            # keep checking the rest against a stand-in header
            result["campaign"] = {"id": "x", "title": "-", "organisation": "-", "year": 2000}
        elif len(path) >= 2 and (
            isinstance(value, list) or (isinstance(value, dict) and section not in _FILE_SECTIONS)
        ):
            drops.setdefault(section, set()).add(path[1])  # the broken item or setting only
        elif section in _OPTIONAL_SECTIONS or section in ("measures", "forms", "metrics"):
            result.pop(section)
        else:
            return None
    for section, keys in drops.items():
        value = result[section]
        if isinstance(value, list):
            for i in keys:
                item = value[i] if isinstance(i, int) and i < len(value) else None
                if isinstance(item, dict):
                    pruned.update(item[k] for k in ("id", "name") if isinstance(item.get(k), str))
            kept = [i for i in range(len(value)) if i not in keys]
            before = origin.get(section, list(range(len(value))))
            origin[section] = [before[i] for i in kept]
            result[section] = [value[i] for i in kept]
        else:
            if section not in _OPTIONAL_SECTIONS:
                pruned.update(str(k) for k in keys)
            result[section] = {k: v for k, v in value.items() if k not in keys}
    return result


def original(path: tuple, origin: dict[str, list[int]]) -> tuple:
    """A path into the pruned data as a path into the file's data."""
    if len(path) >= 2 and path[0] in origin and isinstance(path[1], int):
        kept = origin[path[0]]
        if path[1] < len(kept):
            return (path[0], kept[path[1]], *path[2:])
    return path


def is_key(path: tuple, data: dict) -> bool:
    """Point at the key when the value is a mapping or list (the value starts on the next line)."""
    value = data
    for step in path:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return True
    return isinstance(value, dict | list) and bool(path) and isinstance(path[-1], str)
