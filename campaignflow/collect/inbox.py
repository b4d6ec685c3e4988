"""The campaign's inbox folder: new .xlsx/.csv files are imported, then moved to processed/ or
rejected/ (with the errors and a rejects workbook beside them).

A file is matched to a form by its name (form id, title or sheet name) or, for a workbook, by its
sheet names. Each file is one filing that replaces the records of the units it covers (see
`store`); its name may name the 填报单位 too — `集中研讨-局机关党支部.xlsx`,
`局机关党支部_集中研讨.csv`, `集中研讨（局机关党支部）.xlsx` — and a name with 追加
(`问题清单-追加.xlsx`) only adds. Imports are idempotent, so a crash between import and move
imports nothing twice.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Engine

from ..spec import LoadedCampaign
from .importer import ImportRejected, import_file
from .progress_sheet import import_progress, is_progress_file
from .projections import UnknownProblem
from .reader import FileRefused
from .signoff_sheet import import_signoffs, is_signoff_file

SUFFIXES = (".xlsx", ".csv")
WJX_SUFFIXES = (".wjx.xlsx", ".wjx.json", ".wjx.jsonl")  # 问卷星 answers: see collect/wjx/
KIND_ORDER = {
    "problem": 0,
    "record": 1,
    "activity": 1,
    "feedback": 1,
    "ballot": 1,
    "rectification": 2,
}


@dataclass
class InboxFile:
    """What happened to one file."""

    file: str
    form: str
    status: str  # FileStatus: 已导入 / 已拒收
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    message: str = ""
    withdrawn: int = 0


APPEND_WORD = "追加"


class Target(StrEnum):
    """What an inbox file can be besides a form of the campaign (the value: its file name)."""

    PROGRESS = "措施进展"  # owners reporting measures done (progress_sheet)
    SIGNOFF = "阶段签批"  # phases signed off (signoff_sheet)


class FileStatus(StrEnum):
    IMPORTED = "已导入"
    REJECTED = "已拒收"


_SEPARATORS = re.compile(r"[-_—－·@\s（）()]+")


@dataclass(frozen=True)
class Naming:
    """What a file's name says: its form (None: look at its sheets), 填报单位, and mode."""

    form: str | None
    unit: str | None
    mode: str  # replace / append


def read_name(path: Path, loaded: LoadedCampaign) -> Naming:
    """The form, 填报单位 and mode a file's name gives (see the module doc)."""
    forms = _form_names(loaded)
    units = {u.id: u.id for u in loaded.units} | {u.name: u.id for u in loaded.units}
    stem = path.name.split(".", 1)[0] if path.name.lower().endswith(WJX_SUFFIXES) else path.stem
    if stem in forms:
        return Naming(forms[stem], None, "replace")
    parts = [p for p in _SEPARATORS.split(stem) if p]
    mode = "append" if APPEND_WORD in parts else "replace"
    parts = [p for p in parts if p != APPEND_WORD]
    form = next((forms[p] for p in parts if p in forms), None)
    unit = next((units[p] for p in parts if p in units and p not in forms), None)
    if form is None and len(parts) == 1 and parts[0] in forms:
        form = forms[parts[0]]
    return Naming(form, unit, mode)


def _form_names(loaded: LoadedCampaign) -> dict[str, str]:
    names = {}
    for form_id, form in loaded.spec.forms.items():
        for name in (form_id, form.title, form.sheet):
            if name:
                names[name] = form_id
    return names


@dataclass
class InboxReport:
    folder: Path
    files: list[InboxFile] = field(default_factory=list)

    @property
    def rejected(self) -> list[InboxFile]:
        return [f for f in self.files if f.status == FileStatus.REJECTED]


def inbox_folder(home: Path, loaded: LoadedCampaign) -> Path:
    """The campaign's inbox: `campaign.inbox` (relative to the campaign file) or under the data folder."""
    if loaded.spec.campaign.inbox:
        return loaded.file(loaded.spec.campaign.inbox).resolve()
    return home / "inbox" / loaded.spec.campaign.id


def match_forms(path: Path, loaded: LoadedCampaign) -> list[str]:
    """Forms this file feeds: by file name, else by the workbook's sheet names."""
    names = _form_names(loaded)
    named = read_name(path, loaded).form
    if named is not None and not path.name.lower().endswith(WJX_SUFFIXES):
        return [named]
    if path.name.lower().endswith(WJX_SUFFIXES):  # comments.wjx.xlsx / 123456_2_comments.wjx.json
        from .wjx import round_from_file

        stem = round_from_file(path)
        return [names[stem]] if stem in names else []
    if path.suffix.lower() == ".xlsx":
        try:
            from python_calamine import CalamineWorkbook

            sheets = CalamineWorkbook.from_path(str(path)).sheet_names
        except Exception:  # noqa: BLE001 - unreadable: reported by the import itself
            return []
        forms = list(dict.fromkeys(names[s] for s in sheets if s in names))
        # problems before the measures that refer to them, whatever the sheets' order
        return sorted(forms, key=lambda f: KIND_ORDER.get(loaded.spec.forms[f].kind, 1))
    return []


