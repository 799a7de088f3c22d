"""Workspace pages before and at the injection: screening review, consent, the procedure.

A finding is resolved on its own page (one decision form and one review form), so each
form's messages stay next to its own fields. Forms that create a record carry a
one-time `form_token`: pressing the button twice creates one record.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sijcare.domain.errors import InputError
from sijcare.domain.intake import HoldDecision, ProcedurePlan
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Guidance, Kind, Sedation, Side
from sijcare.services import procedures, screening, screening_review, worklist
from sijcare.services.errors import Conflict, FieldError, Invalid, Message, msg
from sijcare.web.deps import Ctx, SignedIn
from sijcare.web.forms import FormParser, new_form_token, read_form
from sijcare.web.pages import redirect
from sijcare.web.routes.workspace_common import (
    LocalForm,
    failed,
    local_input,
    optional_int,
    page,
)

router = APIRouter(include_in_schema=False)

# The decision form's fields that differ from the service's names (the review form on the
# same page has its own note).
_DECISION_FIELDS = {"note": "decision_note"}


def _screening(ctx: Ctx, pathway_id: int) -> screening_review.ScreeningReview:
    return screening_review.get_review(
        ctx.db, actor=ctx.me, pathway_id=pathway_id, knowledge=ctx.platform.knowledge, now=ctx.now
    )


@router.get("/workspace/pathways/{pathway_id}/screening")
def screening_page(pathway_id: int, ctx: SignedIn) -> Response:
    return page(ctx, "workspace/screening.html", {"review": _screening(ctx, pathway_id)})


@router.get("/workspace/pathways/{pathway_id}/screening/finding")
def finding_page(
    pathway_id: int, ctx: SignedIn, response: int = 0, code: str = "", about: str = ""
) -> Response:
    return _finding_page(
        ctx, pathway_id, {"response_id": str(response), "code": code, "about": about}
    )


def _finding_page(
    ctx: Ctx,
    pathway_id: int,
    values: dict[str, str],
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    review = _screening(ctx, pathway_id)
    response = review.response
    finding = None
    if response is not None and str(response.id) == values.get("response_id"):
        finding = next(
            (
                f
                for f in response.findings
                if f.code == values.get("code") and f.about == values.get("about")
            ),
            None,
        )
    context: dict[str, Any] = {
        "review": review,
        "finding": finding,
        "values": {"decision": "hold", **values},
        "errors": {},
        "form_token": new_form_token(),
        "problem": None,
        **(extra or {}),
    }
    return page(ctx, "workspace/finding.html", context, status_code=status_code)


@router.post("/workspace/pathways/{pathway_id}/screening/decisions")
async def decide(pathway_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    parser = FormParser(form)
    confirmed_on = parser.day("confirmed_on", required=False)
    try:
        screening_review.decide_medicine(
            ctx.db,
            actor=ctx.me,
            pathway_id=pathway_id,
            decision=screening_review.MedicineDecision(
                response_id=optional_int(form.get("response_id", "")) or 0,
                medicine=form.get("about", ""),
                decision=_choice(form.get("decision", "")),
                confirmed_with_prescriber=form.get("confirmed_with_prescriber") == "yes",
                prescriber=form.get("prescriber", ""),
                confirmed_on=confirmed_on,
                regimen=form.get("regimen") or None,
                note=form.get("decision_note", ""),
                idempotency_key=form.get("form_token") or None,
            ),
            knowledge=ctx.platform.knowledge,
            now=ctx.now,
            form_errors=parser.errors,
        )
    except Invalid as exc:
        return _finding_page(ctx, pathway_id, form, failed(form, exc, _DECISION_FIELDS), 422)
    except Conflict as exc:
        return _finding_page(ctx, pathway_id, form, {"problem": exc.message}, 409)
    return redirect(
        ctx,
        f"/workspace/pathways/{pathway_id}/screening",
        notice=msg("Decision recorded. The screening was run again with it."),
    )


def _choice(value: str) -> HoldDecision | None:
    try:
        return HoldDecision(value)
    except ValueError:
        return None


@router.post("/workspace/pathways/{pathway_id}/screening/reviews")
async def review_finding(pathway_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    try:
        screening_review.mark_reviewed(
            ctx.db,
            actor=ctx.me,
            pathway_id=pathway_id,
            response_id=optional_int(form.get("response_id", "")) or 0,
            code=form.get("code", ""),
            about=form.get("about", ""),
            note=form.get("review_note", ""),
            now=ctx.now,
            idempotency_key=form.get("form_token") or None,
        )
    except Invalid as exc:
        return _finding_page(ctx, pathway_id, form, failed(form, exc, {"note": "review_note"}), 422)
    except Conflict as exc:
        return _finding_page(ctx, pathway_id, form, {"problem": exc.message}, 409)
    return redirect(
        ctx, f"/workspace/pathways/{pathway_id}/screening", notice=msg("Finding marked reviewed.")
    )


# -- the planned injection ----------------------------------------------------------------


def _plan_page(
    ctx: Ctx,
    pathway_id: int,
    values: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    found = worklist.pathway_plan(ctx.db, actor=ctx.me, pathway_id=pathway_id, now=ctx.now)
    knowledge = ctx.platform.knowledge
    plan = found.plan or {}
    defaults = {
        "anesthetic_agent": str(plan.get("anesthetic_agent") or ""),
        "steroid_agent": str(plan.get("steroid_agent") or ""),
        "guidance": str(plan.get("guidance") or "fluoroscopy"),
        "contrast_planned": "no" if plan.get("contrast_planned") is False else "yes",
        "sedation": str(plan.get("sedation") or "none"),
    }
    context: dict[str, Any] = {
        "found": found,
        "values": values if values is not None else defaults,
        "errors": {},
        "problem": None,
        "anesthetic_options": [
            (str(r["id"]), str(r["id"])) for r in knowledge.table("anesthetics")
        ],
        "steroid_options": [(str(r["id"]), str(r["id"])) for r in knowledge.table("steroids")],
        **(extra or {}),
    }
    return page(ctx, "workspace/plan_injection.html", context, status_code=status_code)


@router.get("/workspace/pathways/{pathway_id}/plan")
def plan_injection_page(pathway_id: int, ctx: SignedIn) -> Response:
    return _plan_page(ctx, pathway_id)


@router.post("/workspace/pathways/{pathway_id}/plan")
async def plan_injection(pathway_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    found = worklist.pathway_plan(ctx.db, actor=ctx.me, pathway_id=pathway_id, now=ctx.now)
    try:
        plan = _plan_of(form, found)
        screening.plan_injection(
            ctx.db,
            actor=ctx.me,
            pathway_id=pathway_id,
            plan=plan,
            knowledge=ctx.platform.knowledge,
            now=ctx.now,
        )
    except Invalid as exc:
        return _plan_page(ctx, pathway_id, form, failed(form, exc), 422)
    except Conflict as exc:
        return _plan_page(ctx, pathway_id, form, {"problem": exc.message}, 409)
    return redirect(
        ctx,
        f"/workspace/patients/{found.patient_public_id}",
        notice=msg("The injection is planned."),
    )


def _plan_of(form: dict[str, str], found: worklist.PathwayPlan) -> ProcedurePlan:
    """The plan of the form, for the pathway's kind and side (the core checks the rest)."""
    parser = FormParser(form)
    guidance = parser.choice("guidance", Guidance, msg("Choose the image guidance."))
    sedation = parser.choice("sedation", Sedation, msg("Choose the sedation."))
    anesthetic = parser.text(
        "anesthetic_agent", required=msg("Choose an anesthetic from the list.")
    )
    parser.check()
    assert guidance is not None and sedation is not None
    try:
        return ProcedurePlan(
            kind=Kind(found.kind),
            side=Side(found.side),
            anesthetic_agent=anesthetic,
            steroid_agent=form.get("steroid_agent") or None,
            guidance=guidance,
            contrast_planned=form.get("contrast_planned") != "no",
            sedation=sedation,
        )
    except InputError as exc:
        message = (
            msg("A diagnostic block has no steroid.")
            if found.kind == Kind.DIAGNOSTIC.value
            else msg("A therapeutic injection needs a steroid.")
        )
        raise Invalid([FieldError(exc.where, message)]) from None


