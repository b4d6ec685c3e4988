"""Spec commands: `validate`, `schema`, `init`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from .common import EXIT_BAD_INPUT, EXIT_FAILURE, add_commands, err_console, fail, out_console


def register(app: typer.Typer, only: tuple[str, ...] | None = None) -> None:
    commands = {"validate": validate, "schema": schema, "init": init}
    add_commands(app, {k: v for k, v in commands.items() if only is None or k in only})


def validate(
    specs: Annotated[
        list[Path], typer.Argument(help="活动方案文件 campaign.yaml（可多个）", show_default=False)
    ],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="只输出错误")] = False,
) -> None:
    """检查活动方案：所有错误一次列出，带文件:行:列。Check campaign files; exit 0 if all are valid, 2 otherwise.

    Example:

        campaignflow validate campaign_specs/*/campaign.yaml
    """
    from ..spec import SpecError, load
    from ..summary import describe

    bad = 0
    for path in specs:
        try:
            loaded = load(path)
        except SpecError as exc:
            bad += 1
            err = err_console()
            err.print(exc.render(), markup=False)
            err.print(f"✗ {path}: {exc.summary}\n", markup=False)
            continue
        if not quiet:
            out_console().print(f"✓ {path}: {describe(loaded)}", markup=False)
    if bad:
        raise typer.Exit(EXIT_BAD_INPUT)


def schema(
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件")] = Path(
        "campaign_specs/schema.json"
    ),
) -> None:
    """生成活动方案的 JSON Schema，供编辑器补全和检查。Write the JSON Schema of campaign files.

    Example:

        campaignflow schema -o campaign_specs/schema.json
    """
    from ..spec.schema import write_schema

    try:
        write_schema(output)
    except OSError as exc:
        fail(f"无法写入 {output}：{exc.strerror or exc}", EXIT_FAILURE)
    out_console().print(f"已写入 {output}", markup=False)


# starters by the shape of the campaign, each a shipped campaign
STARTERS = {
    "staged": ("bapo-bali-2023", "分阶段：依次推进的阶段、关口和签批"),
    "tracks": ("theme-education-2023", "并行工作线：几条工作线同时推进、重要节点"),
    "unstaged": ("party-discipline-2024", "不划阶段：工作线、读书班天数、日期加减工作日、grace"),
    "review": ("tangping-review-2023", "专项整治：指标体系、测评表、分类"),
    "annual": ("party-building-2023", "年度党建：组织生活、群众评议、年终总结"),
}


def init(
    directory: Annotated[
        Path, typer.Argument(help="新活动的文件夹（须不存在或为空）", show_default=False)
    ],
    from_: Annotated[
        str,
        typer.Option(
            "--from",
            help="蓝本：staged（分阶段）、tracks（并行工作线）、unstaged（不划阶段）、review（专项整治）、"
            "annual（年度党建），或内置活动的文件夹名",
        ),
    ] = "staged",
) -> None:
    """以内置活动为蓝本新建一个活动文件夹。Create a new campaign folder from a shipped one.

    Example:

        campaignflow init my-campaign --from unstaged
        campaignflow init my-campaign --from party-building-2023
    """
    from ..spec.shipped import shipped_campaigns

    shipped = shipped_campaigns()
    from_ = STARTERS.get(from_, (from_, ""))[0]
    if from_ not in shipped:
        starters = "；".join(f"{k}（{v[1]}）" for k, v in STARTERS.items())
        fail(f"没有名为 {from_} 的蓝本：可选 {starters}；或内置活动 {', '.join(sorted(shipped))}")
    if directory.exists() and not directory.is_dir():
        fail(f"{directory} 是一个文件，不是文件夹；请换一个文件夹名")
    if directory.exists() and any(directory.iterdir()):
        fail(f"{directory} 已存在且不为空；请换一个文件夹名")
    source = shipped[from_]
    spec_file = directory / "campaign.yaml"
    try:
        shutil.copytree(source, directory, dirs_exist_ok=True)
        text = spec_file.read_text(encoding="utf-8")
        schema_line = f"# yaml-language-server: $schema={_schema_uri(directory)}"
        lines = text.splitlines()
        if lines and lines[0].startswith("# yaml-language-server:"):
            lines[0] = schema_line
        spec_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"无法在 {directory} 创建活动：{exc.strerror or exc}", EXIT_FAILURE)
    out_console().print(
        f"已创建 {directory}（蓝本：{from_}）。下一步：编辑 {spec_file}，然后运行\n"
        f"  campaignflow validate {spec_file}",
        markup=False,
    )


def _schema_uri(directory: Path) -> str:
    from ..spec.shipped import shipped_root

    return (shipped_root() / "schema.json").resolve().as_uri()
