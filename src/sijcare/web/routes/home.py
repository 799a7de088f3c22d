"""The home page: a dashboard of the features the signed-in user's role may use."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from sijcare.web.deps import Anyone, require_signed_in
from sijcare.web.pages import redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(ctx: Anyone) -> Response:
    if ctx.actor is None:
        return redirect(ctx, "/login")
    require_signed_in(ctx)
    return render(ctx, "home.html")