# -- consent --------------------------------------------------------------------------------


def _consent_page(
    ctx: Ctx, pathway_id: int, problem: Message | None = None, status_code: int = 200
) -> Response:
    found = procedures.get_consent(
        ctx.db, actor=ctx.me, pathway_id=pathway_id, knowledge=ctx.platform.knowledge, now=ctx.now
    )
    context = {"found": found, "consent": found.consent, "problem": problem}
    return page(ctx, "workspace/consent.html", context, status_code=status_code)


@router.get("/workspace/pathways/{pathway_id}/consent")
def consent_page(pathway_id: int, ctx: SignedIn) -> Response:
    return _consent_page(ctx, pathway_id)


@router.post("/workspace/pathways/{pathway_id}/consent/witness")
async def witness(pathway_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    consent_id = form.get("consent_id", "")
    try:
        procedures.witness_consent(
            ctx.db,
            actor=ctx.me,
            pathway_id=pathway_id,
            consent_id=optional_int(consent_id) or 0,
            knowledge=ctx.platform.knowledge,
            now=ctx.now,
        )
    except Invalid as exc:
        return _consent_page(ctx, pathway_id, exc.errors[0].message, 422)
    except Conflict as exc:
        return _consent_page(ctx, pathway_id, exc.message, 409)
    return redirect(
        ctx, f"/workspace/pathways/{pathway_id}/consent", notice=msg("You witnessed the consent.")
    )


# -- the procedure --------------------------------------------------------------------------


@router.get("/workspace/pathways/{pathway_id}/procedure")
def procedure_form(pathway_id: int, ctx: SignedIn) -> Response:
    return _procedure_form(ctx, pathway_id, None)


def _procedure_form(
    ctx: Ctx,
    pathway_id: int,
    values: dict[str, str] | None,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    found = procedures.get_consent(
        ctx.db, actor=ctx.me, pathway_id=pathway_id, knowledge=ctx.platform.knowledge, now=ctx.now
    )
    if found.procedure_id is not None and values is None:
        return redirect(ctx, f"/workspace/procedures/{found.procedure_id}")
    knowledge = ctx.platform.knowledge
    context: dict[str, Any] = {
        "found": found,
        "consent": found.consent,
        "values": values if values is not None else _defaults(ctx, found.consent),
        "errors": {},
        "problem": None,
        "form_token": new_form_token(),
        "anesthetic_options": [
            (str(r["id"]), str(r["id"])) for r in knowledge.table("anesthetics")
        ],
        "steroid_options": [(str(r["id"]), str(r["id"])) for r in knowledge.table("steroids")],
        "amounts": form_bounds(knowledge),
        **(extra or {}),
    }
    return page(ctx, "workspace/procedure_form.html", context, status_code=status_code)


def form_bounds(knowledge: Knowledge) -> dict[str, str]:
    """The form's number limits: this clinic's plausibility bounds (the API's schema has
    only the outer bounds any clinic may set), so the browser can tell the user first."""
    rules = {
        "pain_min": "pain.scale_min",
        "pain_max": "pain.scale_max",
        "concentration_percent": "procedure.anesthetic_concentration_max_percent",
        "volume_ml": "procedure.anesthetic_volume_max_ml",
        "dose_mg": "procedure.steroid_dose_max_mg",
    }
    # HTML attributes take "20" or "0.5", never a localized "0,5".
    return {name: f"{knowledge.number(rule):g}" for name, rule in rules.items()}


def _defaults(ctx: Ctx, status: procedures.ConsentStatus) -> dict[str, str]:
    """The form pre-filled from the consented plan (the clinician confirms each value)."""
    plan = status.plan
    if plan is None:
        return {"contrast.used": "yes"}
    return {
        "performed_at": local_input(plan.scheduled_at, ctx.zone),
        "kind": plan.kind.value,
        "side": plan.side.value,
        "anesthetic.agent": plan.anesthetic_agent,
        "steroid.agent": plan.steroid_agent or "",
        "guidance": plan.guidance.value,
        "contrast.used": "yes" if plan.contrast_planned else "no",
        "sedation": plan.sedation.value,
        "physician": plan.physician or "",
    }


@router.post("/workspace/pathways/{pathway_id}/procedure")
async def document(pathway_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    document, problems = procedure_document(form, ctx.zone)
    try:
        view = procedures.document_procedure(
            ctx.db,
            actor=ctx.me,
            pathway_id=pathway_id,
            document=document,
            knowledge=ctx.platform.knowledge,
            now=ctx.now,
            idempotency_key=form.get("form_token") or None,
            form_errors=problems,
        )
    except Invalid as exc:
        state = failed(form, exc, _PROCEDURE_FIELDS)
        # The summary lists the problems in the form's order.
        errors = state["errors"]
        state["errors"] = {
            name: errors[name]
            for name in sorted(
                errors, key=lambda n: _FORM_ORDER.index(n) if n in _FORM_ORDER else 99
            )
        }
        return _procedure_form(ctx, pathway_id, form, state, 422)
    except Conflict as exc:
        return _procedure_form(ctx, pathway_id, form, {"problem": exc.message}, 409)
    return redirect(
        ctx, f"/workspace/procedures/{view.id}", notice=msg("The procedure is documented.")
    )


# The form's fields, top to bottom.
_FORM_ORDER = (
    "performed_at", "kind", "side", "baseline_pain", "anesthetic.agent",
    "anesthetic.concentration_percent", "anesthetic.volume_ml", "steroid.agent",
    "steroid.dose_mg", "guidance", "contrast.used", "contrast.agent",
    "contrast.reason_not_used", "sedation", "physician", "observation_end", "discharged_at",
    "driver_present",
)  # fmt: skip
# The core's errors about a whole part of the document, shown at the form's field for it.
_PROCEDURE_FIELDS = {
    "steroid": "steroid.agent",
    "anesthetic": "anesthetic.agent",
    "contrast": "contrast.used",
}


def procedure_document(form: dict[str, str], zone: str) -> tuple[dict[str, Any], list[FieldError]]:
    """The PROCEDURE.json document of the form, and the fields it could not read.

    Times are local times in `zone`. The core checks everything else.
    """
    read = LocalForm(form, zone)
    whole = msg("Enter a whole number from 0 to 10.")
    number = msg("Enter a number, like 1.5.")
    steroid = read.text("steroid.agent")
    used = read.yes_no("contrast.used")
    if used is None:
        read.errors.append(FieldError("contrast.used", msg("Say whether contrast was used.")))
    document: dict[str, Any] = {
        "performed_at": read.local_time("performed_at"),
        "kind": form.get("kind", ""),
        "side": form.get("side", ""),
        "anesthetic": {
            "agent": form.get("anesthetic.agent", ""),
            "concentration_percent": read.number("anesthetic.concentration_percent", number),
            "volume_ml": read.number("anesthetic.volume_ml", number),
        },
        "steroid": None
        if steroid is None
        else {"agent": steroid, "dose_mg": read.number("steroid.dose_mg", number)},
        "baseline_pain": read.whole("baseline_pain", whole),
        "guidance": form.get("guidance", "fluoroscopy"),
        "contrast": {
            "used": bool(used),
            "agent": read.text("contrast.agent"),
            "reason_not_used": read.text("contrast.reason_not_used"),
        },
        "sedation": form.get("sedation", "none"),
        "physician": read.text("physician"),
        "observation_end": read.local_time("observation_end", required=False),
        "discharged_at": read.local_time("discharged_at", required=False),
        "driver_present": read.yes_no("driver_present"),
    }
    # A discharge is documented with whether the driver was there (the core refuses
    # "no"; the form asks for an answer).
    if document["discharged_at"] is not None and document["driver_present"] is None:
        read.errors.append(
            FieldError("driver_present", msg("Say whether the driver was there at discharge."))
        )
    return document, read.errors


@router.get("/workspace/procedures/{procedure_id}")
def procedure_page(procedure_id: int, ctx: SignedIn) -> Response:
    view = procedures.get_procedure(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    return page(ctx, "workspace/procedure.html", {"view": view})
