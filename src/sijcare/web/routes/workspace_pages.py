"""The clinician workspace: the worklist, the clinic's patients, a patient's summary,
their timeline and the next-step plan."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.services import access, patients, plans, timeline, worklist
from sijcare.services.errors import Invalid, msg
from sijcare.web.deps import SignedIn
from sijcare.web.limits import SEARCH_MAX_LENGTH
from sijcare.web.navigation import NavLink
from sijcare.web.routes.workspace_common import optional_int, page, parse_day

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


@router.get("/workspace/patients/{patient_id}")
def patient_page(patient_id: str, ctx: SignedIn) -> Response:
    summary = worklist.patient_summary(
        ctx.db,
        actor=ctx.me,
        public_id=patient_id,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    return page(ctx, "workspace/patient.html", {"patient": summary})


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
