"""The web app (Starlette, server-rendered Jinja2 pages, no JavaScript): per-unit form links,
民主测评 with one-time codes, and the public 群众评议 form. It needs only the campaign database:
with the Prefect server down it keeps taking submissions, and the flows pick them up later.

Routes: /f/{token} a unit's form · /b/{campaign}/{form}[/{code}] a ballot · /p/{token} the
public form, /p/{token}/reply its replies · /healthz. Nothing is logged about a request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from .. import db
from ..calendar import today
from ..spec import LoadedCampaign
from ..spec.kinds import REPLIED, SATISFACTION, ballot_grades, ballot_indicators
from . import ballots, links, public
from .fields import shown_row, web_fields
from .filing import MAX_ROWS, RowsRefused, as_posted, current_rows, file_rows, read_posted
from .guard import CSRF_COOKIE, BodyLimit, csrf_ok, csrf_token, new_cookie

MAX_FIELDS = 4000  # form fields of one post (200 rows of up to 20 fields)


@dataclass
class Site:
    """What the app serves: the database, the campaigns by id, the signing key and the clock."""

    engine: Engine
    campaigns: dict[str, LoadedCampaign]
    secret: bytes
    today: Callable[[LoadedCampaign], dt.date] = lambda c: today(c.spec.campaign.timezone)
    posts: public.RateLimit = field(default_factory=public.RateLimit)
    lookups: public.RateLimit = field(default_factory=lambda: public.RateLimit(30, 600))


def create_app(site: Site) -> Starlette:
    pages = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
    web = _Pages(site, pages)
    routes = [
        Route("/", web.home),
        Route("/healthz", web.health),
        Route("/f/{token}", web.unit_form, methods=["GET", "POST"]),
        Route("/b/{campaign}/{form}", web.ballot, methods=["GET", "POST"]),
        Route("/b/{campaign}/{form}/{code}", web.ballot, methods=["GET"]),
        Route("/p/{token}", web.public_form, methods=["GET", "POST"]),
        Route("/p/{token}/reply", web.public_reply, methods=["GET", "POST"]),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(BodyLimit)
    return app


class _Pages:
    def __init__(self, site: Site, pages: Jinja2Templates) -> None:
        self.site, self.pages = site, pages

    # ------------------------------------------------------------ common
    def render(self, request: Request, name: str, status: int = 200, **context) -> Response:
        cookie = request.cookies.get(CSRF_COOKIE) or new_cookie()
        context.setdefault("heading", None)
        context.setdefault("subheading", None)
        context.setdefault("footer", None)
        context["csrf"] = csrf_token(self.site.secret, cookie)
        response = self.pages.TemplateResponse(request, name, context, status_code=status)
        if request.cookies.get(CSRF_COOKIE) != cookie:
            response.set_cookie(
                CSRF_COOKIE, cookie, httponly=True, samesite="strict", path="/",
                secure=request.url.scheme == "https",
            )  # fmt: skip
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
        )
        return response

    def refused(self, request: Request, title: str, detail: str, status: int = 403) -> Response:
        return self.render(
            request, "refused.html", status, title=title, detail=detail, failed=status >= 400
        )

    async def posted(self, request: Request):
        """The posted form, or None when its CSRF token is missing or wrong."""
        data = await request.form(max_files=0, max_fields=MAX_FIELDS)
        if not csrf_ok(self.site.secret, request.cookies.get(CSRF_COOKIE), data.get("csrf")):
            return None
        return data

    def stale(self, request: Request) -> Response:
        return self.refused(
            request, "页面已失效", "请重新打开链接后再提交（页面校验码缺失或不符）。"
        )

    def link(self, request: Request, token: str, public_link: bool):
        """(loaded, link) of a valid link token, or the refusal page."""
        try:
            link = links.verify(self.site.secret, token)
            loaded = self.site.campaigns.get(link.campaign)
            form = loaded.spec.forms.get(link.form) if loaded else None
            units = {u.id for u in loaded.units} if loaded else set()
            wanted = form is not None and form.kind != "ballot"
            wanted = wanted and (form.kind == "feedback") == public_link
            if not wanted or link.public != public_link or not (link.public or link.unit in units):
                raise links.LinkRefused(links.Refusal.FORGED, "此链接不属于本系统正在收集的表单")
            with db.read_session(self.site.engine) as session:
                cid = db.campaign_id(session, link.campaign)
                links.check(session, cid, link, self.site.today(loaded))
        except links.LinkRefused as exc:
            status = 410 if exc.reason is links.Refusal.EXPIRED else 403
            return None, self.refused(request, exc.reason.value, exc.detail, status)
        return (loaded, link), None

    async def home(self, request: Request) -> Response:
        return self.refused(
            request, "campaignflow 网页填报", "请通过组织部门发放的链接或二维码进入。", 200
        )

    async def health(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    # ------------------------------------------------------------ a unit's form
    async def unit_form(self, request: Request) -> Response:
        found, refusal = self.link(request, request.path_params["token"], public_link=False)
        if refusal:
            return refusal
        loaded, link = found
        form = loaded.spec.forms[link.form]
        fields = web_fields(loaded, link.form, link.unit)
        unit_name = next(u.name for u in loaded.units if u.id == link.unit)
        page = {
            "title": form.title, "heading": form.title, "subheading": loaded.spec.campaign.title,
            "unit_name": unit_name, "expires": f"{link.expires:%Y年%-m月%-d日}", "fields": fields,
            "problems": {}, "message": None,
        }  # fmt: skip
        current = [
            as_posted(v, fields)
            for v in current_rows(self.site.engine, loaded, link.form, link.unit)
        ]
        page["has_current"] = bool(current)
        if request.method == "GET":
            return self.render(request, "form.html", rows=current or [{}], **page)
        data = await self.posted(request)
        if data is None:
            return self.stale(request)
        try:
            count = min(int(data.get("rows") or 0), MAX_ROWS)
        except ValueError:
            count = 0
        rows = [
            {f.id: str(data.get(f"r{i}.{f.id}") or "") for f in fields}
            for i in range(count)
            if not data.get(f"r{i}.delete")
        ]
        if data.get("action") == "add":
            if len(rows) >= MAX_ROWS:
                page["message"] = f"一次最多填报 {MAX_ROWS} 条"
            return self.render(
                request, "form.html", rows=rows + [{}] if len(rows) < MAX_ROWS else rows, **page
            )
        checked = read_posted(loaded, link.form, fields, rows)
        if not checked.values and not current:
            page["message"] = "请至少填写一条记录再提交"
            return self.render(request, "form.html", 400, rows=[{}], **page)
        if not checked.problems:
            try:
                receipt = file_rows(
                    engine=self.site.engine, loaded=loaded, form_id=link.form, unit=link.unit,
                    values=checked.values,
                )  # fmt: skip
            except RowsRefused as exc:
                checked.problems = exc.problems
            else:
                message = (
                    "提交成功，已替换本单位此前的填报。"
                    if receipt.changed
                    else "与上次提交相同，没有变化。"
                )
                page["message"] = message
                return self.render(
                    request, "receipt.html", receipt=receipt.number, summary=receipt.summary,
                    rows=[shown_row(fields, r) for r in checked.raw], **page,
                )  # fmt: skip
        page["problems"] = checked.problems
        page["message"] = (
            f"有 {sum(len(p) for p in checked.problems.values())} 处需要修改（见标红处），尚未保存。"
        )
        return self.render(request, "form.html", 400, rows=checked.raw or [{}], **page)

    # ------------------------------------------------------------ 民主测评
    async def ballot(self, request: Request) -> Response:
        loaded = self.site.campaigns.get(request.path_params["campaign"])
        form_id = request.path_params["form"]
        form = loaded.spec.forms.get(form_id) if loaded else None
        if form is None or form.kind != "ballot":
            return self.refused(request, "页面不存在", "请扫描测评码纸条上的二维码进入。", 404)
        action = f"/b/{loaded.spec.campaign.id}/{form_id}"
        page = {
            "title": form.title,
            "heading": form.title,
            "subheading": loaded.spec.campaign.title,
            "action": action,
        }
        code, data = request.path_params.get("code", ""), {}
        if request.method == "POST":
            data = await self.posted(request)
            if data is None:
                return self.stale(request)
            code = str(data.get("code") or "")
        if not code:
            return self.render(request, "code.html", message=None, **page)
        try:
            opened = ballots.look_up(self.site.engine, loaded, self.site.secret, form_id, code)
        except ballots.BallotError as exc:
            if exc.reason is ballots.CodeRefused.UNKNOWN:
                return self.render(
                    request, "code.html", 403, message=f"{exc.reason.value}：{exc}", **page
                )
            return self.refused(
                request,
                exc.reason.value,
                str(exc),
                409 if exc.reason is ballots.CodeRefused.USED else 410,
            )
        paper = {
            "code": ballots.normalise(code), "round_key": opened.round_key, "group": opened.rater_group,
            "subjects": ballots.subjects(loaded),
            "grades": ballot_grades(form),
            "indicators": ballot_indicators(form),
            "posted": dict(data) if data else {}, "problems": {}, "message": None,
        }  # fmt: skip
        if request.method == "GET" or data.get("action") != "cast":
            return self.render(request, "ballot.html", **paper, **page)
        marks, problems = ballots.read_paper(loaded, form_id, dict(data))
        if problems:
            paper["problems"] = problems
            paper["message"] = f"还有 {len(problems)} 人未评价（见标红处），尚未提交。"
            return self.render(request, "ballot.html", 400, **paper, **page)
        try:
            ballots.spend(
                engine=self.site.engine, loaded=loaded, secret=self.site.secret, form_id=form_id,
                code=code, marks=marks, on=self.site.today(loaded),
            )  # fmt: skip
        except ballots.BallotError as exc:
            return self.refused(
                request, exc.reason.value if exc.reason else "无法投票", str(exc), 409
            )
        return self.render(
            request,
            "done.html",
            message="投票成功，感谢您的参与。测评结果在测评结束后统一统计。",
            receipt=None,
            **page,
        )

    # ------------------------------------------------------------ 群众评议
    def _public_page(self, loaded, link, token: str) -> dict:
        form = loaded.spec.forms[link.form]
        return {
            "title": form.title, "heading": form.title, "subheading": loaded.spec.campaign.organisation,
            "reply_url": f"/p/{token}/reply", "max_content": public.MAX_CONTENT,
            "min_content": public.MIN_CONTENT, "message": None, "error": None, "content": "",
        }  # fmt: skip

    def _client(self, request: Request) -> str:
        return request.client.host if request.client else "?"

    def _public(self, request: Request):
        """(loaded, link, page) of a public link, or the refusal page."""
        token = request.path_params["token"]
        found, refusal = self.link(request, token, public_link=True)
        if refusal:
            return None, refusal
        loaded, link = found
        return (loaded, link, self._public_page(loaded, link, token)), None

    async def public_form(self, request: Request) -> Response:
        found, refusal = self._public(request)
        if refusal:
            return refusal
        loaded, link, page = found
        if request.method == "GET":
            return self.render(request, "public.html", **page)
        data = await self.posted(request)
        if data is None:
            return self.stale(request)
        content = str(data.get("content") or "").strip()
        page["content"] = content
        if not public.MIN_CONTENT <= len(content) <= public.MAX_CONTENT:
            page["error"] = (
                f"请填写 {public.MIN_CONTENT} 至 {public.MAX_CONTENT} 字（现有 {len(content)} 字）"
            )
            return self.render(request, "public.html", 400, **page)
        if not self.site.posts.allow(self._client(request)):
            return self.refused(
                request, "提交过于频繁", "请稍后再试（每 10 分钟最多提交 5 条）。", 429
            )
        code = public.receive(
            engine=self.site.engine, loaded=loaded, form_id=link.form, content=content,
            on=self.site.today(loaded),
        )  # fmt: skip
        page["message"] = "提交成功，感谢您的意见。"
        return self.render(request, "done.html", receipt=code, **page)

    async def public_reply(self, request: Request) -> Response:
        found, refusal = self._public(request)
        if refusal:
            return refusal
        loaded, link, page = found
        page.update(title="查询回复", reply=None, can_rate=False, satisfaction=SATISFACTION)
        if request.method == "GET":
            return self.render(request, "reply.html", **page)
        data = await self.posted(request)
        if data is None:
            return self.stale(request)
        if not self.site.lookups.allow(self._client(request)):
            return self.refused(request, "查询过于频繁", "请稍后再试。", 429)
        reply = public.find(self.site.engine, loaded, link.form, str(data.get("code") or ""))
        if reply is None:
            page["message"] = "没有找到这个受理编号：请核对后再查（如 QZ-7K3M9P2X）"
            return self.render(request, "reply.html", 404, **page)
        choice = str(data.get("satisfaction") or "")
        rateable = reply.status == REPLIED and not reply.satisfaction
        if data.get("action") == "rate" and rateable and choice in SATISFACTION:
            public.rate(self.site.engine, loaded, link.form, reply, choice)
            reply = public.find(self.site.engine, loaded, link.form, reply.code)
            page["message"] = "感谢您的评价。"
        page["reply"] = reply
        page["can_rate"] = reply.status == REPLIED and not reply.satisfaction
        return self.render(request, "reply.html", **page)
