"""Ledger and evaluation commands: `ledger` (台账 export), `close` (销号), `reopen`, `consolidate`,
`evaluate`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import (
    EXIT_FAILURE,
    DbOption,
    SpecArg,
    acting_user,
    add_commands,
    campaign_database,
    day_or_today,
    err_console,
    escape,
    fail,
    load_spec,
    out_console,
    xlsx_output,
)


def register(app: typer.Typer) -> None:
    """Add `ledger`, `close`, `reopen`, `consolidate` and `evaluate` to the app."""
    add_commands(
        app,
        {
            "ledger": ledger,
            "close": close,
            "reopen": reopen,
            "consolidate": consolidate,
            "evaluate": evaluate,
        },
    )


CodeArg = Annotated[str, typer.Argument(help="措施编号，如 TZ-01", show_default=False)]
OnOption = Annotated[
    str | None, typer.Option("--on", help="日期，如 2023-12-15（默认今天）", show_default=False)
]
FormOption = Annotated[
    str | None,
    typer.Option("--form", help="整改清单表单编号（多个整改清单有同一编号时）", show_default=False),
]


def _run(spec: Path, db: str | None, on: str | None, action, **arguments) -> tuple[Any, dt.date]:
    """`action(engine=…, loaded=…, on=<the day>, **arguments)` and the day (`on`, else today in
    the campaign's timezone): ledger errors exit 2, database errors 1, no traceback."""
    from ..evaluation import EvaluationError
    from ..ledger import LedgerError

    loaded = load_spec(spec)
    day = day_or_today(on, loaded)
    with campaign_database(db, "数据库操作失败") as (engine, _):
        try:
            return action(engine=engine, loaded=loaded, on=day, **arguments), day
        except (LedgerError, EvaluationError) as exc:
            fail(escape(str(exc)))


def close(
    spec: SpecArg,
    code: CodeArg,
    reviewer: Annotated[
        str, typer.Option("--reviewer", help="审核人（不能是责任人本人）", show_default=False)
    ],
    evidence: Annotated[
        str | None, typer.Option("--evidence", help="佐证材料（文字说明）", show_default=False)
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="佐证材料文件（须存在）", show_default=False)
    ] = None,
    on: OnOption = None,
    form: FormOption = None,
    db: DbOption = None,
) -> None:
    """整改措施销号：须有佐证材料和审核人（不能是责任人）。Close a rectification measure.

    Example:

        campaignflow close campaign_specs/tangping-review-2023/campaign.yaml TZ-01 \\
            --evidence 谈话记录、整改承诺书 --reviewer 陈静 --on 2023-12-12
    """
    from ..ledger import close_measure, evidence_text

    text = evidence_text(evidence, file)
    _, day = _run(spec, db, on, close_measure, code=code, evidence=text, reviewer=reviewer,
                  actor=acting_user(), form=form)  # fmt: skip
    out_console().print(f"已销号：{code}（审核人 {reviewer}，{day}）", markup=False)


def reopen(
    spec: SpecArg,
    code: CodeArg,
    reason: Annotated[str, typer.Option("--reason", help="重新整改的原因", show_default=False)],
    on: OnOption = None,
    form: FormOption = None,
    db: DbOption = None,
) -> None:
    """已销号（或巩固、长期坚持）的措施重新整改，须说明原因。Reopen a closed measure.

    Example:

        campaignflow reopen campaign_specs/tangping-review-2023/campaign.yaml TZ-02 \\
            --reason 回头看发现承办文件仍有超期 --on 2024-01-10
    """
    from ..ledger import reopen_measure

    _run(spec, db, on, reopen_measure, code=code, reason=reason, actor=acting_user(), form=form)
    out_console().print(f"已重新整改：{code}（{reason}）", markup=False)


def consolidate(
    spec: SpecArg,
    code: Annotated[
        str | None,
        typer.Argument(help="措施编号；不写则巩固所有复查日期已到的措施", show_default=False),
    ] = None,
    on: OnOption = None,
    form: FormOption = None,
    db: DbOption = None,
) -> None:
    """已销号的措施在巩固复查日期之后标为“巩固”。Mark closed measures as consolidated.

    Example:

        campaignflow consolidate campaign_specs/tangping-review-2023/campaign.yaml TZ-01 --on 2024-03-15
        campaignflow consolidate campaign_specs/tangping-review-2023/campaign.yaml --on 2024-03-31
    """
    from ..ledger import consolidate_due, consolidate_measure

    if code:
        _run(spec, db, on, consolidate_measure, code=code, actor=acting_user(), form=form)
        out_console().print(f"已巩固：{code}", markup=False)
        return

    def due(*, on: dt.date, **rest: Any) -> list[str]:
        return consolidate_due(as_of=on, **rest)

    codes, _ = _run(spec, db, on, due, actor=acting_user())
    out_console().print(
        f"已巩固 {len(codes)} 条：{'、'.join(codes)}" if codes else "没有到复查日期的已销号措施",
        markup=False,
    )


