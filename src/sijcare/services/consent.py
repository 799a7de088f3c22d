"""Informed consent, the patient's side: reading the answers, confirming them, agreeing.

The plan is the clinicians' current plan (`injection_plan.current_plan`: the planned
injection of the newest screening answers at the booked procedure's time, with its
physician and place). The core answers the twelve consent questions for it
(`answer_questions`), with the physician's qualifications and the place from the
directory. The patient confirms each answer ("I understand") and agrees; a clinician
witnesses it in the workspace. Whether consent is complete is the core's call
(`is_complete`, through `procedures.consent_status`): a changed plan (time, side,
medicines, doctor, place) means confirming and agreeing again.

Stored forms (shared with `procedures`): `plan_snapshot` is the PLAN.json plan with its
`consent` context (`formats.consent`); `confirmed` holds `plan_version`, the
`confirmations` [{question, confirmed_at}] and the `answers` the patient read: each
[{question, text, answer}] in English, with `words` {text, answer} beside it, the same
sentences in the form of `formats.words`, for a page in another language (ADR 0007).
`language` is the language of the page the patient agreed on (`en`, `es`); a record
from before it was kept has none ("not recorded").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from sijcare.db.enums import PathwayStatus
from sijcare.db.models import ConsentRecord, Location, Pathway, Practitioner
from sijcare.domain.consent import (
    Answer,
    AnsweredQuestions,
    ConsentContext,
    Question,
    answer_questions,
)
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import PlannedProcedure
from sijcare.formats.words import words_to_json
from sijcare.services import audit, injection_plan, pathways, procedures
from sijcare.services.actor import Actor
from sijcare.services.diary import require_own
from sijcare.services.errors import Conflict, FieldError, Invalid, msg
from sijcare.services.procedures import ConsentState, ConsentStatus
from sijcare.settings import LOCALES

# What the core needs beyond the plan and the directory: the clinic's words about cost
# and how results are shared (patient-facing, plain language). Marked for the catalogue:
# the consent page shows them in the reader's language (a clinic's own, as written).
COST_NOTE = msg(
    "What you pay depends on your insurance. Before the day, the front desk or the help "
    "line can tell you what your plan covers and what you may owe."
).text
RESULTS_HOW = msg(
    "Your doctor goes over your pain diary with you at a follow-up visit, in person or "
    "by video, and you can read your diary and chart here at any time."
).text
OPEN_STATES = frozenset({ConsentState.NONE, ConsentState.PLAN_CHANGED, ConsentState.UNCONFIRMED})


@dataclass(frozen=True)
class ConsentPage:
    """The consent questions answered for the current plan, and where consent stands."""

    pathway: Pathway
    status: ConsentStatus
    questions: AnsweredQuestions | None

    @property
    def can_agree(self) -> bool:
        return self.questions is not None and self.status.state in OPEN_STATES


def consent_context(db: Session, pathway: Pathway) -> ConsentContext | None:
    """The physician's training and the place, from the booked procedure appointment."""
    appointment = injection_plan.procedure_appointment(db, pathway.id)
    if appointment is None:
        return None
    practitioner = db.get(Practitioner, appointment.practitioner_id)
    location = db.get(Location, appointment.location_id)
    qualifications = "" if practitioner is None else _sentences(practitioner.qualifications)
    try:
        return ConsentContext(
            physician_qualifications=qualifications,
            cost_note=COST_NOTE,
            results_how=RESULTS_HOW,
            physician_name=None if practitioner is None else practitioner.name,
            location=None if location is None else location.name,
        )
    except InputError:
        return None


def _sentences(lines: str) -> str:
    """The directory's qualifications (one per line) as sentences."""
    parts = [line.strip().rstrip(".") for line in lines.splitlines() if line.strip()]
    return " ".join(f"{part}." for part in parts)


def _questions(
    db: Session, pathway: Pathway, plan: PlannedProcedure | None, knowledge: Knowledge
) -> AnsweredQuestions | None:
    context = consent_context(db, pathway)
    if plan is None or context is None:
        return None
    try:
        return answer_questions(plan, context, knowledge)
    except InputError:
        return None


def view_consent(
    db: Session, *, actor: Actor, pathway_id: int, knowledge: Knowledge, now: datetime
) -> ConsentPage:
    """The consent page: the answers for the current plan and the core's verdict."""
    with db.begin():
        pathway, patient = pathways.load(db, actor, pathway_id)
        status = procedures.consent_status(db, pathway, knowledge)
        page = ConsentPage(pathway, status, _questions(db, pathway, status.plan, knowledge))
        audit.record(
            db,
            actor=actor,
            action="consent.view",
            at=now,
            target_type="pathway",
            target_id=pathway.id,
            patient_id=patient.id,
            detail={"consent_record_id": status.record_id},
        )
    return page


