"""The signed-in user's own account: language, time zone and password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.services import auth, users
from sijcare.services.errors import Invalid, msg
from sijcare.settings import LOCALES
from sijcare.web.deps import SignedIn
from sijcare.web.forms import FormState, read_form
from sijcare.web.i18n import LOCALE_NAMES
from sijcare.web.navigation import NavLink
from sijcare.web.pages import redirect, render

router = APIRouter(include_in_schema=False)
nav_links = (
    NavLink(
        "/account", msg("My account"), frozenset(Role), msg("Language, time zone and password.")
    ),
)
# The zones offered in the form: the clinic's own region first; any IANA zone is accepted.
COMMON_ZONES = (
    "America/Los_Angeles",
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/New_York",
    "America/Anchorage",
    "Pacific/Honolulu",
    "UTC",
)


def _languages() -> list[tuple[str, str]]:
    return [(code, LOCALE_NAMES[code]) for code in LOCALES]


@router.get("/account")
def account_page(ctx: SignedIn) -> Response:
    actor = ctx.me
    values = {"locale": actor.locale, "time_zone": actor.time_zone}
    return render(ctx, "account.html", {"values": values, **_choices(actor.time_zone)})


@router.post("/account")
async def save_account(request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    try:
        users.update_preferences(
            ctx.db,
            actor=ctx.me,
            locale=form.get("locale", ""),
            time_zone=form.get("time_zone", ""),
            now=ctx.now,
        )
    except Invalid as exc:
        state = FormState.failed(form, exc)
        return render(
            ctx, "account.html", {**state.context(), **_choices(ctx.me.time_zone)}, status_code=422
        )
    return redirect(ctx, "/account", notice=msg("Your settings are saved."))


def _choices(current: str) -> dict[str, object]:
    zones = COMMON_ZONES if current in COMMON_ZONES else (current, *COMMON_ZONES)
    return {"languages": _languages(), "zones": [(zone, zone) for zone in zones]}


@router.get("/account/password")
def password_page(ctx: SignedIn) -> Response:
    return render(ctx, "password.html")


@router.post("/account/password")
async def change_password(request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    try:
        auth.change_password(
            ctx.db,
            actor=ctx.me,
            current=form.get("current_password", ""),
            new=form.get("new_password", ""),
            confirm=form.get("confirm_password", ""),
            now=ctx.now,
            config=ctx.platform.auth,
            keep_token=ctx.session_token,
        )
    except Invalid as exc:
        # Passwords are never sent back into the page.
        state = FormState.failed({}, exc)
        return render(ctx, "password.html", state.context(), status_code=422)
    return redirect(ctx, "/", notice=msg("Your password is changed."))
