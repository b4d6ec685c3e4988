"""`campaignflow web`, `qr`, `link-revoke`, `ballot-codes`, `ballot-turnout`, `ballot-close`:
collection by phone (campaignflow/web)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..web import URL_ENV
from .common import (
    DbOption,
    SpecArg,
    acting_user,
    add_commands,
    campaign_database,
    escape,
    fail,
    form_id_of,
    load_spec,
    out_console,
    parse_day,
    unit_of,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ..spec import LoadedCampaign

DEFAULT_PORT = 8765

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        help=f"网页填报的对外地址（印在二维码里），如 https://dj.example.gov.cn；默认取 {URL_ENV}，否则 http://127.0.0.1:{DEFAULT_PORT}",
        show_default=False,
    ),
]
FormOption = Annotated[
    str | None, typer.Option("--form", help="表单编号或名称；不写则为全部表单", show_default=False)
]


def register(app: typer.Typer) -> None:
    add_commands(
        app,
        {
            "web": web,
            "qr": qr,
            "link-revoke": link_revoke,
            "ballot-codes": ballot_codes,
            "ballot-turnout": ballot_turnout,
            "ballot-close": ballot_close,
        },
    )


def _base_url(url: str | None) -> str:
    return (url or os.environ.get(URL_ENV) or f"http://127.0.0.1:{DEFAULT_PORT}").rstrip("/")


def _secret() -> bytes:
    from ..settings import data_home
    from ..web.secret import web_secret

    return web_secret(data_home())


def _synced(engine: Engine, loaded: LoadedCampaign) -> None:
    from ..sync import sync_campaign

    result = sync_campaign(engine=engine, loaded=loaded, actor=acting_user(), skip_unchanged=True)
    if not result.skipped:
        out_console().print(
            f"已同步活动 {loaded.spec.campaign.id}：{result.summary()}", markup=False
        )


@contextmanager
def _synced_database(db: str | None, loaded: LoadedCampaign) -> Iterator[Engine]:
    """The campaign database, with the campaign synced into it, for the block."""
    with campaign_database(db) as (engine, _):
        _synced(engine, loaded)
        yield engine


def web(
    specs: Annotated[
        list[Path], typer.Argument(help="一个或多个活动方案 campaign.yaml", show_default=False)
    ],
    host: Annotated[
        str, typer.Option("--host", help="监听地址；对外服务请放在 nginx（HTTPS）之后")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="监听端口")] = DEFAULT_PORT,
    proxy: Annotated[
        bool,
        typer.Option(
            "--proxy", help="信任本机反向代理的 X-Forwarded-For/Proto（放在 nginx 之后时加）"
        ),
    ] = False,
    today: Annotated[
        str | None,
        typer.Option(
            "--today", help="按此日期判断链接是否过期（演练用），如 2023-10-20", show_default=False
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """启动网页填报：各单位凭链接/二维码在手机上填表，民主测评凭测评码投票，群众评议公开留言。Serve the web forms.

    Submissions go straight into the campaign database (a unit's submission replaces its
    previous one, like a corrected sheet); the Prefect server is not needed. Print the links
    with `campaignflow qr`, ballot codes with `campaignflow ballot-codes`.

    Example:

        campaignflow web campaign_specs/party-building-2023/campaign.yaml --port 8765
    """
    import uvicorn

    from ..web.app import Site, create_app

    loaded = {}
    for spec in specs:
        campaign = load_spec(spec)
        loaded[campaign.spec.campaign.id] = campaign
    fixed = parse_day(today) if today else None
    with campaign_database(db) as (engine, shown):
        for campaign in loaded.values():
            _synced(engine, campaign)
        site = Site(engine=engine, campaigns=loaded, secret=_secret())
        if fixed:
            site.today = lambda _c: fixed
        out = out_console()
        out.print(
            f"网页填报已启动：http://{host}:{port}/ （数据库 {shown}；按 Ctrl+C 停止）",
            markup=False,
        )
        out.print(
            "各单位的填报链接和二维码：campaignflow qr <campaign.yaml> -o 二维码.pdf", markup=False
        )
        uvicorn.run(
            create_app(site), host=host, port=port, access_log=False, log_level="warning",
            proxy_headers=proxy, forwarded_allow_ips="127.0.0.1" if proxy else None,
            server_header=False,
        )  # fmt: skip


def qr(
    spec: SpecArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="输出的 PDF 文件")] = Path(
        "二维码.pdf"
    ),
    form: FormOption = None,
    url: UrlOption = None,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--links",
            help="另把全部链接写入此 CSV 文件（单位、表单、截止、链接），便于在工作群里发送",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """打印填报二维码：每个单位一页，每张表一个二维码（截止日期前有效）；群众评议另印一页公开二维码。Print QR sheets.

    Each code is the unit's signed link to one form, valid until the form's due date (plus the
    phase's grace); `link-revoke` stops it. The links point at --url (or CAMPAIGNFLOW_WEB_URL).

    Example:

        campaignflow qr campaign.yaml -o 二维码.pdf --url https://dj.example.gov.cn
        campaignflow qr campaign.yaml --form 问题清单 -o 问题清单二维码.pdf --links 链接.csv
    """
    from .. import db as database
    from ..web import links
    from ..web.sheets import Code, Page, link_sheets

    loaded = load_spec(spec)
    chosen = [form_id_of(loaded, form)] if form else list(loaded.spec.forms)
    if all(loaded.spec.forms[f].kind == "ballot" for f in chosen):
        fail("测评表凭测评码投票：请用 campaignflow ballot-codes 打印测评码")
    base = _base_url(url)
    with _synced_database(db, loaded) as engine, database.read_session(engine) as session:
        issued = links.issue(
            session=session, loaded=loaded, secret=_secret(), base=base, forms=chosen
        )
    campaign, forms = loaded.spec.campaign, loaded.spec.forms
    names = {u.id: u.name for u in loaded.units} | {links.PUBLIC: "公众"}
    pages = []
    for unit in loaded.units:
        blocks = [
            Code(i.url, forms[i.form].title, f"截止 {i.expires:%Y年%-m月%-d日}")
            for i in issued
            if i.unit == unit.id
        ]
        if blocks:
            pages.append(
                Page(
                    unit.name,
                    campaign.short_title or campaign.title,
                    blocks,
                    "本页二维码仅供本单位使用，请勿外传",
                )
            )
    public = [
        Page(forms[i.form].title, campaign.organisation, [Code(i.url, "扫码提出意见建议", f"截止 {i.expires:%Y年%-m月%-d日}")],
             "无需填写姓名 · 凭受理编号查询回复")
        for i in issued if i.unit == links.PUBLIC
    ]  # fmt: skip
    count = link_sheets(pages + public, output)
    if csv_file is not None:
        import csv

        with csv_file.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["单位", "表单", "截止", "链接"])
            writer.writerows(
                [names[i.unit], forms[i.form].title, i.expires.isoformat(), i.url] for i in issued
            )
    out_console().print(
        f"已生成 {output}：{count} 页（{len(pages)} 个单位{'，公开留言 ' + str(len(public)) + ' 页' if public else ''}），"
        f"链接指向 {base}" + (f"；链接清单 {csv_file}" if csv_file else ""),
        markup=False,
    )


def link_revoke(
    spec: SpecArg,
    form: Annotated[str, typer.Option("--form", help="表单编号或名称", show_default=False)],
    unit: Annotated[
        str, typer.Option("--unit", help="单位编号或名称；公开留言链接写 公众", show_default=False)
    ],
    db: DbOption = None,
) -> None:
    """停用某单位某表此前发放的全部链接（如二维码外传）；重新运行 qr 即得新链接。Revoke links.

    Example:

        campaignflow link-revoke campaign.yaml --form 问题清单 --unit 人事教育科
        campaignflow link-revoke campaign.yaml --form 群众评议留言 --unit 公众
    """
    from .. import db as database
    from ..web import links

    loaded = load_spec(spec)
    form_id = form_id_of(loaded, form)
    unit_key = links.PUBLIC if unit in ("公众", "*") else unit_of(loaded, unit)
    with _synced_database(db, loaded) as engine, database.write_session(engine) as session:
        cid = database.campaign_id(session, loaded.spec.campaign.id)
        links.revoke(session, cid, form_id, unit_key)
    out_console().print(
        f"已停用 {unit} 的 {loaded.spec.forms[form_id].title} 链接；重新打印二维码：campaignflow qr {spec} --form {form_id}",
        markup=False,
    )


def _ballot_form(loaded: LoadedCampaign, form: str | None) -> str:
    if form:
        form_id = form_id_of(loaded, form)
        if loaded.spec.forms[form_id].kind == "ballot":
            return form_id
        fail(escape(f"表单 {form_id} 不是测评表（kind: ballot）"))
    found = [f for f, spec in loaded.spec.forms.items() if spec.kind == "ballot"]
    if len(found) != 1:
        fail(
            "活动中没有测评表"
            if not found
            else f"活动有多张测评表，请用 --form 指定：{'、'.join(found)}"
        )
    return found[0]


RoundArg = Annotated[str, typer.Argument(help="测评轮次，如 2023年度", show_default=False)]


def ballot_codes(
    spec: SpecArg,
    round_key: RoundArg,
    group: Annotated[
        str | None, typer.Option("--group", help="测评人类别，如 班子成员", show_default=False)
    ] = None,
    count: Annotated[int, typer.Option("-n", "--count", help="发放数量")] = 30,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="输出的 PDF 文件（测评码纸条）")
    ] = Path("测评码.pdf"),
    form: FormOption = None,
    url: UrlOption = None,
    db: DbOption = None,
) -> None:
    """发放一次性测评码：打印成纸条（二维码＋测评码）当面随机发放，测评码不与任何人对应。Issue ballot codes.

    The database keeps only a keyed hash of each code: the PDF is the only place the codes
    exist in clear — print it, hand the slips out, and delete the file.

    Example:

        campaignflow ballot-codes campaign.yaml 2023年度 --group 班子成员 -n 30 -o 测评码-班子成员.pdf
    """
    from ..web import ballots
    from ..web.sheets import code_slips

    loaded = load_spec(spec)
    form_id = _ballot_form(loaded, form)
    base = _base_url(url)
    with _synced_database(db, loaded) as engine:
        codes = ballots.issue_codes(
            engine=engine, loaded=loaded, secret=_secret(), form_id=form_id,
            round_key=round_key, group=group, count=count,
        )  # fmt: skip
    campaign = loaded.spec.campaign
    urls = [(c, f"{base}/b/{campaign.id}/{form_id}/{c}") for c in codes]
    pages = code_slips(heading=campaign.short_title or campaign.title, round_key=round_key,
                       group=group, urls=urls, output=output)  # fmt: skip
    out_console().print(
        f"已发放 {len(codes)} 个测评码（{round_key}{'·' + group if group else ''}），纸条已写入 {output}（{pages} 页）。"
        "数据库只保存测评码的密钥散列：打印后请删除此文件。",
        markup=False,
    )


def _on_round(spec: Path, form: str | None, db: str | None, fn):
    """`fn(engine, loaded, form_id)` on the campaign's ballot form; (its result, (loaded, form_id))."""
    loaded = load_spec(spec)
    form_id = _ballot_form(loaded, form)
    with campaign_database(db) as (engine, _):
        return fn(engine, loaded, form_id), (loaded, form_id)


def _turnout_lines(turnout: dict) -> list[str]:
    return [
        f"{group or '（未分类）'}：已投 {spent} / 发放 {issued}"
        for group, (spent, issued) in turnout.items()
    ]


def ballot_turnout(
    spec: SpecArg, round_key: RoundArg, form: FormOption = None, db: DbOption = None
) -> None:
    """测评进度：各类测评人已投票数／发放数（只有计数，测评结束前不显示结果）。Turnout of a round.

    Example:

        campaignflow ballot-turnout campaign.yaml 2023年度
    """
    from ..web import ballots

    def count(engine, loaded, form_id):
        return ballots.turnout(engine, loaded, form_id, round_key)

    turnout, _ = _on_round(spec, form, db, count)
    out = out_console()
    for line in _turnout_lines(turnout) or ["（尚未发放测评码）"]:
        out.print(line, markup=False)


def ballot_close(
    spec: SpecArg, round_key: RoundArg, form: FormOption = None, db: DbOption = None
) -> None:
    """结束测评：不再接受投票，网上测评票（随机顺序）计入测评表，下次运行流程即统计结果。Close a round.

    Example:

        campaignflow ballot-close campaign.yaml 2023年度
    """
    from ..web import ballots

    def close(engine, loaded, form_id):
        turnout = ballots.turnout(engine, loaded, form_id, round_key)
        moved = ballots.close_round(
            engine=engine, loaded=loaded, form_id=form_id, round_key=round_key, actor=acting_user()
        )
        return turnout, moved

    (turnout, moved), (loaded, form_id) = _on_round(spec, form, db, close)
    out = out_console()
    out.print(
        f"测评轮次“{round_key}”已结束：{moved} 张网上测评票已计入 {loaded.spec.forms[form_id].title}。",
        markup=False,
    )
    for line in _turnout_lines(turnout):
        out.print(line, markup=False)
