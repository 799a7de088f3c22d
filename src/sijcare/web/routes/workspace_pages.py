"""The clinician workspace: the worklist, the clinic's patients, a patient's summary
(where a care pathway is started and closed), their timeline and the next-step plan."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sijcare.db.enums import Kind, Role, Side
from sijcare.services import access, pathways, patients, plans, timeline, worklist
from sijcare.services.errors import Conflict, Invalid, msg
from sijcare.web.deps import Ctx, SignedIn
from sijcare.web.forms import FormParser, read_form
from sijcare.web.limits import CLOSE_REASON_MAX_LENGTH, SEARCH_MAX_LENGTH
from sijcare.web.navigation import NavLink
from sijcare.web.pages import redirect
from sijcare.web.routes.workspace_common import failed, optional_int, page, parse_day

router = APIRouter(include_in_schema=False)
nav_links = (
    NavLink(
        "/workspace",
        msg("Workspace"),
        frozenset({Role.CLINICIAN, Role.SCHEDULER}),
        msg("The day's procedures and what each patient still needs; red flags to answer."),
    ),
)


@router.get("/workspace")
def worklist_page(ctx: SignedIn, day: str = "", practitioner_id: str = "") -> Response:
    chosen = parse_day(day, ctx.today)
    found = worklist.list_worklist(
        ctx.db,
        actor=ctx.me,
        day=chosen,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
        practitioner_id=optional_int(practitioner_id),
    )
    return page(
        ctx,
        "workspace/worklist.html",
        {
            "worklist": found,
            "previous": (chosen - timedelta(days=1)).isoformat(),
            "next": (chosen + timedelta(days=1)).isoformat(),
            "values": {"day": chosen.isoformat(), "practitioner_id": practitioner_id},
        },
    )


@router.get("/workspace/patients")
def patient_list(ctx: SignedIn, search: str = "") -> Response:
    access.require_role(ctx.me, Role.CLINICIAN)
    found = patients.list_patients(ctx.db, actor=ctx.me, now=ctx.now, search=search)
    context = {
        "patients": found,
        "values": {"search": search},
        "search_max_length": SEARCH_MAX_LENGTH,
    }
    return page(ctx, "workspace/patients.html", context)


def close_reason_field(pathway_id: int) -> str:
    """The reason field of a pathway's close form (one form per active pathway)."""
    return f"reason_{pathway_id}"


def _patient_page(
    ctx: Ctx,
    patient_id: str,
    values: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    summary = worklist.patient_summary(
        ctx.db,
        actor=ctx.me,
        public_id=patient_id,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    context: dict[str, Any] = {
        "patient": summary,
        "values": values if values is not None else {},
        "errors": {},
        "problem": None,
        "reason_max_length": CLOSE_REASON_MAX_LENGTH,
        **(extra or {}),
    }
    return page(ctx, "workspace/patient.html", context, status_code=status_code)


@router.get("/workspace/patients/{patient_id}")
def patient_page(patient_id: str, ctx: SignedIn) -> Response:
    return _patient_page(ctx, patient_id)


@router.post("/workspace/patients/{patient_id}/pathways")
async def open_pathway(patient_id: str, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    parser = FormParser(form)
    side = parser.choice("side", Side, msg("Choose which side is injected."))
    kind = parser.choice("kind", Kind, msg("Choose a diagnostic block or a therapeutic injection."))
    try:
        parser.check()
        assert side is not None and kind is not None
        pathways.open_pathway(
            ctx.db, actor=ctx.me, public_id=patient_id, side=side, kind=kind, now=ctx.now
        )
    except Invalid as exc:
        return _patient_page(ctx, patient_id, form, failed(form, exc), 422)
    except Conflict as exc:
        return _patient_page(ctx, patient_id, form, {"problem": exc.message}, 409)
    return redirect(
        ctx,
        f"/workspace/patients/{patient_id}",
        notice=msg("The care pathway is started. Plan the injection next."),
    )


@router.post("/workspace/pathways/{pathway_id}/close")
async def close_pathway(pathway_id: int, request: Request, ctx: SignedIn) -> Response:
    patient_id = pathways.patient_public_id(ctx.db, actor=ctx.me, pathway_id=pathway_id)
    form = await read_form(request)
    field = close_reason_field(pathway_id)
    parser = FormParser(form)
    reason = parser.text(
        field,
        required=msg("Enter why the pathway is closed."),
        max_length=CLOSE_REASON_MAX_LENGTH,
    )
    try:
        parser.check()
        pathways.close_pathway(
            ctx.db, actor=ctx.me, pathway_id=pathway_id, reason=reason, now=ctx.now
        )
    except Invalid as exc:
        return _patient_page(ctx, patient_id, form, failed(form, exc, {"reason": field}), 422)
    except Conflict as exc:
        return _patient_page(ctx, patient_id, form, {"problem": exc.message}, 409)
    return redirect(
        ctx, f"/workspace/patients/{patient_id}", notice=msg("The care pathway is closed.")
    )


@router.get("/workspace/patients/{patient_id}/timeline")
def timeline_page(patient_id: str, ctx: SignedIn) -> Response:
    found = timeline.patient_timeline(
        ctx.db,
        actor=ctx.me,
        public_id=patient_id,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    return page(ctx, "workspace/timeline.html", {"timeline": found})


@router.get("/workspace/patients/{patient_id}/plan")
def plan_page(patient_id: str, ctx: SignedIn, payer: str = "") -> Response:
    knowledge = ctx.platform.knowledge
    chosen = payer or plans.payers(knowledge)[0].id
    try:
        view = plans.recommend(
            ctx.db,
            actor=ctx.me,
            public_id=patient_id,
            payer=chosen,
            knowledge=knowledge,
            now=ctx.now,
        )
    except Invalid:
        # An unknown payer in the address: show the first one's plan, with the choice open.
        view = plans.recommend(
            ctx.db,
            actor=ctx.me,
            public_id=patient_id,
            payer=plans.payers(knowledge)[0].id,
            knowledge=knowledge,
            now=ctx.now,
        )
    return page(
        ctx,
        "workspace/plan.html",
        {
            "view": view,
            "payer_options": [(p.id, p.title) for p in view.payers],
            "values": {"payer": view.payer},
        },
    )
