"""Consent, the patient's side: the answers for the plan, confirming, agreeing, a new plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import actor_of
from factories.clinical import READY_ANSWERS, make_planned_pathway
from fixtures_db import Personas
from sijcare.db.models import Appointment, AuditEvent, ConsentRecord, Pathway
from sijcare.domain.consent import Question
from sijcare.domain.knowledge import Knowledge
from sijcare.formats.consent import context_from_dict, plan_from_dict
from sijcare.formats.words import words_from_json
from sijcare.services import consent, procedures, screening
from sijcare.services.errors import Conflict, Forbidden, Invalid
from sijcare.services.procedures import ConsentState

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
BOOKED = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
ALL = [q.value for q in Question]


@pytest.fixture
def pathway(db: Session, personas: Personas, knowledge: Knowledge) -> Pathway:
    """Planned, booked and screened: ready for consent."""
    assert personas.patient.patient and personas.clinician.practitioner
    pathway = make_planned_pathway(
        db,
        patient=personas.patient.patient,
        clinician=personas.clinician.user,
        practitioner=personas.clinician.practitioner,
        location=personas.location,
        room=personas.room,
        starts_at=BOOKED,
    )
    screening.submit(
        db,
        actor=actor_of(db, personas.patient.user.id),
        pathway_id=pathway.id,
        answers=READY_ANSWERS,
        driver=screening.DriverDetails("Sam Rivera", "+1 310-555-0177"),
        knowledge=knowledge,
        now=NOW,
    )
    return pathway


def view(db: Session, personas: Personas, pathway: Pathway, knowledge: Knowledge) -> Any:
    return consent.view_consent(
        db,
        actor=actor_of(db, personas.patient.user.id),
        pathway_id=pathway.id,
        knowledge=knowledge,
        now=NOW,
    )


def agree(
    db: Session,
    personas: Personas,
    pathway: Pathway,
    knowledge: Knowledge,
    *,
    version: str | None = None,
    confirmed: list[str] = ALL,
    agreed: bool = True,
    who: str = "patient",
    language: str = "en",
) -> ConsentRecord:
    if version is None:
        version = view(db, personas, pathway, knowledge).questions.plan_version
    return consent.give_consent(
        db,
        actor=actor_of(db, personas[who].user.id),
        pathway_id=pathway.id,
        plan_version=version,
        confirmed=confirmed,
        agree=agreed,
        language=language,
        knowledge=knowledge,
        now=NOW,
    )


def test_the_answers_are_the_cores_for_this_plan_with_the_physicians_training(
    db: Session, personas: Personas, pathway: Pathway, knowledge: Knowledge
) -> None:
    page = view(db, personas, pathway, knowledge)
    assert page.status.state is ConsentState.NONE and page.can_agree
    answers = {a.question: " ".join(a.answer) for a in page.questions.answers}
    assert len(answers) == len(Question)
    assert "Board certified in pain medicine." in answers[Question.WHO]
    assert personas.location.name in answers[Question.WHEN_AND_WHERE]
    assert consent.COST_NOTE in answers[Question.COST]


def test_agreeing_stores_the_plan_the_confirmations_and_waits_for_a_witness(
    db: Session, personas: Personas, pathway: Pathway, knowledge: Knowledge
) -> None:
    row = agree(db, personas, pathway, knowledge)
    assert row.agreed_by == personas.patient.user.id and row.witnessed_at is None
    assert {c["question"] for c in row.confirmed["confirmations"]} == set(ALL)
    assert len(row.confirmed["answers"]) == len(Question)
    plan = plan_from_dict({k: v for k, v in row.plan_snapshot.items() if k != "consent"}, knowledge)
    assert plan.scheduled_at == BOOKED and plan.physician == personas.clinician.name
    assert context_from_dict(row.plan_snapshot["consent"]).cost_note == consent.COST_NOTE
    assert view(db, personas, pathway, knowledge).status.state is ConsentState.NEEDS_WITNESS
    assert agree(db, personas, pathway, knowledge).id == row.id  # agreeing twice: one record
    with db.begin():
        assert db.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.action == "consent.agree")
        ).all()


@pytest.mark.parametrize("language", ["en", "es"])
def test_agreeing_keeps_the_language_read_and_each_answers_words(
    db: Session, personas: Personas, pathway: Pathway, knowledge: Knowledge, language: str
) -> None:
    row = agree(db, personas, pathway, knowledge, language=language)
    with db.begin():
        stored = db.get_one(ConsentRecord, row.id)
        detail = db.scalars(
            sa.select(AuditEvent.detail).where(AuditEvent.action == "consent.agree")
        ).one()
        assert stored.language == language
        assert procedures.consent_status(db, pathway, knowledge).language == language
    assert detail["language"] == language
    # Beside each answer's English, its words: the same sentences, for another language.
    for answer in stored.confirmed["answers"]:
        said = answer["words"]
        assert str(words_from_json(said["text"])) == answer["text"]
        assert [str(words_from_json(p)) for p in said["answer"]] == answer["answer"]


def test_a_language_that_is_not_a_locale_is_a_mistake(
    db: Session, personas: Personas, pathway: Pathway, knowledge: Knowledge
) -> None:
    with pytest.raises(ValueError, match="locales"):
        agree(db, personas, pathway, knowledge, language="fr")
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(ConsentRecord)) == 0


def test_every_answer_must_be_confirmed_and_the_agreement_ticked(
    db: Session, personas: Personas, pathway: Pathway, knowledge: Knowledge
) -> None:
    with pytest.raises(Invalid) as refused:
        agree(db, personas, pathway, knowledge, confirmed=ALL[1:], agreed=False)
    assert [e.field for e in refused.value.errors] == [f"confirm_{ALL[0]}", "agree"]
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(ConsentRecord)) == 0


def test_a_witness_completes_it_and_a_changed_plan_asks_again(
    db: Session, personas: Personas, pathway: Pathway, knowledge: Knowledge
) -> None:
    row = agree(db, personas, pathway, knowledge)
    procedures.witness_consent(
        db,
        actor=actor_of(db, personas.clinician.user.id),
        pathway_id=pathway.id,
        consent_id=row.id,
        knowledge=knowledge,
        now=NOW + timedelta(minutes=5),
    )
    assert view(db, personas, pathway, knowledge).status.state is ConsentState.COMPLETE
    with pytest.raises(Conflict):
        agree(db, personas, pathway, knowledge)
    old = view(db, personas, pathway, knowledge).questions.plan_version
    with db.begin():
        appointment = db.scalars(sa.select(Appointment)).one()
        appointment.starts_at += timedelta(hours=1)
        appointment.ends_at += timedelta(hours=1)
    page = view(db, personas, pathway, knowledge)
    assert page.status.state is ConsentState.PLAN_CHANGED and page.can_agree
    with pytest.raises(Conflict):
        agree(db, personas, pathway, knowledge, version=old)
    assert agree(db, personas, pathway, knowledge).id != row.id


def test_nothing_to_agree_to_before_the_plan(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    assert personas.patient.patient and personas.clinician.practitioner
    unscreened = make_planned_pathway(
        db,
        patient=personas.patient.patient,
        clinician=personas.clinician.user,
        practitioner=personas.clinician.practitioner,
        location=personas.location,
        room=personas.room,
        starts_at=BOOKED,
    )
    page = view(db, personas, unscreened, knowledge)
    assert page.questions is None and page.status.state is ConsentState.NO_PLAN
    with pytest.raises(Conflict):
        agree(db, personas, unscreened, knowledge, version="0" * 16)


@pytest.mark.parametrize("who", ["clinician", "other_patient", "outsider", "scheduler"])
def test_only_the_patient_agrees(
    db: Session, personas: Personas, pathway: Pathway, knowledge: Knowledge, who: str
) -> None:
    version = view(db, personas, pathway, knowledge).questions.plan_version
    with pytest.raises(Forbidden):
        agree(db, personas, pathway, knowledge, version=version, who=who)
