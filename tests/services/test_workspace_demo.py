"""The demo pathways: four patients at four stages, made through the real services."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from factories import make_availability, make_patient, make_user
from fixtures_db import Personas
from sijcare.db.enums import Role
from sijcare.domain.diagnostic import Classification, DiagnosticResult
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.therapeutic import TherapeuticResult
from sijcare.services import demo_pathways, diary_review, inbox, screening_review, worklist
from sijcare.services.actor import Origin, load_actor
from sijcare.services.procedures import ConsentState

# Wednesday 11 March 2026, 15:00 in Los Angeles.
NOW = datetime(2026, 3, 11, 22, 0, tzinfo=UTC)


def test_populate_brings_four_patients_to_four_stages(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    practitioner = personas.clinician.practitioner
    assert practitioner is not None
    with db.begin():
        for weekday in range(5):
            make_availability(
                db,
                practitioner=practitioner,
                location=personas.location,
                weekday=weekday,
                start_local=time(8, 0),
                end_local=time(12, 0),
                valid_from=date(2026, 1, 1),
            )
        extra = []
        for name in ("Dana Diary", "Tom Therapeutic"):
            user = make_user(db, clinic=personas.clinic, role=Role.PATIENT, display_name=name)
            extra.append(make_patient(db, clinic=personas.clinic, user=user, name=name))
    people = [personas.patient.patient, personas.other_patient.patient, *extra]
    made = demo_pathways.populate(
        db,
        clinic=personas.clinic,
        patients=[p for p in people if p is not None],
        practitioners=[practitioner],
        now=NOW,
        knowledge=knowledge,
    )
    with db.begin():
        clinician = load_actor(db, personas.clinician.user.id, Origin())
    assert clinician is not None

    review = screening_review.get_review(
        db, actor=clinician, pathway_id=made.blood_thinner_review, knowledge=knowledge, now=NOW
    )
    assert review.response is not None and review.response.readiness == "needs_review"
    assert [f.code for f in review.response.findings if f.open] == ["blood_thinner.review"]

    public_id = people[1].public_id  # type: ignore[union-attr]
    summary = worklist.patient_summary(
        db, actor=clinician, public_id=public_id, knowledge=knowledge, now=NOW
    )
    assert summary.pathways[0].consent is ConsentState.COMPLETE

    statuses = {}
    for patient in people[2:]:
        assert patient is not None
        found = worklist.patient_summary(
            db, actor=clinician, public_id=patient.public_id, knowledge=knowledge, now=NOW
        )
        statuses[patient.name] = found.pathways[0]
    block = diary_review.get_review(
        db,
        actor=clinician,
        procedure_id=statuses["Dana Diary"].procedure_id or 0,
        knowledge=knowledge,
        now=NOW,
    )
    assert isinstance(block.reading, DiagnosticResult)
    assert block.reading.classification is Classification.POSITIVE
    assert len(block.entries) == 7
    injection = diary_review.get_review(
        db,
        actor=clinician,
        procedure_id=statuses["Tom Therapeutic"].procedure_id or 0,
        knowledge=knowledge,
        now=NOW,
    )
    assert isinstance(injection.reading, TherapeuticResult)
    assert injection.reading.responders["2w"] is True
    assert statuses["Tom Therapeutic"].open_red_flags == 1
    [flag] = inbox.list_inbox(db, actor=clinician, now=NOW)
    assert flag.disposition == "call_now" and flag.open
