"""`server` (the data folder's Prefect server: UI, deployments served; `status`, `stop`) and
`deployments` (the Prefect deployments file)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from .common import (
    DbOption,
    add_commands,
    add_group,
    err_console,
    fail,
    flows_database,
    load_spec,
    out_console,
)


def register(app: typer.Typer) -> None:
    add_group(
        app,
        "server",
        "本数据文件夹的 Prefect 服务器（界面）：启动并服务全部部署；status 查看，stop 停止。",
        {"status": status, "stop": stop},
        callback=server,
    )
    add_commands(app, {"deployments": deployments, "ui": ui})


CampaignOption = Annotated[
    list[Path] | None,
    typer.Option("--campaign", "-c", help="自己的活动方案文件（可多次给出；默认：内置活动）"),
]


def _loaded(campaign: list[Path] | None) -> tuple[list, Path]:
    from ..spec.shipped import shipped_campaigns, shipped_root

    paths = campaign or [folder / "campaign.yaml" for folder in shipped_campaigns().values()]
    loaded = [load_spec(path) for path in paths]
    return loaded, (Path.cwd() if campaign else shipped_root().parent)


def deployments(
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件")] = Path(
        "deployments/prefect.yaml"
    ),
    campaign: CampaignOption = None,
) -> None:
    """由活动方案生成 Prefect 部署文件（每个流程一个部署；阶段在结束日运行一次）。Write the Prefect deployments file.

    Without --campaign: the shipped campaigns into deployments/prefect.yaml. With --campaign:
    your own campaign files (paths are written relative to the current folder when inside it,
    which must then be CAMPAIGNFLOW_ROOT on the workers). Each phase runs once, at 18:00 on its
    last day and as of that day; the deadline sweep runs daily inside the campaign's window;
    nothing is scheduled in the past. The schedules made are printed.

    Example:

        campaignflow deployments -o deployments/prefect.yaml
        campaignflow deployments -c my/campaign.yaml -o my/prefect.yaml
        CAMPAIGNFLOW_ROOT=$PWD prefect deploy --prefect-file deployments/prefect.yaml --all
    """
    from ..deployments import deployment_specs, prefect_yaml, scheduled

    loaded, root = _loaded(campaign)
    specs = deployment_specs(loaded, root)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(prefect_yaml(specs), encoding="utf-8")
    out = out_console()
    out.print(f"已写入 {output}：{len(specs)} 个部署", markup=False)
    lines = scheduled(specs)
    for line in lines:
        out.print(f"  定时：{line}", markup=False)
    if not lines:
        out.print("  没有定时运行（活动都已结束，或未设起止日期）：各部署需手动运行", markup=False)


def server(
    ctx: typer.Context,
    port: Annotated[
        int | None, typer.Option(help="端口（默认 4200，被占用时另选）", show_default=False)
    ] = None,
    campaign: CampaignOption = None,
    db: DbOption = None,
) -> None:
    """本数据文件夹的 Prefect 服务器：没有运行就启动，然后在前台服务全部部署；Ctrl-C 停止服务部署。Serve the deployments on the data folder's server.

    The server (UI, API, reports over HTTP) belongs to the data folder (CAMPAIGNFLOW_HOME): every
    `campaignflow run` on the folder uses it, and it keeps running after Ctrl-C until it has been
    idle for CAMPAIGNFLOW_SERVER_IDLE seconds (default 2 hours) or `campaignflow server stop`.

    Example:

        campaignflow server
        campaignflow server status
        campaignflow server stop
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..deployments import deployment_specs
    from ..settings import load_settings
    from .local_server import ensure_server

    settings = load_settings()
    loaded, root = _loaded(campaign)
    specs = deployment_specs(loaded, root)
    out = out_console()
    with flows_database(db):  # the deployments' runs open the campaign database
        running = ensure_server(settings.home, port=port)
        os.environ.update(
            {"PREFECT_API_URL": running.api_url, "PREFECT_HOME": str(settings.home / "prefect")}
        )
        out.print(f"界面：{running.url}  （数据文件夹：{settings.home}）", markup=False)
        out.print(f"服务 {len(specs)} 个部署；按 Ctrl-C 停止服务部署。", markup=False)
        from .prefect_env import log_to_file

        log_to_file(settings.home)
        failed = _watchdog(settings.home, running)
        try:
            _serve(specs, root, settings.home, running)
        finally:
            failed["stop"].set()
    if failed.get("error") is not None:
        from .failure import report

        err_console().print("服务器无法重启，已停止服务部署。", markup=False)
        raise typer.Exit(report(failed["error"]))
    out.print(
        f"已停止服务部署；服务器仍在 {running.url} 运行（空闲后自动停止，或 campaignflow server stop）。",
        markup=False,
    )


