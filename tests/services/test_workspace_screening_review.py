"""Screening review: clinicians' decisions re-screen into new responses; findings get notes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.workspace import APIXABAN, NOW, PROCEDURE_AT, Story
from fixtures_db import Personas
from sijcare.db.models import AuditEvent, ClinicianDecision, Pathway, ScreeningResponse
from sijcare.domain.intake import HoldDecision
from sijcare.domain.knowledge import Knowledge
from sijcare.services import screening_review
from sijcare.services.errors import Conflict, Forbidden, Invalid
from sijcare.services.screening_review import MedicineDecision


@pytest.fixture
def story(db: Session, personas: Personas, knowledge: Knowledge) -> Story:
    return Story(db, personas, knowledge)


# A booking far enough ahead for an apixaban hold confirmed at NOW (its last dose is
# 2 days before).
IN_A_WEEK = PROCEDURE_AT + timedelta(days=7)


def _screened(
    story: Story, starts_at: datetime = PROCEDURE_AT, **answers: object
) -> tuple[int, int]:
    pathway = story.pathway()
    story.book(pathway, starts_at)
    response = story.screen(pathway, **answers)  # type: ignore[arg-type]
    return pathway.id, response.id


def _hold(response_id: int, **overrides: object) -> MedicineDecision:
    values: dict[str, object] = {
        "response_id": response_id,
        "medicine": "Eliquis 5 mg",
        "decision": HoldDecision.HOLD,
        "confirmed_with_prescriber": True,
        "prescriber": "Dr. A. Rivera, cardiology",
        "confirmed_on": NOW.date(),
    }
    return MedicineDecision(**(values | overrides))  # type: ignore[arg-type]


def _decide(story: Story, pathway_id: int, decision: MedicineDecision) -> screening_review.Outcome:
    return screening_review.decide_medicine(
        story.db,
        actor=story.actor("clinician"),
        pathway_id=pathway_id,
        decision=decision,
        knowledge=story.knowledge,
        now=NOW,
    )


def _review(story: Story, pathway_id: int) -> screening_review.ScreeningReview:
    return screening_review.get_review(
        story.db,
        actor=story.actor("clinician"),
        pathway_id=pathway_id,
        knowledge=story.knowledge,
        now=NOW,
    )


def _count(db: Session, model: type) -> int:
    with db.begin():
        return int(db.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_review_shows_the_blood_thinner_finding_open_with_its_options(story: Story) -> None:
    pathway_id, response_id = _screened(story, medicines=[APIXABAN])
    review = _review(story, pathway_id)
    assert review.response is not None and review.response.id == response_id
    assert review.response.readiness == "needs_review"
    [finding] = review.response.findings
    assert (finding.code, finding.about, finding.open, finding.decidable) == (
        "blood_thinner.review",
        "Eliquis 5 mg",
        True,
        True,
    )
    assert finding.options and finding.options[0].steps  # the dates a hold would give
    assert review.response.open_findings == 1


def test_confirmed_hold_screens_again_into_a_new_response_with_the_dates(story: Story) -> None:
    pathway_id, response_id = _screened(story, IN_A_WEEK, medicines=[APIXABAN])
    with story.db.begin():
        before = story.db.get(ScreeningResponse, response_id)
        assert before is not None
        old_result = dict(before.result or {})
    outcome = _decide(story, pathway_id, _hold(response_id))
    assert outcome.response_id != response_id
    assert outcome.readiness == "ready_with_actions"
    review = _review(story, pathway_id)
    assert review.response is not None and review.response.id == outcome.response_id
    assert review.response.status == "reviewed"
    codes = [a.code for a in review.response.actions]
    assert "blood_thinner.last_dose" in codes and "blood_thinner.restart" in codes
    # Run again by the clinician's decision, the answers are still the patient's, sent when
    # they sent them (the portal says "You sent your answers on ...").
    with story.db.begin():
        first = story.db.get_one(ScreeningResponse, response_id)
        rerun = story.db.get_one(ScreeningResponse, outcome.response_id)
        assert (rerun.submitted_by, rerun.submitted_at) == (first.submitted_by, first.submitted_at)
        assert rerun.submitted_by == story.personas.patient.user.id
    last_dose = next(a.at for a in review.response.actions if a.code == "blood_thinner.last_dose")
    # apixaban is held 3 days before the 12:00 PST procedure (knowledge table blood_thinners)
    assert last_dose == review.response.procedure_time - timedelta(days=3)
    # The first response is kept as it was (history).
    assert [h.id for h in review.history] == [outcome.response_id, response_id]
    with story.db.begin():
        kept = story.db.get(ScreeningResponse, response_id)
        assert kept is not None and kept.result == old_result
        decision = story.db.get(ClinicianDecision, outcome.decision_id)
        assert decision is not None
        assert decision.decision["prescriber"] == "Dr. A. Rivera, cardiology"
        assert decision.decision["confirmed_on"] == NOW.date().isoformat()
        assert decision.about == "blood_thinner.review"
        event = story.db.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "screening.decide")
        )
        assert event is not None and event.target_id == str(outcome.decision_id)
        assert "Rivera" not in str(event.detail)


def test_continue_decision_resolves_the_finding_without_dates(story: Story) -> None:
    pathway_id, response_id = _screened(story, medicines=[APIXABAN])
    outcome = _decide(story, pathway_id, _hold(response_id, decision=HoldDecision.CONTINUE))
    review = _review(story, pathway_id)
    assert review.response is not None
    [finding] = review.response.findings
    assert finding.code == "blood_thinner.continue" and not finding.open
    assert outcome.readiness == "ready"
    assert review.response.actions == ()


def test_unconfirmed_hold_needs_a_note_and_tells_the_patient_nothing(story: Story) -> None:
    pathway_id, response_id = _screened(story, medicines=[APIXABAN])
    unconfirmed = _hold(
        response_id, confirmed_with_prescriber=False, prescriber="", confirmed_on=None
    )
    with pytest.raises(Invalid) as refused:
        _decide(story, pathway_id, unconfirmed)
    assert [e.field for e in refused.value.errors] == ["note"]
    outcome = _decide(
        story,
        pathway_id,
        _hold(
            response_id,
            confirmed_with_prescriber=False,
            prescriber="",
            confirmed_on=None,
            note="Waiting for the cardiologist's call back.",
        ),
    )
    review = _review(story, pathway_id)
    assert review.response is not None and review.response.id == outcome.response_id
    assert outcome.readiness == "needs_review"
    assert review.response.actions == ()


def test_confirmed_decision_needs_the_prescriber_and_a_day_not_in_the_future(story: Story) -> None:
    pathway_id, response_id = _screened(story, medicines=[APIXABAN])
    with pytest.raises(Invalid) as missing:
        _decide(story, pathway_id, _hold(response_id, prescriber=" ", confirmed_on=None))
    assert {e.field for e in missing.value.errors} == {"prescriber", "confirmed_on"}
    with pytest.raises(Invalid) as future:
        _decide(story, pathway_id, _hold(response_id, confirmed_on=NOW.date() + timedelta(days=2)))
    assert [e.field for e in future.value.errors] == ["confirmed_on"]


def test_decision_about_a_medicine_not_listed_is_a_field_error_and_saves_nothing(
    story: Story,
) -> None:
    pathway_id, response_id = _screened(story, medicines=[APIXABAN])
    decisions, responses = _count(story.db, ClinicianDecision), _count(story.db, ScreeningResponse)
    with pytest.raises(Invalid) as refused:
        _decide(story, pathway_id, _hold(response_id, medicine="warfarin"))
    assert [e.field for e in refused.value.errors] == ["medicine"]
    assert _count(story.db, ClinicianDecision) == decisions
    assert _count(story.db, ScreeningResponse) == responses


def test_decision_on_a_response_that_is_not_the_newest_conflicts(story: Story) -> None:
    pathway_id, response_id = _screened(story, medicines=[APIXABAN])
    _decide(story, pathway_id, _hold(response_id, decision=HoldDecision.CONTINUE))
    with pytest.raises(Conflict):
        _decide(story, pathway_id, _hold(response_id))


def test_the_same_form_twice_records_one_decision(story: Story) -> None:
    pathway_id, response_id = _screened(story, medicines=[APIXABAN])
    first = _decide(story, pathway_id, _hold(response_id, idempotency_key="token-1"))
    again = _decide(story, pathway_id, _hold(response_id, idempotency_key="token-1"))
    assert again.repeated and (again.decision_id, again.response_id) == (
        first.decision_id,
        first.response_id,
    )
    assert _count(story.db, ClinicianDecision) == 1


def test_marking_a_finding_reviewed_needs_a_note_and_closes_it(story: Story) -> None:
    pathway_id, response_id = _screened(story, possibly_pregnant=True)
    clinician = story.actor("clinician")

    def mark(note: str, key: str | None = None) -> screening_review.Outcome:
        return screening_review.mark_reviewed(
            story.db,
            actor=clinician,
            pathway_id=pathway_id,
            response_id=response_id,
            code="pregnancy.possible",
            about="pregnancy",
            note=note,
            now=NOW,
            idempotency_key=key,
        )

    with pytest.raises(Invalid) as refused:
        mark("   ")
    assert [e.field for e in refused.value.errors] == ["note"]
    mark("Negative pregnancy test today.", "t-1")
    mark("Negative pregnancy test today.", "t-1")  # a repeated form
    review = _review(story, pathway_id)
    assert review.response is not None and review.response.status == "reviewed"
    [finding] = review.response.findings
    assert not finding.open and finding.review is not None
    assert finding.review.note == "Negative pregnancy test today."
    assert finding.review.decided_by == "Dr. Casey Clinician"
    assert _count(story.db, ClinicianDecision) == 1


def test_a_review_note_does_not_carry_over_to_new_answers_from_the_patient(story: Story) -> None:
    pathway_id, response_id = _screened(story, possibly_pregnant=True)
    screening_review.mark_reviewed(
        story.db,
        actor=story.actor("clinician"),
        pathway_id=pathway_id,
        response_id=response_id,
        code="pregnancy.possible",
        about="pregnancy",
        note="Checked.",
        now=NOW,
    )
    with story.db.begin():
        pathway = story.db.get(Pathway, pathway_id)
    assert pathway is not None
    story.screen(pathway, possibly_pregnant=True, current_infection=True, at=NOW)
    review = _review(story, pathway_id)
    assert review.response is not None
    pregnancy = next(f for f in review.response.findings if f.code == "pregnancy.possible")
    assert pregnancy.open


def test_marking_an_unknown_finding_is_a_field_error(story: Story) -> None:
    pathway_id, response_id = _screened(story)
    with pytest.raises(Invalid) as refused:
        screening_review.mark_reviewed(
            story.db,
            actor=story.actor("clinician"),
            pathway_id=pathway_id,
            response_id=response_id,
            code="pregnancy.possible",
            about="pregnancy",
            note="x",
            now=NOW,
        )
    assert [e.field for e in refused.value.errors] == ["finding"]


@pytest.mark.parametrize("who", ["patient", "scheduler", "admin", "outsider"])
def test_only_the_clinics_clinicians_review_screening(story: Story, who: str) -> None:
    pathway_id, response_id = _screened(story, medicines=[APIXABAN])
    with pytest.raises(Forbidden):
        screening_review.get_review(
            story.db,
            actor=story.actor(who),
            pathway_id=pathway_id,
            knowledge=story.knowledge,
            now=NOW,
        )
    with pytest.raises(Forbidden):
        screening_review.decide_medicine(
            story.db,
            actor=story.actor(who),
            pathway_id=pathway_id,
            decision=_hold(response_id),
            knowledge=story.knowledge,
            now=NOW,
        )
    assert _count(story.db, ClinicianDecision) == 0


def test_review_without_answers_has_no_response(story: Story) -> None:
    pathway = story.pathway()
    review = _review(story, pathway.id)
    assert review.response is None and review.history == ()


def test_a_hold_confirmed_after_its_last_dose_stays_in_review_with_no_dates(story: Story) -> None:
    """The injection is 4 hours away; apixaban's hold needs the last dose 2 days before."""
    pathway_id, response_id = _screened(story, medicines=[APIXABAN])
    outcome = _decide(story, pathway_id, _hold(response_id))
    assert outcome.readiness == "needs_review"
    review = _review(story, pathway_id)
    assert review.response is not None
    assert [f.code for f in review.response.findings] == ["blood_thinner.hold_too_late"]
    assert review.response.actions == ()
