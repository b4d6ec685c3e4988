"""`server` and `deployments`: the Prefect UI with every deployment served, in one command."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from .common import EXIT_FAILURE, err_console, fail, guarded, out_console


def register(app: typer.Typer) -> None:
    app.command()(guarded(server))
    app.command()(guarded(deployments))


def _shipped_loaded():
    from ..spec import SpecError, load
    from ..spec.shipped import shipped_campaigns

    loaded = []
    for folder in shipped_campaigns().values():
        try:
            loaded.append(load(folder / "campaign.yaml"))
        except SpecError as exc:
            err_console().print(exc.render(), markup=False)
            raise typer.Exit(2) from None
    return loaded


def _repo_root() -> Path:
    from ..spec.shipped import shipped_root

    return shipped_root().parent


def deployments(
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件")] = Path(
        "deployments/prefect.yaml"
    ),
    campaign: Annotated[
        list[Path] | None,
        typer.Option("--campaign", "-c", help="自己的活动方案文件（可多次给出；默认：内置活动）"),
    ] = None,
) -> None:
    """由活动方案生成 Prefect 部署文件（每个流程一个部署，含定时）。Write the Prefect deployments file.

    Without --campaign: the shipped campaigns into deployments/prefect.yaml. With --campaign:
    your own campaign files (paths are written relative to the current folder when inside it,
    which must then be CAMPAIGNFLOW_ROOT on the workers).

    Example:

        campaignflow deployments -o deployments/prefect.yaml
        campaignflow deployments -c my/campaign.yaml -o my/prefect.yaml
        CAMPAIGNFLOW_ROOT=$PWD prefect deploy --prefect-file deployments/prefect.yaml --all
    """
    from ..deployments import deployment_specs, prefect_yaml

    if campaign:
        from ..spec import SpecError, load

        try:
            loaded, root = [load(path) for path in campaign], Path.cwd()
        except SpecError as exc:
            err_console().print(exc.render(), markup=False)
            raise typer.Exit(2) from None
    else:
        loaded, root = _shipped_loaded(), _repo_root()
    text = prefect_yaml(deployment_specs(loaded, root))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    out_console().print(f"已写入 {output}", markup=False)


def server(
    port: Annotated[int, typer.Option(help="端口")] = 4200,
    host: Annotated[str, typer.Option(help="监听地址（默认只在本机）")] = "127.0.0.1",
) -> None:
    """启动 Prefect 服务器（界面 http://127.0.0.1:4200）并运行全部部署与定时；Ctrl-C 停止。Start the UI and serve every deployment.

    State lives under the data folder (CAMPAIGNFLOW_HOME). In another terminal, point runs at it:
    PREFECT_API_URL=http://127.0.0.1:4200/api campaignflow run SPEC

    Example:

        campaignflow server --port 4200
    """
    from ..deployments import deployment_specs
    from ..settings import load_settings
    from .prefect_server import prefect_server

    specs = deployment_specs(_shipped_loaded(), _repo_root())
    settings = load_settings()
    out = out_console()
    out.print(f"启动 Prefect 服务器（数据：{settings.home / 'prefect'}）……", markup=False)
    try:
        with prefect_server(settings.home, host=host, port=port, ui=True) as running:
            os.environ.update(
                {"PREFECT_API_URL": running.api_url, "PREFECT_HOME": str(settings.home / "prefect")}
            )
            out.print(f"界面：{running.url}  （API：{running.api_url}）", markup=False)
            out.print(f"服务 {len(specs)} 个部署；按 Ctrl-C 停止。", markup=False)
            from .serving import serve_deployments

            try:
                serve_deployments(specs, _repo_root())
            except (KeyboardInterrupt, SystemExit):
                pass  # Ctrl-C: Prefect's runner has already shut down
        out.print("已停止（Prefect 服务器与部署）。", markup=False)
    except KeyboardInterrupt:
        out.print("已停止。", markup=False)
    except RuntimeError as exc:
        fail(str(exc), EXIT_FAILURE)
