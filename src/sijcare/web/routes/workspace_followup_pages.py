"""Workspace pages after the injection: the diary review with its sign-off, and the
red-flag inbox with the acknowledgement of each report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import Response

from sijcare.services import diary_review, escalation, inbox
from sijcare.services.errors import Conflict, Invalid, Message, msg
from sijcare.web.charts import pain_chart_svg
from sijcare.web.deps import Ctx, SignedIn
from sijcare.web.forms import read_form
from sijcare.web.pages import redirect
from sijcare.web.routes.workspace_common import failed, optional_int, page

router = APIRouter(include_in_schema=False)


def _diary_page(
    ctx: Ctx, procedure_id: int, problem: Message | None = None, status_code: int = 200
) -> Response:
    knowledge = ctx.platform.knowledge
    review = diary_review.get_review(
        ctx.db, actor=ctx.me, procedure_id=procedure_id, knowledge=knowledge, now=ctx.now
    )
    # The chart is markup made by the server from the stored values (charts.make_inline).
    chart = Markup(  # noqa: S704
        pain_chart_svg(
            review.procedure, review.scores, review.reading, knowledge, ctx.zone, ctx.locale
        )
    )
    context: dict[str, Any] = {"review": review, "chart": chart, "problem": problem}
    return page(ctx, "workspace/diary.html", context, status_code=status_code)


@router.get("/workspace/procedures/{procedure_id}/diary")
def diary_page(procedure_id: int, ctx: SignedIn) -> Response:
    return _diary_page(ctx, procedure_id)


@router.post("/workspace/procedures/{procedure_id}/diary/sign-off")
async def sign_off(procedure_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    try:
        diary_review.sign_off(
            ctx.db,
            actor=ctx.me,
            procedure_id=procedure_id,
            interpretation_id=optional_int(form.get("interpretation_id", "")) or 0,
            knowledge=ctx.platform.knowledge,
            now=ctx.now,
        )
    except Conflict as exc:
        return _diary_page(ctx, procedure_id, exc.message, 409)
    return redirect(
        ctx,
        f"/workspace/procedures/{procedure_id}/diary",
        notice=msg("You signed off the reading."),
    )


@router.get("/workspace/inbox")
def inbox_page(ctx: SignedIn) -> Response:
    items = inbox.list_inbox(ctx.db, actor=ctx.me, now=ctx.now)
    # Urgent reports past the clinic's escalation time, by id (minutes waiting, e-mailed).
    overdue = {
        o.report_id: o
        for o in escalation.overdue(
            ctx.db, actor=ctx.me, now=ctx.now, knowledge=ctx.platform.knowledge
        )
    }
    escalated = sum(o.escalated for o in overdue.values())
    return page(
        ctx, "workspace/inbox.html", {"items": items, "overdue": overdue, "escalated": escalated}
    )


def _report_page(
    ctx: Ctx, report_id: int, extra: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    item = inbox.get_report(ctx.db, actor=ctx.me, report_id=report_id, now=ctx.now)
    context: dict[str, Any] = {"item": item, "problem": None, **(extra or {})}
    return page(ctx, "workspace/report.html", context, status_code=status_code)


@router.get("/workspace/reports/{report_id}")
def report_page(report_id: int, ctx: SignedIn) -> Response:
    return _report_page(ctx, report_id)


@router.post("/workspace/reports/{report_id}/acknowledge")
async def acknowledge(report_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    try:
        inbox.acknowledge(
            ctx.db, actor=ctx.me, report_id=report_id, note=form.get("note", ""), now=ctx.now
        )
    except Invalid as exc:
        return _report_page(ctx, report_id, failed(form, exc), 422)
    except Conflict as exc:
        return _report_page(ctx, report_id, {"problem": exc.message}, 409)
    return redirect(ctx, "/workspace/inbox", notice=msg("The report is acknowledged."))