def give_consent(
    db: Session,
    *,
    actor: Actor,
    pathway_id: int,
    plan_version: str,
    confirmed: Sequence[str],
    agree: bool,
    language: str,
    knowledge: Knowledge,
    now: datetime,
) -> ConsentRecord:
    """The patient confirms every answer for plan `plan_version` and agrees (patient only).

    `language` is the language the patient read the answers in (a locale of
    `settings.LOCALES`), kept with the agreement. Refused (`Conflict`) when the plan
    changed since the page was read or consent is already complete; an unconfirmed
    answer or no agreement is `Invalid` (fields `confirm_<question>` and `agree`).
    Agreeing again to the same plan while waiting for the witness changes nothing.
    """
    if language not in LOCALES:
        raise ValueError(f"{language!r} is not one of the locales {LOCALES}")
    with db.begin():
        pathway, patient = pathways.load(db, actor, pathway_id)
        require_own(actor, patient)
        if pathway.status is PathwayStatus.CLOSED:
            raise Conflict(msg("This pathway is closed."))
        status = procedures.consent_status(db, pathway, knowledge)
        questions = _questions(db, pathway, status.plan, knowledge)
        if questions is None:
            raise Conflict(msg("Your injection is not planned and booked yet."))
        if questions.plan_version != plan_version:
            raise Conflict(
                msg("Your plan changed while you were reading. Please read the answers again.")
            )
        if status.state is ConsentState.COMPLETE:
            raise Conflict(msg("Your consent is already complete."))
        existing = procedures.latest_consent(db, pathway.id)
        if status.state is ConsentState.NEEDS_WITNESS and existing is not None:
            return existing
        _check_answers(confirmed, agree)
        assert status.plan is not None
        row = ConsentRecord(
            pathway_id=pathway.id,
            plan_snapshot=plan_snapshot(status.plan, consent_context(db, pathway)),
            confirmed={
                "plan_version": questions.plan_version,
                "confirmations": [
                    {"question": q.value, "confirmed_at": now.isoformat()} for q in Question
                ],
                "answers": [_stored_answer(a) for a in questions.answers],
            },
            agreed_at=now,
            agreed_by=actor.user_id,
            language=language,
        )
        db.add(row)
        db.flush()
        audit.record(
            db,
            actor=actor,
            action="consent.agree",
            at=now,
            target_type="consent_record",
            target_id=row.id,
            patient_id=patient.id,
            detail={
                "plan_version": questions.plan_version,
                "language": language,
                "fields": ["confirmations", "agree"],
            },
        )
    return row


def _stored_answer(answer: Answer) -> dict[str, Any]:
    """An answer as the patient read it: its English, and its words beside it."""
    return {
        "question": answer.question.value,
        "text": answer.text,
        "answer": list(answer.answer),
        "words": {
            "text": words_to_json(answer.text_words),
            "answer": [words_to_json(paragraph) for paragraph in answer.answer_words],
        },
    }


def _check_answers(confirmed: Sequence[str], agree: bool) -> None:
    errors = [
        FieldError(
            f"confirm_{q.value}",
            msg(
                "Tick this box when you understand the answer, or call the clinic to ask about it."
            ),
        )
        for q in Question
        if q.value not in confirmed
    ]
    if not agree:
        errors.append(FieldError("agree", msg("Tick this box to agree to the injection.")))
    if errors:
        raise Invalid(errors)


def plan_snapshot(plan: PlannedProcedure, context: ConsentContext | None) -> dict[str, Any]:
    """The plan in PLAN.json form (`formats.consent`), with its consent context."""
    snapshot: dict[str, Any] = {
        "scheduled_at": plan.scheduled_at.astimezone(UTC).isoformat(),
        "kind": plan.kind.value,
        "side": plan.side.value,
        "anesthetic_agent": plan.anesthetic_agent,
        "steroid_agent": plan.steroid_agent,
        "guidance": plan.guidance.value,
        "contrast_planned": plan.contrast_planned,
        "sedation": plan.sedation.value,
        "physician": plan.physician,
        "location": plan.location,
    }
    if context is not None:
        snapshot["consent"] = {
            "physician_qualifications": context.physician_qualifications,
            "cost_note": context.cost_note,
            "results_how": context.results_how,
            "physician_name": context.physician_name,
            "location": context.location,
        }
    return snapshot