def _order(path: Path, loaded: LoadedCampaign) -> tuple:
    forms = match_forms(path, loaded)
    kinds = [KIND_ORDER.get(loaded.spec.forms[f].kind, 1) for f in forms] or [3]
    special = 4 if is_progress_file(path) else 5 if is_signoff_file(path) else 0
    return (special, max(kinds), path.name)


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = folder / f"{path.stem}.{stamp}{path.suffix}"
    shutil.move(str(path), target)
    return target


def collect_inbox(*, engine: Engine, loaded: LoadedCampaign, home: Path) -> InboxReport:
    """Import every new file of the inbox; never raises for a bad file (it is rejected instead)."""
    return collect_files(
        engine=engine, loaded=loaded, home=home, names=[p.name for p in pending_files(home, loaded)]
    )


def pending_files(home: Path, loaded: LoadedCampaign) -> list[Path]:
    """The inbox's new files in import order (problems before their measures, 措施进展 and
    阶段签批 last)."""
    folder = inbox_folder(home, loaded)
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        p
        for p in folder.iterdir()
        if p.is_file()
        and (p.suffix.lower() in SUFFIXES or p.name.lower().endswith(WJX_SUFFIXES))
        and not p.name.startswith((".", "~$"))
        and not p.name.endswith(".rejects.xlsx")
    ]
    return sorted(files, key=lambda p: _order(p, loaded))


def import_waves(files: list[Path], loaded: LoadedCampaign) -> list[list[str]]:
    """File names in waves: the files of a wave do not depend on each other and may be imported
    at the same time; each wave needs the waves before it (problems before measures …)."""
    waves: list[list[str]] = []
    last = None
    for path in files:
        level = _order(path, loaded)[:2]
        if level != last:
            waves.append([])
            last = level
        waves[-1].append(path.name)
    return waves


def collect_files(
    *, engine: Engine, loaded: LoadedCampaign, home: Path, names: list[str]
) -> InboxReport:
    """Import the named inbox files in the order given; a file no longer in the inbox (already
    imported by an earlier attempt of the same chunk) is left out."""
    folder = inbox_folder(home, loaded)
    report = InboxReport(folder)
    for name in names:
        path = folder / name
        if path.is_file():
            report.files.extend(_import_one(engine, loaded, path, folder, home))
    return report


def _import_one(
    engine, loaded, path: Path, folder: Path, home: Path | None = None
) -> list[InboxFile]:
    if is_progress_file(path):
        forms = [Target.PROGRESS]
    elif is_signoff_file(path):
        forms = [Target.SIGNOFF]
    else:
        forms = match_forms(path, loaded)
    if not forms:
        known = "、".join(f"{fid}（{f.title}）" for fid, f in loaded.spec.forms.items())
        return [
            _reject(
                path,
                folder,
                "?",
                f"无法判断属于哪张表单：文件名或工作表名应为表单编号或名称（{known}）或“措施进展”“阶段签批”",
            )
        ]
    results = []
    for form_id in forms:
        try:
            if form_id == Target.PROGRESS:
                result = import_progress(engine=engine, loaded=loaded, path=path)
            elif form_id == Target.SIGNOFF:
                result = import_signoffs(engine=engine, loaded=loaded, path=path)
            elif path.name.lower().endswith(WJX_SUFFIXES) and home is not None:
                from .wjx import import_wjx

                result = import_wjx(
                    engine=engine, loaded=loaded, form_id=form_id, path=path, home=home
                )
            else:
                naming = read_name(path, loaded)
                result = import_file(
                    engine=engine,
                    loaded=loaded,
                    form_id=form_id,
                    path=path,
                    rejects=True,
                    mode=naming.mode,
                    unit=naming.unit,
                    channel="收件箱",
                )
        except ImportRejected as exc:
            return [_reject(path, folder, form_id, str(exc), exc.rejects_file)]
        except (FileRefused, UnknownProblem) as exc:
            return [_reject(path, folder, form_id, str(exc))]
        results.append(
            InboxFile(
                path.name,
                form_id,
                FileStatus.IMPORTED,
                result.rows,
                result.inserted,
                result.updated,
                result.unchanged,
                getattr(result, "lifecycle", "") or "",
                getattr(result, "withdrawn", 0),
            )
        )
    _move(path, folder / "processed")
    return results


def _reject(
    path: Path, folder: Path, form: str, message: str, rejects: Path | None = None
) -> InboxFile:
    target = _move(path, folder / "rejected")
    target.with_name(target.name + ".errors.txt").write_text(message + "\n", encoding="utf-8")
    if rejects is not None and rejects.exists():
        shutil.move(str(rejects), target.with_name(f"{target.stem}.rejects.xlsx"))
    first = message.splitlines()[0]
    return InboxFile(path.name, form, FileStatus.REJECTED, message=first)