def evaluate(
    spec: SpecArg,
    round_: Annotated[
        str | None,
        typer.Option("--round", help="测评轮次（默认：全部轮次）", show_default=False),
    ] = None,
    form: Annotated[
        str | None, typer.Option("--form", help="测评表表单编号", show_default=False)
    ] = None,
    on: OnOption = None,
    db: DbOption = None,
) -> None:
    """民主测评计分：得分、等次、优秀率、称职以上率和分类（附理由），结果存入数据库。Score ballots.

    Example:

        campaignflow evaluate campaign_specs/tangping-review-2023/campaign.yaml \\
            --round 2023年“躺平式”干部专项整治测评
    """
    from ..evaluation import evaluate_all, evaluate_round

    def action(*, on: dt.date, **rest: Any) -> list:
        if round_ is None:
            return evaluate_all(as_of=on, **rest)
        return [evaluate_round(round_key=round_, form_id=form, as_of=on, **rest)]

    results, _ = _run(spec, db, on, action)
    _show(results or [])


def _show(results) -> None:
    from rich.table import Table

    from ..evaluation import result_table

    console = out_console()
    if not results:
        console.print("没有测评票：请先导入测评表", markup=False)
        return
    for result in results:
        rows = result_table(result)
        table = Table(title=f"{result.round}（测评票 {result.ballots} 张，有效 {result.valid} 张）")
        for column in rows[0] if rows else ["被测评人"]:
            table.add_column(column)
        for row in rows:
            table.add_row(*(escape(str(v)) for v in row.values()))
        console.print(table)
        summary = "，".join(f"{k} {v} 人" for k, v in result.classes.items())
        if summary:
            console.print(f"分类：{summary}", markup=False)
        for note in result.notes:
            console.print(f"说明：{note}", markup=False)


def ledger(
    spec: SpecArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="要生成的 .xlsx 文件（默认 <活动编号>-整改台账.xlsx）",
            show_default=False,
        ),
    ] = None,
    book: Annotated[
        bool,
        typer.Option(
            "--book", help="按月报格式导出三张表：新增、推进落实、已办结销号（截至 --as-of）"
        ),
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="--book 的截止日期，如 2023-06-30（默认今天）", show_default=False
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """导出整改台账（.xlsx）：每条整改措施一行，按问题排列。Export the problem/rectification ledger.

    With --book: the monthly three-sheet workbook (新增 this month / 推进落实 / 已办结销号).

    Columns: 序号, 问题来源, 问题表现, 整改措施, 整改时限, 责任领导, 责任部门/责任人, 进展, 状态,
    销号日期, 佐证材料, 备注 (then 问题编号, 措施编号). A problem's cells are repeated on each
    of its measures' rows. Data is what the database holds now (import the lists first).

    Example:

        campaignflow ledger campaign_specs/bapo-bali-2023/campaign.yaml -o 整改台账.xlsx
        campaignflow ledger campaign_specs/bapo-bali-2023/campaign.yaml --book --as-of 2023-06-30
    """
    from ..ledger.sheet import LedgerUnavailable, write_ledger

    loaded = load_spec(spec)
    output = xlsx_output(output, loaded, "整改台账")
    day = day_or_today(as_of, loaded)
    with campaign_database(db, "读取数据库失败") as (engine, _):
        try:
            if book:
                from ..ledger.export import write_ledger_book

                written = write_ledger_book(engine=engine, loaded=loaded, path=output, as_of=day)
                counts = "，".join(f"{name} {n} 条" for name, n in written.sheets.items())
                out_console().print(
                    f"已导出整改台账 {output}（截至 {day}）：{counts}", markup=False
                )
                return
            result = write_ledger(engine=engine, loaded=loaded, path=output)
        except LedgerUnavailable as exc:
            fail(escape(str(exc)))
        except OSError as exc:
            fail(escape(f"无法写入 {output}：{exc}"), EXIT_FAILURE)
    out_console().print(
        f"已导出整改台账 {output}：问题 {result.problems} 个，整改措施 {result.measures} 条",
        markup=False,
    )
    if not result.problems:
        err_console().print("提示：数据库中还没有问题清单数据，台账为空", markup=False)
