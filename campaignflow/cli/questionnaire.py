"""`import-wjx`: 问卷星 answers (Excel export or JSON push) into a feedback or ballot form."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .collect import importing
from .common import (
    DbOption,
    SpecArg,
    acting_user,
    add_commands,
    err_console,
    escape,
    fail,
    form_id_of,
    load_spec,
    out_console,
)


def register(app: typer.Typer) -> None:
    add_commands(app, {"import-wjx": import_wjx_command})


def import_wjx_command(
    spec: SpecArg,
    form: Annotated[
        str, typer.Argument(help="表单编号或名称（须有 questionnaire 设置）", show_default=False)
    ],
    file: Annotated[
        Path,
        typer.Argument(
            help="问卷星“按文本导出”的 .xlsx/.csv，或数据推送的 .json/.jsonl", show_default=False
        ),
    ],
    round_name: Annotated[
        str | None,
        typer.Option(
            "--round", help="测评轮次（测评表；默认取问卷名称或文件名）", show_default=False
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """导入问卷星答卷（Excel 导出或 JSON 推送）到群众评议或测评表单。Import 问卷星 (wjx) answers.

    Questions map to fields through the form's `columns` (title without its number, or q1, q2 …;
    for ballots also a pattern such as 对{subject}的评价). Answers submitted outside the
    questionnaire's window are rejected and listed; repeated answers (same 序号/joinid, or the
    same answers from the same IP within dedupe_minutes) count once; any bad answer is listed as
    工作表!单元格 and nothing is stored (exit 2). Re-importing adds nothing. The original file is
    kept under <data folder>/raw/<campaign id>/. Ballots never store the IP, 序号 or joinid.

    Example:

        campaignflow import-wjx campaign.yaml comments 123456_2_群众评议.xlsx
        campaignflow import-wjx campaign.yaml ballots 测评.wjx.xlsx --round 2023年度测评
        campaignflow import-wjx campaign.yaml comments push.jsonl
    """

    from ..collect.wjx import import_wjx
    from ..settings import data_home

    loaded = load_spec(spec)
    form_id = form_id_of(loaded, form)
    if loaded.spec.forms[form_id].questionnaire is None:
        fail(escape(f"表单 {form_id} 没有 questionnaire 设置（问卷星导入）：请在活动方案中加上"))
    if not file.is_file():
        fail(escape(f"找不到文件 {file}"))
    out, err = out_console(), err_console()
    with importing(loaded, form_id, file, db) as engine:
        result = import_wjx(
            engine=engine,
            loaded=loaded,
            form_id=form_id,
            path=file,
            home=data_home(),
            round_name=round_name,
            actor=acting_user(),
        )
    out.print(result.summary(), markup=False)
    for warning in result.warnings:
        err.print(f"提示：{warning}", markup=False)
    for issue in result.issues:
        err.print(issue.render(), markup=False)
