"""Data collection commands: `import` a spreadsheet into a form, `template`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    DbOption,
    SpecArg,
    acting_user,
    add_commands,
    campaign_database,
    err_console,
    escape,
    fail,
    form_id_of,
    load_spec,
    out_console,
    unit_of,
    xlsx_output,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ..spec import LoadedCampaign

PROGRESS_FROM = 5_000  # rows: a progress bar for files larger than this


def register(app: typer.Typer) -> None:
    """Add `import` and `template` to the app."""
    add_commands(app, {"import": import_command, "template": template})


def _needs_sync(engine: Engine, loaded: LoadedCampaign, form_id: str) -> bool:
    from sqlalchemy import select

    from .. import db

    with db.read_session(engine) as session:
        found = session.execute(
            select(db.Form.id)
            .join(db.Campaign, db.Campaign.id == db.Form.campaign_id)
            .where(
                db.Campaign.key == loaded.spec.campaign.id,  # no campaign: sync it first
                db.Form.key == form_id,
                db.Form.archived.is_(False),
            )
        ).first()
    return found is None


@contextlib.contextmanager
def _progress_bar(label: str) -> Iterator:
    """A callback for `import_file(progress=)` that shows a bar once a file is large."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    state: dict = {}

    def update(done: int, total: int | None) -> None:
        if "bar" not in state:
            if not total or total <= PROGRESS_FROM:
                return
            bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err_console(),
                transient=True,
            )
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task(label, total=total)
        state["bar"].update(state["task"], completed=done, total=max(total or 0, done))

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].stop()


