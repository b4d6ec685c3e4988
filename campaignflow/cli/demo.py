"""`make demo`: the shipped campaigns end to end on the embedded defaults.

Every shipped campaign is validated and summarised; then each is run as Prefect flows (a private
Prefect server, SQLite, all state in `<data folder>/demo`): its sample data dropped into the
inbox, every phase run gate by gate as of the campaign's last day, reports written.
Run with `python -m campaignflow.cli.demo`; the demo folder is rebuilt each time (reproducible).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

from rich.console import Console

CAMPAIGNS = (
    "bapo-bali-2023",
    "tangping-review-2023",
    "theme-education-2023",
    "party-building-2023",
    "party-discipline-2024",
)


def _prepare(home: Path) -> None:
    from .local_server import stop_server

    if home.exists():
        stop_server(home)  # the last demo's server belongs to the folder about to go
        shutil.rmtree(home)
    home.mkdir(parents=True)
    os.environ["CAMPAIGNFLOW_HOME"] = str(home)
    os.environ.pop("CAMPAIGNFLOW_DATABASE_URL", None)


def _fill_inbox(loaded, home: Path) -> int:
    from ..collect.inbox import inbox_folder

    inbox = inbox_folder(home, loaded)
    inbox.mkdir(parents=True, exist_ok=True)
    files = [p for p in sorted((loaded.root / "data").glob("*")) if p.suffix in (".csv", ".xlsx")]
    for path in files:
        shutil.copy(path, inbox / path.name)
    return len(files)


def _show_reminders(say, run_flow, campaign, as_of) -> None:
    """The daily deadline sweep on the campaign's last day at 09:00 Beijing time: which reminders
    would go out (no robot tokens are configured in the demo, so none is actually sent)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    now = dt.datetime.combine(as_of, dt.time(9), tzinfo=ZoneInfo("Asia/Shanghai"))
    sweeps = run_flow("flows.deadline_sweep:deadline_sweep", as_of=as_of, now=now)
    mine = [s for s in sweeps if s["campaign"] == campaign.spec.campaign.id]
    reminders = [r for s in mine for r in s["reminders"]]
    say(f"  期限检查（{as_of} 09:00）：{len(reminders)} 条提醒")
    for r in reminders:
        channel = f" / {r['channel']}" if r["channel"] else ""
        say(f"    · {r['unit']}{channel}：{r['items']} 项 — {r['label']}")


def main() -> int:
    from ..settings import load_settings
    from ..spec import SpecError, load
    from ..spec.shipped import shipped_campaigns
    from ..summary import describe

    console = Console(highlight=False, soft_wrap=True)
    say = lambda text: console.print(text, markup=False)  # noqa: E731
    shipped = shipped_campaigns()
    loaded = {}
    for name, folder in shipped.items():
        try:
            loaded[name] = load(folder / "campaign.yaml")
        except SpecError as exc:
            say(exc.render())
            return 2
        say(f"✓ {name}: {describe(loaded[name])}")
    home = load_settings().home / "demo"
    _prepare(home)
    say(f"\n演示数据文件夹：{home}（每次运行重建）")
    from .prefect_env import prefect_session, run_flow
    from .run import gate_text

    started = time.monotonic()
    say("启动本数据文件夹的 Prefect 服务器（首次约 15–30 秒）……")
    written: list[tuple[str, dict]] = []
    with prefect_session() as api_url:
        for name in (n for n in CAMPAIGNS if n in loaded):
            campaign = loaded[name]
            as_of = max(s.window[1] for s in campaign.spec.stages if s.window)
            copied = _fill_inbox(campaign, home)
            console.rule(f"{campaign.spec.campaign.title}（截至 {as_of}）")
            say(f"收件箱放入 {copied} 个样例数据文件；运行全部阶段……")
            outcome = run_flow("flows.campaign:campaign", spec_path=str(campaign.path), as_of=as_of)
            names = {s.id: s.name for s in campaign.spec.stages}
            for phase in outcome["phases"]:
                gate = gate_text(campaign, phase)
                name = names[phase["phase"]]
                say(f"  ■ {name}：措施完成 {phase['done']}/{phase['total']}，{gate}")
            if outcome["stopped_at"]:
                say(f"  活动停在阶段“{names[outcome['stopped_at']]}”（关口未满足）")
            written.append((campaign.spec.campaign.title, outcome))
            _show_reminders(say, run_flow, campaign, as_of)
    console.rule("报告")
    for title, outcome in written:
        files = [p for ph in outcome["phases"] for p in ph["reports"].values()]
        if outcome["final"]:
            files += list(outcome["final"]["reports"].values())
        say(f"{title}：{len(files)} 个文件")
        folder = Path(files[0]).parent if files else home
        say(f"  {folder}")
        for phase in outcome["phases"]:
            if branches := phase.get("branch_reports"):
                say(f"  各支部报告（{branches['branches']} 个支部）：{branches['folder']}")
    say(
        f"\n用时 {time.monotonic() - started:.0f} 秒。报告在 {home / 'reports'}（.md / .html / .docx）。"
    )
    ui = api_url.removesuffix("/api")
    say(
        f"全部运行都在 Prefect 界面中：{ui}（各运行的“进度总览”在其 Artifacts 中，报告可直接点开）。\n"
        f"服务器保持运行，空闲 2 小时后自动停止；再次打开：make ui，停止：make ui-stop。"
    )
    say(
        "手机填报：campaignflow qr <campaign.yaml> -o 二维码.pdf 打印各单位的二维码，"
        "campaignflow web <campaign.yaml> 启动网页表单（见 README“Collection by phone”）。"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
