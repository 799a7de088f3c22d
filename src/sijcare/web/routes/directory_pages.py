"""The physician directory pages."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.services import directory
from sijcare.services.errors import msg
from sijcare.web.deps import SignedIn
from sijcare.web.navigation import NavLink
from sijcare.web.pages import render

router = APIRouter(include_in_schema=False)
nav_links = (
    NavLink(
        "/physicians",
        msg("Physicians"),
        frozenset(Role),
        msg("Our physicians, what they do and where they work."),
    ),
)


@router.get("/physicians")
def physicians(ctx: SignedIn) -> Response:
    cards = directory.list_practitioners(ctx.db, actor=ctx.me)
    return render(ctx, "physicians/list.html", {"physicians": cards})


@router.get("/physicians/{practitioner_id}")
def physician(practitioner_id: int, ctx: SignedIn) -> Response:
    card = directory.get_practitioner(ctx.db, actor=ctx.me, practitioner_id=practitioner_id)
    return render(ctx, "physicians/detail.html", {"physician": card})
