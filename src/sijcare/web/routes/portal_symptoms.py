"""Reporting symptoms after the injection, and the triage answer (pages and API).

The form asks plain questions; the answers become the `symptoms` object of REPORT.json
and the core decides what to do and who to call at this hour. The answer page shows the
number to call first; for an emergency, the emergency number in large text. When the
report cannot be stored, the page says so and gives the clinic's number instead of
pretending it was received (status 503).

The form carries a one-time `form_token` and the API takes an `idempotency_key`: sending
the same report twice (a double tap, a phone's retry) stores it once and answers with the
first report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from sijcare.formats.report import FLAGS
from sijcare.services import triage
from sijcare.services.errors import FieldError, Invalid, msg
from sijcare.web import limits
from sijcare.web.api import errors
from sijcare.web.deps import Ctx, SignedIn
from sijcare.web.forms import FormParser, FormState, new_form_token, read_form
from sijcare.web.pages import redirect, render

router = APIRouter(tags=["portal"])
NOTE_MAX = 2000
# Form field of each REPORT.json key that is not asked under its own name.
FORM_FIELD = {
    "temperature_c": "temperature",
    "temperature_f": "temperature",
    "blood_sugar_mg_dl": "blood_sugar",
    "blood_sugar_mmol_l": "blood_sugar",
    "pain_controlled_by_usual_medicines": "pain_controlled",
    "leg_weakness": "leg_weakness",
    "leg_numbness": "leg_numbness",
    "idempotency_key": "form_token",
}
_LEG = {"no": False, "yes": True, "came_back": {"started_after_it_had_gone": True}}
_CONTROLLED = {"yes": True, "no": False, "none_taken": None}


# -- pages --------------------------------------------------------------------------------


@router.get("/portal/procedures/{procedure_id}/symptoms", include_in_schema=False)
def symptom_form(procedure_id: int, ctx: SignedIn) -> Response:
    return _form_page(ctx, procedure_id, FormState())


def _form_page(ctx: Ctx, procedure_id: int, state: FormState, status_code: int = 200) -> Response:
    form = triage.view_form(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    # A page shown again after an error keeps its token (nothing was stored), unless the
    # token itself was refused.
    token = state.values.get("form_token") if "form_token" not in state.errors else None
    context = {
        "form": form,
        "flags": FLAG_GROUPS,
        "form_token": token or new_form_token(),
        **state.context(),
    }
    return render(ctx, "portal/symptoms.html", context, status_code=status_code)


@router.post("/portal/procedures/{procedure_id}/symptoms", include_in_schema=False)
async def report(procedure_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    try:
        symptoms = parse_symptoms(form)
        outcome = triage.report_symptoms(
            ctx.db,
            actor=ctx.me,
            procedure_id=procedure_id,
            symptoms=symptoms,
            knowledge=ctx.platform.knowledge,
            now=ctx.now,
            idempotency_key=form.get("form_token") or None,
        )
    except Invalid as exc:
        errors_ = tuple(FieldError(FORM_FIELD.get(e.field, e.field), e.message) for e in exc.errors)
        return _form_page(ctx, procedure_id, FormState.failed(form, Invalid(errors_)), 422)
    if outcome.report_id is not None:
        return redirect(ctx, f"/portal/symptom-reports/{outcome.report_id}")
    context = {
        "advice": outcome.advice,
        "stored": False,
        "clinic": outcome.clinic,
        "procedure_id": procedure_id,
    }
    return render(ctx, "portal/triage_result.html", context, status_code=503)


@router.get("/portal/symptom-reports/{symptom_report_id}", include_in_schema=False)
def report_page(symptom_report_id: int, ctx: SignedIn) -> Response:
    stored = triage.get_report(ctx.db, actor=ctx.me, report_id=symptom_report_id, now=ctx.now)
    context = {
        "advice": stored.advice,
        "stored": True,
        "clinic": None,
        "procedure_id": stored.procedure_id,
    }
    return render(ctx, "portal/triage_result.html", context)


def parse_symptoms(form: dict[str, str]) -> dict[str, Any]:
    """The symptom form as the `symptoms` object of REPORT.json (only what was answered)."""
    parser = FormParser(form)
    out: dict[str, Any] = {name: True for name in FLAGS if form.get(name) in ("yes", "on")}
    if form.get("pain", "").strip():
        out["pain"] = parser.integer("pain", msg("Choose a number from 0 to 10."))
    for field, key, choices in (
        ("pain_controlled", "pain_controlled_by_usual_medicines", _CONTROLLED),
        ("leg_weakness", "leg_weakness", _LEG),
        ("leg_numbness", "leg_numbness", _LEG),
    ):
        answer = form.get(field, "")
        if answer and answer not in choices:
            parser.fail(field, msg("Choose one of the answers."))
        elif answer and choices[answer] is not None:
            out[key] = choices[answer]
    _reading(parser, out, "temperature", {"C": "temperature_c", "F": "temperature_f"})
    _reading(
        parser, out, "blood_sugar", {"mg_dl": "blood_sugar_mg_dl", "mmol_l": "blood_sugar_mmol_l"}
    )
    note = parser.text("note", max_length=NOTE_MAX)
    if note:
        out["note"] = note
    parser.check()
    return out


def _reading(parser: FormParser, out: dict[str, Any], name: str, units: dict[str, str]) -> None:
    """A measured number and its unit; a comma is read as the decimal mark."""
    text = parser.form.get(name, "").strip().replace(",", ".")
    if not text:
        return
    try:
        value = float(text)
    except ValueError:
        parser.fail(name, msg("Enter a number, like 38.5."))
        return
    unit = parser.form.get(f"{name}_unit", "")
    if unit not in units:
        parser.fail(f"{name}_unit", msg("Choose the unit."))
        return
    out[units[unit]] = value


# The form's checkboxes (REPORT.json true/false symptoms), by group; the order is the
# page's, most urgent first.
FLAG_GROUPS = (
    (
        "urgent",
        (
            "trouble_breathing",
            "face_or_throat_swelling",
            "new_bladder_or_bowel_change",
            "saddle_numbness",
            "weakness_both_legs",
            "new_severe_back_pain",
        ),
    ),
    ("site", ("site_redness", "site_swelling", "site_warmth", "site_oozing", "soreness_at_site")),
    ("other", ("hives", "headache_worse_standing", "facial_flushing")),
)


# -- API ------------------------------------------------------------------------------------


class LegIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    started_after_it_had_gone: bool = Field(
        False, description="It had gone back to normal, then came back"
    )


class SymptomsIn(BaseModel):
    """What the patient has now; anything left out was not reported (REPORT.json `symptoms`)."""

    model_config = ConfigDict(extra="forbid")
    pain: int | None = Field(None, ge=0, le=10)
    pain_controlled_by_usual_medicines: bool | None = None
    leg_weakness: bool | LegIn | None = None
    leg_numbness: bool | LegIn | None = None
    # Physical sanity bounds (web/limits.py); the core checks the accepted ranges.
    temperature_c: float | None = Field(
        None, ge=limits.TEMPERATURE_C_MIN, le=limits.TEMPERATURE_C_MAX
    )
    temperature_f: float | None = Field(
        None, ge=limits.TEMPERATURE_F_MIN, le=limits.TEMPERATURE_F_MAX
    )
    blood_sugar_mg_dl: float | None = Field(None, ge=0, le=limits.BLOOD_SUGAR_MG_DL_MAX)
    blood_sugar_mmol_l: float | None = Field(None, ge=0, le=limits.BLOOD_SUGAR_MMOL_L_MAX)
    weakness_both_legs: bool = False
    site_redness: bool = False
    site_swelling: bool = False
    site_warmth: bool = False
    site_oozing: bool = False
    hives: bool = False
    trouble_breathing: bool = False
    face_or_throat_swelling: bool = False
    headache_worse_standing: bool = False
    new_bladder_or_bowel_change: bool = False
    saddle_numbness: bool = False
    new_severe_back_pain: bool = False
    facial_flushing: bool = False
    soreness_at_site: bool = False
    note: str | None = Field(None, max_length=NOTE_MAX)
    idempotency_key: str | None = Field(
        None,
        max_length=triage.IDEMPOTENCY_KEY_MAX_LENGTH,
        pattern=triage.IDEMPOTENCY_KEY_PATTERN,
        description="Send the same key again (a retry) to get the same report back",
    )


class ContactOut(BaseModel):
    kind: str = Field(description="help_line | after_hours | emergency")
    number: str
    label: str
    message: str


class TriageOut(BaseModel):
    """The triage answer as the patient reads it (the clinicians' reasons are left out)."""

    report_id: int | None = Field(description="None when the report was not stored")
    stored: bool
    detail: str | None = Field(description="Why to phone the clinic, when not stored")
    disposition: Literal["emergency", "call_now", "call_soon", "expected"]
    contact: ContactOut
    what_to_do: list[str]
    reasons: list[str]
    reported_at: datetime


def _out(advice: triage.Advice, report_id: int | None, detail: str | None) -> TriageOut:
    return TriageOut(
        report_id=report_id,
        stored=report_id is not None,
        detail=detail,
        disposition=advice.disposition,  # type: ignore[arg-type]
        contact=ContactOut(
            kind=advice.contact_kind,
            number=advice.contact_number,
            label=advice.contact_label,
            message=advice.contact_message,
        ),
        what_to_do=list(advice.what_to_do),
        reasons=list(advice.reasons),
        reported_at=advice.reported_at,
    )


@router.post(
    "/api/v1/portal/procedures/{procedure_id}/symptom-reports",
    response_model=TriageOut,
    status_code=201,
    responses={
        **errors(401, 403, 404, 409, 422),
        503: {"model": TriageOut, "description": "Answered, but not stored: phone the clinic"},
    },
)
def post_report(procedure_id: int, body: SymptomsIn, ctx: SignedIn) -> Response | TriageOut:
    """Report symptoms (the patient only) and get the triage answer with who to call."""
    outcome = triage.report_symptoms(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        symptoms=body.model_dump(exclude_defaults=True, exclude={"idempotency_key"}),
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
        idempotency_key=body.idempotency_key,
    )
    if outcome.stored:
        return _out(outcome.advice, outcome.report_id, None)
    detail = ctx.text(
        msg(
            "Your report did not reach the clinic. Please phone {number} now.",
            number=outcome.clinic.number,
        )
    )
    body_out = _out(outcome.advice, None, detail)
    return JSONResponse(body_out.model_dump(mode="json"), status_code=503)


@router.get(
    "/api/v1/portal/symptom-reports/{symptom_report_id}",
    response_model=TriageOut,
    responses=errors(401, 403, 404),
)
def get_report(symptom_report_id: int, ctx: SignedIn) -> TriageOut:
    """A stored report's triage answer (the patient or a clinician of their clinic)."""
    stored = triage.get_report(ctx.db, actor=ctx.me, report_id=symptom_report_id, now=ctx.now)
    return _out(stored.advice, stored.id, None)
