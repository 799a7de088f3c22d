"""What the patient sees of their screening: how far it is (`Stage`), the answer form
filled with their newest answers, and the result page with the dated steps and how to
get ready (`preparation_for`, which the printed preparation sheet uses too).

Read only: each view records an audit event and changes nothing. The use cases that
store the clinic's plan and the patient's answers and screen them are in
`sijcare.services.screening`; these pages show the stored result as it was screened
and never screen again, so they live apart from the writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from sijcare.db.models import Driver, Pathway, ScreeningResponse
from sijcare.domain.instructions import Instructions, preparation_instructions
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import PlannedProcedure
from sijcare.domain.screening import Action, Readiness
from sijcare.services import audit, injection_plan, pathways, screening_review
from sijcare.services.actor import Actor
from sijcare.services.diary import require_own
from sijcare.services.drivers import current_driver
from sijcare.services.screening import newest_response, plan_document
from sijcare.services.screening_results import Said, said_finding, stored_actions


class Stage(StrEnum):
    """How far the pathway's screening is, for the patient."""

    NOT_PLANNED = "not_planned"  # the clinic has not planned the injection yet
    NOT_BOOKED = "not_booked"  # planned, but no procedure appointment
    TO_ANSWER = "to_answer"  # ready for the patient's answers
    ANSWERED = "answered"  # submitted; the result is shown


@dataclass(frozen=True)
class Step:
    """A dated step: its English (`what`, the API's), and `said` for a page in the reader's
    language (its words, or the English of a result stored without them)."""

    at: datetime
    what: str
    code: str
    said: Said


@dataclass(frozen=True)
class FindingText:
    """A finding as the patient reads it: its code, severity and the patient's sentence
    (`text` in English, the API's; `said` for a page, as a `Step`'s)."""

    code: str
    severity: str
    text: str
    said: Said


def findings_of(result: Mapping[str, Any]) -> tuple[FindingText, ...]:
    """The findings of a stored result as the patient reads them."""
    return tuple(
        FindingText(str(f["code"]), str(f["severity"]), str(f["patient_message"]), said_finding(f))
        for f in result.get("findings", ())
    )


@dataclass(frozen=True)
class ScreeningPage:
    """The patient's screening: stage, result, dated steps and the preparation."""

    pathway: Pathway
    stage: Stage
    plan: PlannedProcedure | None
    response: ScreeningResponse | None
    readiness: str
    findings: tuple[FindingText, ...]
    steps: tuple[Step, ...]
    preparation: Instructions | None
    screened_for: datetime | None  # the procedure time the result was worked out for
    driver: Driver | None
    answers: Mapping[str, Any]  # the newest answers (INTAKE.json), to fill the form again

    @property
    def time_changed(self) -> bool:
        """The booking moved since the answers were screened: the dates are stale."""
        return (
            self.plan is not None
            and self.screened_for is not None
            and self.plan.scheduled_at != self.screened_for
        )


@dataclass(frozen=True)
class ScreeningForm:
    """What the answer form needs: the stage, the newest answers and the driver."""

    pathway: Pathway
    stage: Stage
    answers: Mapping[str, Any]
    driver: Driver | None


def view_form(db: Session, *, actor: Actor, pathway_id: int, now: datetime) -> ScreeningForm:
    """The patient's answer form, filled with their newest answers (the patient only)."""
    with db.begin():
        pathway, patient = pathways.load(db, actor, pathway_id)
        require_own(actor, patient)
        response = screening_review.latest_response(db, pathway.id)
        form = ScreeningForm(
            pathway=pathway,
            stage=_stage(db, pathway, response),
            answers=_answers(response),
            driver=current_driver(db, pathway.id, response),
        )
        audit.record(
            db,
            actor=actor,
            action="screening.form",
            at=now,
            target_type="pathway",
            target_id=pathway.id,
            patient_id=patient.id,
        )
    return form


def view_screening(
    db: Session,
    *,
    actor: Actor,
    pathway_id: int,
    knowledge: Knowledge,
    zone: str,
    now: datetime,
) -> ScreeningPage:
    """The pathway's screening for the patient (or a clinician): stage, result, steps.

    The steps and the preparation come from the newest submitted result (its dated
    actions include a blood-thinner hold only once a clinician confirmed it).
    """
    with db.begin():
        pathway, patient = pathways.load(db, actor, pathway_id)
        page = _page(db, pathway, knowledge, zone)
        audit.record(
            db,
            actor=actor,
            action="screening.view",
            at=now,
            target_type="pathway",
            target_id=pathway.id,
            patient_id=patient.id,
            detail={"screening_response_id": None if page.response is None else page.response.id},
        )
    return page


def _page(db: Session, pathway: Pathway, knowledge: Knowledge, zone: str) -> ScreeningPage:
    response = screening_review.latest_response(db, pathway.id)
    plan = injection_plan.current_plan(db, pathway, knowledge) if response is not None else None
    result = (response.result or {}) if response is not None else {}
    actions = stored_actions(result)
    steps = tuple(Step(a.at, a.what, a.code, a.said) for a in actions)
    # The reader's zone stands in only when the injection's place is unknown.
    place = zone if plan is None else injection_plan.place_time_zone(db, pathway.id) or zone
    preparation = preparation_for(plan, actions, result, knowledge, place)
    screened_for = result.get("procedure_time")
    return ScreeningPage(
        pathway=pathway,
        stage=_stage(db, pathway, response),
        plan=plan,
        response=response,
        readiness=str(result.get("status", "")),
        findings=findings_of(result),
        steps=steps,
        preparation=preparation,
        screened_for=None if screened_for is None else datetime.fromisoformat(screened_for),
        driver=current_driver(db, pathway.id, response),
        answers=_answers(response or newest_response(db, pathway.id)),
    )


def preparation_for(
    plan: PlannedProcedure | None,
    actions: Sequence[Action],
    result: Mapping[str, Any],
    knowledge: Knowledge,
    place: str,
) -> Instructions | None:
    """How to get ready, on the clock of the injection's place (`place`: the caller
    resolves it with `injection_plan.place_time_zone`). None without a plan, and while the
    screening says the injection must wait: the day's steps (fasting, a medicine hold)
    would be for a date that is no longer kept."""
    if plan is None or result.get("status") == Readiness.POSTPONE.value:
        return None
    return preparation_instructions(plan, actions, knowledge, place)


def _answers(response: ScreeningResponse | None) -> Mapping[str, Any]:
    return {} if response is None else response.answers


def _stage(db: Session, pathway: Pathway, response: ScreeningResponse | None) -> Stage:
    if response is not None:
        return Stage.ANSWERED
    if plan_document(db, pathway.id) is None:
        return Stage.NOT_PLANNED
    if injection_plan.procedure_appointment(db, pathway.id) is None:
        return Stage.NOT_BOOKED
    return Stage.TO_ANSWER


def stage_of(db: Session, pathway: Pathway) -> tuple[Stage, str]:
    """The stage and readiness, for a caller that checked access inside its transaction."""
    response = screening_review.latest_response(db, pathway.id)
    readiness = "" if response is None else str((response.result or {}).get("status", ""))
    return _stage(db, pathway, response), readiness
