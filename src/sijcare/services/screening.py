"""The patient's screening before the injection: answering, the result, getting ready.

Stored forms (shared with the clinicians' screening review): `ScreeningResponse.answers`
is INTAKE.json (`sijcare.formats.intake`), `result` the core's `ScreeningResult` as JSON
with its patient sentences' words beside their English (`screening_results`, ADR 0007).
Every submission is a new response; the newest submitted one counts.

The planned injection (the `procedure` object of INTAKE.json: kind, side, medicines,
guidance, contrast, sedation) is the clinic's, never the patient's. A clinician sets it
with `plan_injection`: before the patient has answered it is kept in a draft response;
afterwards the patient's newest answers are screened again with the new plan. When the
patient submits, the plan is taken from the pathway's newest response (draft or not),
and the clinicians' hold-or-continue decisions of the newest submitted response are
carried over (a decision about a medicine no longer on the list is dropped: the core
refuses it). Screening needs the booked procedure's time, so the patient answers once
the injection is planned and booked.

Errors of the core (`InputError.where`, an INTAKE.json path such as
`medicines[2].name`) become field errors with that path as the field and a message in
plain words; nothing is stored then.

What the patient sees (the stage, the answer form, the result page and how to get
ready) is in `sijcare.services.screening_pages`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import PathwayStatus
from sijcare.db.models import Pathway, ScreeningResponse
from sijcare.domain.errors import InputError
from sijcare.domain.intake import Diabetes, Intake, ProcedurePlan
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.screening import ScreeningResult, screen
from sijcare.formats.intake import FIELDS, intake_from_dict, intake_to_dict
from sijcare.services import access, audit, injection_plan, pathways, procedures, screening_review
from sijcare.services.actor import Actor
from sijcare.services.diary import require_own
from sijcare.services.drivers import (  # noqa: F401 (the web and documents use them here)
    DriverDetails,
    current_driver,
    driver_problems,
    latest_driver,
    store_driver,
)
from sijcare.services.errors import Conflict, FieldError, Invalid, Message, msg
from sijcare.services.screening_results import stored_result

# The answers that are the patient's: INTAKE.json without the plan and the decisions.
PATIENT_FIELDS = frozenset(FIELDS - {"procedure", "clinician_decisions"})
DRIVER_FIELDS = ("driver_name", "driver_phone", "driver_relationship")

_ANSWER = msg("Answer this question.")
_TEMPERATURE = msg(
    "This does not look like a body temperature. Check the number and the unit (°C or °F)."
)
_CHECK = msg("Please check this answer.")
# Plain messages for the core's errors, by INTAKE.json path (list indexes removed).
MESSAGES: dict[str, Message] = {
    "current_infection": _ANSWER,
    "immunocompromised": _ANSWER,
    "possibly_pregnant": _ANSWER,
    "driver_arranged": _ANSWER,
    "diabetes": _ANSWER,
    "diabetes.has": _ANSWER,
    "diabetes.uses_insulin": msg("Answer about insulin only if you have diabetes."),
    "kidney_function_impaired": _ANSWER,
    "fever_recent.max_temperature": _TEMPERATURE,
    "fever_recent.unit": msg("Choose °C or °F."),
    "fever_recent.on": msg("Enter the day you measured it, no later than your injection day."),
    "recent_illness.description": msg("Say in a few words what the illness was."),
    "recent_illness.last_symptoms_on": msg(
        "Enter the last day you felt ill, no later than your injection day."
    ),
    "medicines.name": msg("Write the name of the medicine."),
    "medicines.dose": msg("Write the dose in at most 200 characters."),
    "medicines.frequency": msg("Write how often in at most 200 characters."),
    "allergies.substance": msg("Write what you are allergic to."),
    "allergies.kind": msg("Choose what kind of allergy it is."),
    "allergies.reaction": msg("Write what happened in at most 500 characters."),
    "past_reactions.to": msg("Choose what the reaction was to."),
    "past_reactions.description": msg("Say in a few words what happened."),
}


# -- the plan -------------------------------------------------------------------------------


def newest_response(db: Session, pathway_id: int) -> ScreeningResponse | None:
    """The newest response of any status (a draft may hold the clinic's plan)."""
    return db.scalar(
        sa.select(ScreeningResponse)
        .where(ScreeningResponse.pathway_id == pathway_id)
        .order_by(ScreeningResponse.created_at.desc(), ScreeningResponse.id.desc())
        .limit(1)
    )


def plan_document(db: Session, pathway_id: int) -> dict[str, Any] | None:
    """The planned injection (INTAKE.json `procedure`) of the newest response, or None."""
    response = newest_response(db, pathway_id)
    plan = None if response is None else response.answers.get("procedure")
    return dict(plan) if isinstance(plan, dict) else None


def plan_injection(
    db: Session,
    *,
    actor: Actor,
    pathway_id: int,
    plan: ProcedurePlan,
    knowledge: Knowledge,
    now: datetime,
) -> ScreeningResponse:
    """Set the planned injection (a clinician of the patient's clinic).

    The kind and side must be the pathway's, and the medicines known to the knowledge
    base; once the injection is documented the plan is final (`Conflict`). Without
    submitted answers the plan goes into a draft response; with them, the
    answers are screened again with the new plan into a new response.
    """
    with db.begin():
        pathway, patient = pathways.load(db, actor, pathway_id)
        access.require_clinician(actor, patient)
        _require_open(pathway)
        if procedures.procedure_of_pathway(db, pathway.id) is not None:
            # The plan is what the patient consented to and what was given: the record,
            # the consent and the exports would otherwise speak of another injection.
            raise Conflict(msg("This injection is already documented, so its plan cannot change."))
        _check_plan(plan, pathway, knowledge)
        latest = screening_review.latest_response(db, pathway.id)
        document = intake_to_dict(_shell(plan))["procedure"]
        if latest is None:
            row = _draft(db, pathway, document, actor, now)
        else:
            row = _rescreen_with(db, pathway, latest, document, actor, knowledge, now)
        audit.record(
            db,
            actor=actor,
            action="screening.plan",
            at=now,
            target_type="screening_response",
            target_id=row.id,
            patient_id=patient.id,
            detail={"fields": sorted(document)},
        )
    return row


def _shell(plan: ProcedurePlan) -> Intake:
    """An intake holding only `plan`, to write the plan in INTAKE.json form."""
    return Intake(plan, False, False, False, Diabetes(has=False), False)


def _check_plan(plan: ProcedurePlan, pathway: Pathway, knowledge: Knowledge) -> None:
    errors = []
    if plan.kind is not pathway.kind:
        errors.append(FieldError("kind", msg("The plan must be the pathway's kind.")))
    if plan.side is not pathway.side:
        errors.append(FieldError("side", msg("The plan must be the pathway's side.")))
    for field, table, name in (
        ("anesthetic_agent", "anesthetics", plan.anesthetic_agent),
        ("steroid_agent", "steroids", plan.steroid_agent),
    ):
        try:
            if name is not None:
                knowledge.row(table, name, where=field)
        except InputError:
            errors.append(FieldError(field, msg("Choose a medicine from the list.")))
    if errors:
        raise Invalid(errors)


def _draft(
    db: Session, pathway: Pathway, document: dict[str, Any], actor: Actor, now: datetime
) -> ScreeningResponse:
    draft = newest_response(db, pathway.id)
    if draft is None or draft.status != "draft":
        draft = ScreeningResponse(pathway_id=pathway.id, status="draft", answers={}, created_at=now)
        db.add(draft)
    draft.answers = {**draft.answers, "procedure": document}
    db.flush()
    return draft


def _rescreen_with(
    db: Session,
    pathway: Pathway,
    latest: ScreeningResponse,
    document: dict[str, Any],
    actor: Actor,
    knowledge: Knowledge,
    now: datetime,
) -> ScreeningResponse:
    answers = {**latest.answers, "procedure": document}
    intake = _intake(answers, knowledge)
    at = screening_review.procedure_time(db, pathway, latest)
    row = _store(db, pathway, intake, _screen(intake, at, knowledge), actor, now)
    screening_review.keep_sender(row, latest)
    return row


# -- the patient's answers ----------------------------------------------------------------


def submit(
    db: Session,
    *,
    actor: Actor,
    pathway_id: int,
    answers: Mapping[str, Any],
    driver: DriverDetails | None,
    knowledge: Knowledge,
    now: datetime,
) -> ScreeningResponse:
    """Screen the patient's `answers` (INTAKE.json without `procedure` and
    `clinician_decisions`) for the booked procedure and store them with the result.

    `driver` (name and phone, required when `driver_arranged`) is recorded as the
    pathway's driver home. Only the patient answers.
    """
    with db.begin():
        pathway, patient = pathways.load(db, actor, pathway_id)
        require_own(actor, patient)
        unknown = sorted(set(answers) - PATIENT_FIELDS)
        if unknown:
            raise Invalid([FieldError(n, msg("This is not a question we ask.")) for n in unknown])
        _require_open(pathway)
        plan = plan_document(db, pathway.id)
        appointment = injection_plan.procedure_appointment(db, pathway.id)
        if plan is None:
            raise Conflict(msg("Your clinic has not planned your injection yet."))
        if appointment is None:
            raise Conflict(msg("Your injection is not booked yet."))
        latest = screening_review.latest_response(db, pathway.id)
        decisions = [] if latest is None else list(latest.answers.get("clinician_decisions", []))
        doc = {**answers, "procedure": plan, "clinician_decisions": decisions}
        intake, result, errors = _screened(doc, appointment.starts_at, knowledge)
        if intake is not None:
            errors += _days_to_come(intake, now.astimezone(ZoneInfo(actor.time_zone)).date())
        errors += driver_problems(answers, driver)
        if errors:
            raise Invalid(errors)
        assert intake is not None and result is not None
        row = _store(db, pathway, intake, result, actor, now)
        if answers.get("driver_arranged") is True and driver is not None:
            store_driver(db, pathway, patient, driver, actor, now)
        audit.record(
            db,
            actor=actor,
            action="screening.submit",
            at=now,
            target_type="screening_response",
            target_id=row.id,
            patient_id=patient.id,
            detail={"fields": sorted(answers)},
        )
    return row


def _screened(
    doc: dict[str, Any], at: datetime, knowledge: Knowledge
) -> tuple[Intake | None, ScreeningResult | None, list[FieldError]]:
    """The intake and its result, dropping decisions the core refuses as no longer listed."""
    while True:
        try:
            intake = intake_from_dict(doc, knowledge)
            return intake, screen(intake, at, knowledge), []
        except InputError as exc:
            index = _decision_index(exc.where)
            if index is None:
                return None, None, [FieldError(exc.where, field_message(exc.where))]
            doc["clinician_decisions"] = [
                d for i, d in enumerate(doc["clinician_decisions"]) if i != index
            ]


def _decision_index(where: str) -> int | None:
    prefix = "clinician_decisions["
    if not where.startswith(prefix):
        return None
    return int(where[len(prefix) :].split("]")[0])


def field_message(where: str) -> Message:
    """The patient's message for a core error at INTAKE.json path `where`."""
    key = ".".join(part.split("[")[0] for part in where.split("."))
    return MESSAGES.get(key, _CHECK)


_NOT_YET = msg("This day has not come yet. Enter a day up to today.")


def _days_to_come(intake: Intake, today: date) -> list[FieldError]:
    """The answers' days after today (the patient's): a fever cannot have been measured,
    nor an illness ended, on a day still to come, and such a day would change the result."""
    errors = []
    if intake.fever_recent is not None and intake.fever_recent.on > today:
        errors.append(FieldError("fever_recent.on", _NOT_YET))
    illness = intake.recent_illness
    if illness is not None and illness.last_symptoms_on is not None:
        if illness.last_symptoms_on > today:
            errors.append(FieldError("recent_illness.last_symptoms_on", _NOT_YET))
    return errors


def _intake(answers: Mapping[str, Any], knowledge: Knowledge) -> Intake:
    try:
        return intake_from_dict(answers, knowledge)
    except InputError as exc:
        raise Invalid([FieldError(exc.where, field_message(exc.where))]) from None


def _screen(intake: Intake, at: datetime, knowledge: Knowledge) -> ScreeningResult:
    try:
        return screen(intake, at, knowledge)
    except InputError as exc:
        raise Invalid([FieldError(exc.where, field_message(exc.where))]) from None


def _store(
    db: Session,
    pathway: Pathway,
    intake: Intake,
    result: ScreeningResult,
    actor: Actor,
    now: datetime,
) -> ScreeningResponse:
    row = ScreeningResponse(
        pathway_id=pathway.id,
        status="submitted",
        answers=intake_to_dict(intake),
        result=stored_result(result),
        knowledge_version=result.provenance.knowledge_version,
        created_at=now,
        submitted_at=now,
        submitted_by=actor.user_id,
    )
    db.add(row)
    db.flush()
    return row


def _require_open(pathway: Pathway) -> None:
    if pathway.status is PathwayStatus.CLOSED:
        raise Conflict(msg("This pathway is closed."))
