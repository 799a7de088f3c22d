"""Reminder pages: the patient's choices and calendar download, and the staff's outbox.

`/portal/reminders` is the signed-in patient's own page: e-mail reminders on or off,
how much they say, their own quiet hours, the calendar file to download, and their
recent reminders with what became of each. `/workspace/outbox` lists the clinic's
reminders for staff: sent (with the mail server's answer) or failed (with the attempts
and the last error).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.db.models.outbox_message import OutboxStatus
from sijcare.db.models.reminder_preference import DetailLevel
from sijcare.services import outbox_status, reminders
from sijcare.services.errors import Forbidden, Invalid, msg
from sijcare.web.deps import Ctx, SignedIn
from sijcare.web.forms import FormParser, FormState, read_form
from sijcare.web.navigation import NavLink
from sijcare.web.pages import redirect, render

router = APIRouter(include_in_schema=False)
nav_links = (
    NavLink(
        "/portal/reminders",
        msg("Reminders"),
        frozenset({Role.PATIENT}),
        msg("E-mail reminders and your calendar: choose what they say."),
    ),
    NavLink(
        "/workspace/outbox",
        msg("Reminder e-mails"),
        frozenset({Role.CLINICIAN, Role.SCHEDULER, Role.ADMIN}),
        msg("Which reminders went out and which failed."),
    ),
)


def own_public_id(ctx: Ctx) -> str:
    """The signed-in patient's public id; staff have no portal of their own."""
    public_id = ctx.me.patient_public_id
    if public_id is None:
        raise Forbidden(msg("This page is for patients."))
    return public_id


@router.get("/portal/reminders")
def reminders_page(ctx: SignedIn) -> Response:
    return _page(ctx, FormState())


def _page(ctx: Ctx, state: FormState, status_code: int = 200) -> Response:
    public_id = own_public_id(ctx)
    view = reminders.view_preferences(
        ctx.db, actor=ctx.me, public_id=public_id, knowledge=ctx.platform.knowledge, now=ctx.now
    )
    sent = outbox_status.list_for_patient(
        ctx.db, actor=ctx.me, public_id=public_id, now=ctx.now, limit=20
    )
    values = state.values or form_values(view.preferences)
    context: dict[str, Any] = {
        "view": view,
        "messages": sent,
        "levels": [level.value for level in DetailLevel],
        **FormState(values, state.errors).context(),
    }
    return render(ctx, "portal/reminders.html", context, status_code=status_code)


def form_values(preferences: reminders.Preferences) -> dict[str, str]:
    start, end = (t.strftime("%H:%M") for t in preferences.quiet)
    own = preferences.own_quiet
    return {
        "email_opt_in": "yes" if preferences.email_opt_in else "no",
        "detail": preferences.detail.value,
        "quiet_start": start if own else "",
        "quiet_end": end if own else "",
    }


@router.post("/portal/reminders")
async def save_reminders(request: Request, ctx: SignedIn) -> Response:
    public_id = own_public_id(ctx)
    form = await read_form(request)
    try:
        reminders.update_preferences(
            ctx.db,
            actor=ctx.me,
            public_id=public_id,
            choice=parse_choice(form),
            knowledge=ctx.platform.knowledge,
            now=ctx.now,
        )
    except Invalid as exc:
        return _page(ctx, FormState.failed(form, exc), 422)
    return redirect(ctx, "/portal/reminders", notice=msg("Your reminder choices are saved."))


def parse_choice(form: dict[str, str]) -> reminders.PreferenceChoice:
    """The reminder form as a choice; every bad field at once as `Invalid`."""
    parser = FormParser(form)
    opt_in = form.get("email_opt_in", "")
    if opt_in not in ("yes", "no"):
        parser.fail("email_opt_in", msg("Choose whether you want e-mail reminders."))
    detail = parser.choice("detail", DetailLevel, msg("Choose how much the reminders may say."))
    start = parser.clock_time("quiet_start", required=False)
    end = parser.clock_time("quiet_end", required=False)
    parser.check()
    assert detail is not None
    return reminders.PreferenceChoice(opt_in == "yes", detail, start, end)


@router.get("/workspace/outbox")
def outbox_page(ctx: SignedIn, status: str = "") -> Response:
    try:
        chosen = OutboxStatus(status) if status else None
    except ValueError:
        raise Invalid.one("status", msg("Choose a status from the list.")) from None
    rows = outbox_status.list_outbox(ctx.db, actor=ctx.me, now=ctx.now, status=chosen)
    context = {
        "rows": rows,
        "statuses": [s.value for s in OutboxStatus],
        "values": {"status": status},
    }
    return render(ctx, "workspace/outbox.html", context)
