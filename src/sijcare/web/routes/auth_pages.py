"""Sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from sijcare.services import auth
from sijcare.services.errors import FieldError, Invalid, Throttled, msg
from sijcare.web.deps import Anyone
from sijcare.web.forms import FormState, read_form
from sijcare.web.pages import clear_session_cookie, redirect, render, set_session_cookie

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(ctx: Anyone, target: Annotated[str, Query(alias="next")] = "/") -> Response:
    if ctx.actor is not None:
        return redirect(ctx, safe_next(target))
    return render(ctx, "login.html", {"next": safe_next(target)})


@router.post("/login")
async def login(request: Request, ctx: Anyone) -> Response:
    form = await read_form(request)
    target = safe_next(form.get("next"))
    values = {"email": form.get("email", ""), "next": target}
    required = [
        FieldError(name, msg("This field is required."))
        for name in ("email", "password")
        if not form.get(name)
    ]
    try:
        if required:
            raise Invalid(required)
        grant = auth.login(
            ctx.db,
            email=form["email"],
            password=form["password"],
            origin=ctx.origin,
            now=ctx.now,
            config=ctx.platform.auth,
            replacing_token=request.cookies.get(ctx.platform.session_cookie),
        )
    except Invalid as exc:
        state = FormState.failed(values, exc)
        return render(ctx, "login.html", {**state.context(), "next": target}, status_code=422)
    except (auth.LoginFailed, Throttled) as exc:
        status = 429 if isinstance(exc, Throttled) else 401
        return render(
            ctx,
            "login.html",
            {"values": values, "failure": exc.message, "next": target},
            status_code=status,
        )
    response = redirect(ctx, "/account/password" if grant.actor.must_change_password else target)
    set_session_cookie(ctx, response, grant.token)
    return response


@router.post("/logout")
def logout(ctx: Anyone) -> Response:
    if ctx.actor is not None and ctx.session_token is not None:
        auth.logout(ctx.db, actor=ctx.actor, token=ctx.session_token, now=ctx.now)
    response = redirect(ctx, "/login", notice=msg("You are signed out."))
    clear_session_cookie(ctx, response)
    return response