@contextmanager
def importing(loaded: LoadedCampaign, form_id: str, file: Path, db: str | None, hint: str = ""):
    """Open the database (syncing the campaign first if needed), yield the engine, and turn every
    failure into its message and exit code: 2 for a bad file (all its errors listed), 1 for the
    database or the file system."""
    from ..collect import FileRefused, ImportRejected
    from ..sync import SyncError, sync_campaign

    out, err = out_console(), err_console()
    with campaign_database(db, "写入数据库失败") as (engine, _):
        try:
            if _needs_sync(engine, loaded, form_id):
                synced = sync_campaign(engine=engine, loaded=loaded, actor=acting_user())
                out.print(
                    f"活动 {loaded.spec.campaign.id} 尚未同步到数据库（或缺少表单 {form_id}），"
                    f"已先同步：{synced.summary()}",
                    markup=False,
                )
            yield engine
        except ImportRejected as exc:
            for issue in exc.issues:
                err.print(issue.render(), markup=False)
            if exc.total > len(exc.issues):
                err.print(f"……另有 {exc.total - len(exc.issues)} 处错误未列出", markup=False)
            err.print(f"✗ {file.name}：{exc.total} 处错误，未导入任何数据{hint}", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except (FileRefused, SyncError) as exc:
            fail(escape(str(exc)))
        except OSError as exc:
            fail(escape(f"读写文件失败：{exc}"), EXIT_FAILURE)


def import_command(
    spec: SpecArg,
    form: Annotated[
        str, typer.Argument(help="表单编号或名称，如 problems 或 问题清单", show_default=False)
    ],
    file: Annotated[Path, typer.Argument(help="要导入的 .xlsx 或 .csv 文件", show_default=False)],
    partial: Annotated[
        bool,
        typer.Option(
            "--partial",
            help="只导入正确的行；错误的行写入“<文件名>.rejects.xlsx”（错误单元格标红并附批注），改好后可再导入",
        ),
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace/--append",
            help="--replace（默认）：本文件是填报单位的全部记录，原有而文件中没有的记录撤回（可恢复）；"
            "--append：只新增和更新",
        ),
    ] = True,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            help="填报单位（编号或名称）：本文件只含该单位（及其下级组织）的记录；不写则按各行的单位",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """把 Excel/CSV 文件导入一张表单：先检查每一行，全部正确才写入；改正后重新导入即替换。Import a spreadsheet.

    Every row is checked first. If any cell is wrong, every error is listed as 工作表!单元格
    (e.g. 问题清单!C7) and nothing is stored (exit 2), unless --partial is given. The file is one
    filing (填报): by default it replaces the current records of the units it covers (--unit, or
    the units its rows name): rows present are added or updated, rows absent are withdrawn —
    kept, audited and restorable (campaignflow history / restore). --append only adds. Importing
    the same file again changes nothing. The campaign is synced first if it is not there yet.

    Example:

        campaignflow import campaign_specs/bapo-bali-2023/campaign.yaml problems data/problems.csv
        campaignflow import campaign.yaml 集中研讨 局机关党支部研讨.xlsx --unit 局机关党支部
        campaignflow import campaign.yaml 整改清单 整改清单.xlsx --partial
    """

    from ..collect import import_file

    loaded = load_spec(spec)
    form_id = form_id_of(loaded, form)
    if not file.is_file():
        fail(escape(f"找不到文件 {file}"))
    unit_key = unit_of(loaded, unit) if unit is not None else None
    out, err = out_console(), err_console()
    hint = "（改正后重新导入；或加 --partial 先导入正确的行）"
    with (
        importing(loaded, form_id, file, db, hint) as engine,
        _progress_bar(f"导入 {file.name}") as progress,
    ):
        result = import_file(
            engine=engine,
            loaded=loaded,
            form_id=form_id,
            path=file,
            partial=partial,
            actor=acting_user(),
            progress=progress,
            mode="replace" if replace else "append",
            unit=unit_key,
        )
    number = f"（填报记录 #{result.filing}）" if result.filing else "（无变化，未记入填报记录）"
    out.print(
        f"已导入 {file.name}（工作表 {result.sheet}，共 {result.rows} 行）：{result.lifecycle}{number}",
        markup=False,
    )
    for warning in result.warnings:
        err.print(f"提示：{warning}", markup=False)
    if result.rejected:
        for issue in result.issues:
            err.print(issue.render(), markup=False)
        err.print(
            f"拒收 {result.rejected} 行（其余已导入）；错误行已写入 {result.rejects_file}："
            "改正后可直接再导入该文件",
            markup=False,
        )


def template(
    spec: SpecArg,
    forms: Annotated[
        list[str] | None,
        typer.Argument(help="表单编号或名称（默认全部表单）", show_default=False),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="要生成的 .xlsx 文件（默认 <活动编号>-模板.xlsx）",
            show_default=False,
        ),
    ] = None,
) -> None:
    """生成数据填报模板（.xlsx）：每张表单一个工作表，带下拉选项和填写提示。Write a blank template workbook.

    Each sheet has the field labels as header (required ones marked *), a hint row (which the
    import skips), dropdown lists for choice, organisation, person and yes/no columns, and
    date-formatted date columns. Fill it in Excel/WPS and import it as is.

    Example:

        campaignflow template campaign_specs/bapo-bali-2023/campaign.yaml -o 八破八立模板.xlsx
        campaignflow template campaign.yaml problems fixes -o 问题整改模板.xlsx
    """
    from ..collect.template import write_template

    loaded = load_spec(spec)
    output = xlsx_output(output, loaded, "模板")
    form_ids = [form_id_of(loaded, name) for name in forms or []] or None
    if not loaded.spec.forms:
        fail(escape(f"活动 {loaded.spec.campaign.id} 没有表单（forms），无模板可生成"))
    try:
        result = write_template(loaded=loaded, path=output, form_ids=form_ids)
    except OSError as exc:
        fail(escape(f"无法写入 {output}：{exc}"), EXIT_FAILURE)
    sheets = "、".join(result.sheets.values())
    out_console().print(
        f"已生成模板 {output}：{len(result.sheets)} 个工作表（{sheets}）", markup=False
    )
