"""The patient's home view and the aftercare instructions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import actor_of, make_appointment
from factories.clinical import (
    PERFORMED,
    READY_ANSWERS,
    make_diary_entry,
    make_documented,
    make_planned_pathway,
    make_screening_response,
    make_symptom_report,
)
from fixtures_db import Personas
from sijcare.db.enums import Kind, PathwayStatus, Side
from sijcare.db.models import AuditEvent, Pathway
from sijcare.domain.knowledge import Knowledge
from sijcare.services import education, portal, screening
from sijcare.services.errors import Forbidden
from sijcare.services.procedures import ConsentState
from sijcare.services.screening_pages import Stage

NOW = PERFORMED + timedelta(hours=2)  # 10:00 PST on the injection day
ZONE = "America/Los_Angeles"


def home_of(db: Session, personas: Personas, knowledge: Knowledge) -> portal.Home:
    return portal.view_home(
        db, actor=actor_of(db, personas.patient.user.id), knowledge=knowledge, now=NOW
    )


def pathway_of(db: Session, pathway_id: int) -> Pathway:
    with db.begin():
        found = db.get(Pathway, pathway_id)
    assert found is not None
    return found


def test_home_shows_each_active_pathway_at_a_glance(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    patient, clinician = personas.patient.patient, personas.clinician
    assert patient and clinician.practitioner
    booked = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    planned = make_planned_pathway(
        db,
        patient=patient,
        clinician=clinician.user,
        practitioner=clinician.practitioner,
        location=personas.location,
        room=personas.room,
        starts_at=booked,
        side=Side.RIGHT,
    )
    screening.submit(
        db,
        actor=actor_of(db, personas.patient.user.id),
        pathway_id=planned.id,
        answers=READY_ANSWERS,
        driver=screening.DriverDetails("Sam Rivera", "+1 310-555-0177"),
        knowledge=knowledge,
        now=NOW,
    )
    done = make_documented(db, patient=patient, clinician=clinician.user)
    make_diary_entry(db, procedure=done, created_by=personas.patient.user)  # 30 minutes after
    home = home_of(db, personas, knowledge)
    by_id = {g.pathway_id: g for g in home.pathways}
    assert by_id[planned.id].screening is Stage.ANSWERED
    assert by_id[planned.id].readiness == "ready"
    assert by_id[planned.id].consent is ConsentState.NONE
    assert by_id[planned.id].diary is None
    glance = by_id[done.pathway_id].diary
    assert glance is not None and glance.entries == 1
    # The entry counts for the 30-minute prompt; 15 and 60 minutes were missed; 2 h is due.
    assert (glance.missed, glance.due) == (2, 1)
    assert glance.next_prompt_at == PERFORMED + timedelta(hours=4)
    assert home.next_appointment is not None and home.next_appointment.starts_at == booked
    assert home.next_appointment.qualifications == ("Board certified in pain medicine",)
    with db.begin():
        views = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "portal.view")).all()
    assert len(views) == 1 and views[0].patient_id == patient.id


def test_the_latest_report_and_closed_pathways(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    patient, clinician = personas.patient.patient, personas.clinician
    assert patient is not None
    done = make_documented(db, patient=patient, clinician=clinician.user)
    closed = make_documented(db, patient=patient, clinician=clinician.user, side=Side.RIGHT)
    with db.begin():
        row = db.get(Pathway, closed.pathway_id)
        assert row is not None
        row.status, row.closed_at, row.closed_by = PathwayStatus.CLOSED, NOW, clinician.user.id
    result = {
        "disposition": "call_soon",
        "contact": {"kind": "help_line", "number": "1", "label": "Help", "message": "Call."},
        "what_to_do": ["Call today."],
        "reasons": [{"message": "Hives."}],
    }
    make_symptom_report(
        db,
        pathway=pathway_of(db, done.pathway_id),
        reported_by=personas.patient.user,
        result=result,
        disposition="call_soon",
        reported_at=NOW,
    )
    home = home_of(db, personas, knowledge)
    assert [g.pathway_id for g in home.pathways] == [done.pathway_id]
    assert home.closed_pathways == 1
    latest = home.pathways[0].latest_report
    assert latest is not None and latest.advice.disposition == "call_soon"


@pytest.mark.parametrize("who", ["clinician", "scheduler", "admin"])
def test_staff_have_no_portal(
    db: Session, personas: Personas, knowledge: Knowledge, who: str
) -> None:
    with pytest.raises(Forbidden):
        portal.view_home(
            db, actor=actor_of(db, personas[who].user.id), knowledge=knowledge, now=NOW
        )


def test_an_appointment_that_started_is_not_next(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    patient, clinician = personas.patient.patient, personas.clinician
    assert patient and clinician.practitioner
    make_appointment(
        db,
        patient=patient,
        practitioner=clinician.practitioner,
        location=personas.location,
        created_by=clinician.user,
        starts_at=NOW - timedelta(minutes=10),
    )
    assert home_of(db, personas, knowledge).next_appointment is None


def aftercare(
    db: Session, personas: Personas, knowledge: Knowledge, procedure_id: int, who: str = "patient"
) -> education.AftercarePage:
    return education.view_aftercare(
        db,
        actor=actor_of(db, personas[who].user.id),
        procedure_id=procedure_id,
        knowledge=knowledge,
        zone=ZONE,
        now=NOW,
    )


def test_aftercare_is_dated_from_the_injection_with_who_to_call(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    assert personas.patient.patient is not None
    record = make_documented(
        db, patient=personas.patient.patient, clinician=personas.clinician.user
    )
    page = aftercare(db, personas, knowledge, record.id)
    assert "blood_sugar" not in [s.code for s in page.instructions.sections]
    assert page.instructions.procedure_at == PERFORMED
    assert page.contact.number == knowledge.text("clinic.help_line_phone")
    assert page.emergency_number == knowledge.text("clinic.emergency_phone")
    for who in ("other_patient", "outsider", "scheduler"):
        with pytest.raises(Forbidden):
            aftercare(db, personas, knowledge, record.id, who)


def test_aftercare_adds_blood_sugar_when_the_patient_has_diabetes(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    assert personas.patient.patient is not None
    record = make_documented(
        db,
        patient=personas.patient.patient,
        clinician=personas.clinician.user,
        kind=Kind.THERAPEUTIC,
    )
    make_screening_response(
        db,
        pathway=pathway_of(db, record.pathway_id),
        submitted_by=personas.patient.user,
        answers={"diabetes": {"has": True, "uses_insulin": False}},
        result={"actions": []},
    )
    page = aftercare(db, personas, knowledge, record.id)
    assert "blood_sugar" in [s.code for s in page.instructions.sections]
