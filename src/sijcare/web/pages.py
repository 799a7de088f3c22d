"""Rendering pages and answering form posts: `render`, `redirect` and cookies.

A page's template receives what its route passes plus: `actor`, `csrf_token`, `notice`
(a message carried over a redirect), `zone` (the time zone to show times in), `nav`
(the links the actor may use) and `path`.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from sijcare.services.errors import Message
from sijcare.web.deps import Ctx
from sijcare.web.navigation import links_for
from sijcare.web.security import FLASH_COOKIE, PRESESSION_COOKIE, sign


def render(
    ctx: Ctx, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """The page `template` in the user's locale, with the shared context added."""
    full = {
        "actor": ctx.actor,
        "csrf_token": ctx.csrf_token,
        "notice": ctx.notice,
        "zone": ctx.zone,
        "nav": links_for(ctx.platform.nav, ctx.actor),
        "path": ctx.request.url.path,
        "errors": {},
        "values": {},
        **(context or {}),
    }
    html = ctx.platform.templates.render(template, full, locale=ctx.locale)
    response = HTMLResponse(html, status_code=status_code)
    finish(ctx, response)
    return response


def redirect(ctx: Ctx, url: str, *, notice: Message | None = None) -> RedirectResponse:
    """A 303 redirect (the browser follows with GET), optionally carrying a notice."""
    response = RedirectResponse(url, status_code=303)
    if notice is not None:
        response.set_cookie(
            FLASH_COOKIE,
            sign(ctx.platform.auth.key, _notice_json(notice)),
            httponly=True,
            secure=ctx.platform.settings.secure_cookies,
            samesite="lax",
            path="/",
        )
    finish(ctx, response, keep_notice=notice is not None)
    return response


def finish(ctx: Ctx, response: Response, *, keep_notice: bool = False) -> None:
    """Cookie bookkeeping every response needs: the pre-session cookie and a shown notice."""
    if ctx.new_presession:
        response.set_cookie(
            PRESESSION_COOKIE,
            ctx.new_presession,
            httponly=True,
            secure=ctx.platform.settings.secure_cookies,
            samesite="strict",
            path="/",
        )
    if ctx.notice is not None and not keep_notice:
        response.delete_cookie(FLASH_COOKIE, path="/")


def set_session_cookie(ctx: Ctx, response: Response, token: str) -> None:
    response.set_cookie(
        ctx.platform.session_cookie,
        token,
        max_age=int(ctx.platform.auth.lifetime.total_seconds()),
        httponly=True,
        secure=ctx.platform.settings.secure_cookies,
        samesite="lax",
        path="/",
    )
    response.delete_cookie(PRESESSION_COOKIE, path="/")


def clear_session_cookie(ctx: Ctx, response: Response) -> None:
    response.delete_cookie(
        ctx.platform.session_cookie,
        path="/",
        secure=ctx.platform.settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )


def _notice_json(notice: Message) -> dict[str, Any]:
    data: dict[str, Any] = {"text": notice.text, "params": dict(notice.params)}
    if notice.plural is not None:
        data.update(plural=notice.plural, count=notice.count)
    return data