def _serve(specs, root: Path, home: Path, running) -> None:
    """Serve until Ctrl-C; when the API goes away under the runner, start the server again (same
    port) and serve on. A server that cannot be started ends the command with its error."""
    from .failure import prefect_unreachable
    from .local_server import ensure_server
    from .serving import serve_deployments

    err = err_console()
    while True:
        try:
            serve_deployments(specs, root)
            return
        except (KeyboardInterrupt, SystemExit):
            return  # Ctrl-C: Prefect's runner has already shut down
        except Exception as exc:
            if prefect_unreachable(exc) is None:
                raise
            err.print(f"与服务器 {running.url} 的连接中断，正在重启服务器……", markup=False)
            running = ensure_server(home, port=running.port, host=running.host)
            err.print(
                f"服务器已重启：{running.url}（进程 {running.pid}），继续服务部署", markup=False
            )


def _watchdog(home, running) -> dict:
    """A thread that restarts the folder's server when its API stops answering, and ends the
    command (as Ctrl-C would) when it cannot: never a foreground process with a dead API."""
    import _thread
    import threading

    from .local_server import watch

    state: dict = {"stop": threading.Event()}
    err = err_console()

    def run() -> None:
        error = watch(home, running, lambda text: err.print(text, markup=False), state["stop"])
        if error is not None:
            state["error"] = error
            _thread.interrupt_main()

    threading.Thread(target=run, name="campaignflow-server-watch", daemon=True).start()
    return state


def status() -> None:
    """本数据文件夹的服务器是否在运行：地址、进程、日志。Show the data folder's server.

    Example:

        campaignflow server status
    """
    from ..settings import load_settings
    from .local_server import status as read_status

    home = load_settings().home
    info = read_status(home)
    out = out_console()
    if info is None:
        out.print(
            f"数据文件夹 {home} 的服务器没有运行（下次 campaignflow run 时自动启动）", markup=False
        )
        raise typer.Exit(1)
    out.print(f"运行中：{info.url}（进程 {info.pid}，数据文件夹 {info.home}）", markup=False)
    out.print(f"日志：{info.log}", markup=False)


def stop() -> None:
    """停止本数据文件夹的服务器。Stop the data folder's server.

    Example:

        campaignflow server stop
    """
    from ..settings import load_settings
    from .local_server import stop_server

    home = load_settings().home
    stopped = stop_server(home)
    out_console().print(
        f"已停止 {stopped.url}（进程 {stopped.pid}）"
        if stopped
        else f"{home} 的服务器本来就没有运行",
        markup=False,
    )


def ui(
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="用浏览器打开")] = True,
) -> None:
    """打开本数据文件夹的 Prefect 界面（服务器没有运行就先启动）。Open the Prefect UI.

    Example:

        CAMPAIGNFLOW_HOME=.campaignflow/demo campaignflow ui
    """
    from ..settings import load_settings
    from .local_server import ensure_server

    info = ensure_server(load_settings().home)
    out_console().print(f"界面：{info.url}", markup=False)
    if open_browser:
        import webbrowser

        try:
            webbrowser.open(info.url)
        except webbrowser.Error:
            fail(f"无法打开浏览器：请手动打开 {info.url}")
