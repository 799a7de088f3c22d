"""Consent as the core judges it, witnessing it, and documenting the procedure."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import make_user
from factories.clinical import make_consent_record, procedure_document
from factories.workspace import NOW, PROCEDURE_AT, Story
from fixtures_db import Personas
from sijcare.db.enums import AppointmentStatus, Kind, Role
from sijcare.db.models import (
    Appointment,
    AuditEvent,
    ConsentRecord,
    Interpretation,
    ProcedureRecord,
)
from sijcare.domain.knowledge import Knowledge
from sijcare.services import procedures
from sijcare.services.errors import Conflict, Forbidden, Invalid
from sijcare.services.procedures import ConsentState

AFTER = PROCEDURE_AT + timedelta(hours=1)


@pytest.fixture
def story(db: Session, personas: Personas, knowledge: Knowledge) -> Story:
    return Story(db, personas, knowledge)


def _state(story: Story, pathway_id: int) -> procedures.ConsentStatus:
    return procedures.get_consent(
        story.db,
        actor=story.actor("clinician"),
        pathway_id=pathway_id,
        knowledge=story.knowledge,
        now=NOW,
    ).consent


def _document(story: Story, pathway_id: int, document: dict[str, Any], **extra: Any) -> Any:
    return procedures.document_procedure(
        story.db,
        actor=story.actor("clinician"),
        pathway_id=pathway_id,
        document=document,
        knowledge=story.knowledge,
        now=AFTER,
        **extra,
    )


def _records(db: Session) -> int:
    with db.begin():
        return int(db.scalar(sa.select(sa.func.count(ProcedureRecord.id))) or 0)


def test_consent_goes_from_nothing_to_complete_as_the_core_says(story: Story) -> None:
    pathway = story.pathway()
    assert _state(story, pathway.id).state is ConsentState.NO_PLAN
    story.book(pathway)
    story.screen(pathway)
    status = _state(story, pathway.id)
    assert status.state is ConsentState.NONE
    assert status.plan is not None and status.plan.scheduled_at == PROCEDURE_AT
    assert status.plan.physician == "Dr. Casey Clinician"
    story.agree(pathway)
    assert _state(story, pathway.id).state is ConsentState.NEEDS_WITNESS
    story.witness(pathway)
    done = _state(story, pathway.id)
    assert done.state is ConsentState.COMPLETE and done.complete
    assert done.witnessed_by == "Dr. Casey Clinician"


def test_moving_the_booking_after_consent_means_the_plan_changed(story: Story) -> None:
    pathway = story.ready(story.pathway())
    with story.db.begin():
        appointment = story.db.scalar(sa.select(Appointment))
        assert appointment is not None
        appointment.starts_at += timedelta(days=1)
        appointment.ends_at += timedelta(days=1)
    assert _state(story, pathway.id).state is ConsentState.PLAN_CHANGED
    with pytest.raises(Conflict) as refused:
        _document(story, pathway.id, procedure_document(performed_at=PROCEDURE_AT))
    assert "plan changed" in refused.value.message.text
    assert _records(story.db) == 0


def test_witnessing_needs_the_newest_consent_and_happens_once(story: Story) -> None:
    pathway = story.pathway()
    story.book(pathway)
    story.screen(pathway)
    consent_id, pathway_id = story.agree(pathway).id, pathway.id
    clinician = story.actor("clinician")
    with pytest.raises(Conflict):
        procedures.witness_consent(
            story.db,
            actor=clinician,
            pathway_id=pathway_id,
            consent_id=consent_id + 1,
            knowledge=story.knowledge,
            now=NOW,
        )
    for minutes in (0, 5):  # a second press changes nothing
        status = procedures.witness_consent(
            story.db,
            actor=clinician,
            pathway_id=pathway_id,
            consent_id=consent_id,
            knowledge=story.knowledge,
            now=NOW + timedelta(minutes=minutes),
        )
    assert status.witnessed_at == NOW
    with story.db.begin():
        events = story.db.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "consent.witness")
        ).all()
    assert len(events) == 1


def test_the_signer_cannot_witness_their_own_consent(story: Story, personas: Personas) -> None:
    pathway = story.pathway()
    story.book(pathway)
    story.screen(pathway)
    row = story.agree(pathway)
    # A clinician account that signed (the core's rule: the witness is not the signer).
    with story.db.begin():
        record = story.db.get(ConsentRecord, row.id)
        assert record is not None
        record.agreed_by = personas.clinician.user.id
    with pytest.raises(Invalid) as refused:
        procedures.witness_consent(
            story.db,
            actor=story.actor("clinician"),
            pathway_id=pathway.id,
            consent_id=row.id,
            knowledge=story.knowledge,
            now=NOW,
        )
    assert [e.field for e in refused.value.errors] == ["witness"]


def test_a_witness_with_the_signers_name_is_refused_by_the_core(
    story: Story, personas: Personas
) -> None:
    pathway = story.pathway()
    story.book(pathway)
    story.screen(pathway)
    with story.db.begin():
        namesake = make_user(
            story.db, clinic=personas.clinic, role=Role.CLINICIAN, display_name="Pat Patient"
        )
    row = story.agree(pathway)
    from sijcare.services.actor import Origin, load_actor

    with story.db.begin():
        actor = load_actor(story.db, namesake.id, Origin())
    assert actor is not None
    with pytest.raises(Invalid):
        procedures.witness_consent(
            story.db,
            actor=actor,
            pathway_id=pathway.id,
            consent_id=row.id,
            knowledge=story.knowledge,
            now=NOW,
        )


def test_documenting_is_refused_without_complete_consent(story: Story) -> None:
    pathway = story.pathway()
    story.book(pathway)
    with pytest.raises(Conflict) as unplanned:
        _document(story, pathway.id, procedure_document())
    assert "Book the procedure" in unplanned.value.message.text
    story.screen(pathway)
    with pytest.raises(Conflict) as no_consent:
        _document(story, pathway.id, procedure_document())
    assert "not agreed to the procedure" in no_consent.value.message.text
    story.agree(pathway)
    with pytest.raises(Conflict) as unwitnessed:
        _document(story, pathway.id, procedure_document())
    assert "witnessed" in unwitnessed.value.message.text
    assert _records(story.db) == 0


def test_documenting_stores_the_core_procedure_and_links_the_consent(story: Story) -> None:
    pathway = story.ready(story.pathway())
    view = _document(story, pathway.id, procedure_document(performed_at=PROCEDURE_AT))
    assert view.procedure.performed_at == PROCEDURE_AT
    assert view.procedure.anesthetic.agent == "lidocaine"
    assert view.documented_by == "Dr. Casey Clinician"
    with story.db.begin():
        record = story.db.get(ProcedureRecord, view.id)
        consent = procedures.latest_consent(story.db, pathway.id)
        assert record is not None and consent is not None
        assert record.consent_record_id == consent.id
        assert record.data["baseline_pain"] == 7
        event = story.db.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "procedure.document")
        )
        assert event is not None and event.target_id == str(view.id)
        # The empty diary's reading is stored with it: the injection counts on the quality
        # dashboard (and any red flag with it) before the first score.
        reading = story.db.scalar(
            sa.select(Interpretation).where(Interpretation.procedure_id == view.id)
        )
        assert reading is not None and reading.result["scores_used"] == []
        assert reading.clinic_id is not None and reading.patient_id is not None
        assert event.detail["interpretation_id"] == reading.id
        # Its appointment is done, and the consent still covers the injection given.
        appointment = story.db.get_one(Appointment, event.detail["appointment_id"])
        assert appointment.status is AppointmentStatus.COMPLETED
        assert procedures.consent_status(story.db, pathway, story.knowledge).state is (
            ConsentState.COMPLETE
        )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"anesthetic": {"agent": "novocaine", "concentration_percent": 1, "volume_ml": 2}},
            "anesthetic.agent",
        ),
        (
            {"anesthetic": {"agent": "lidocaine", "concentration_percent": 0, "volume_ml": 2}},
            "anesthetic.concentration_percent",
        ),
        ({"baseline_pain": 11}, "baseline_pain"),
        (
            {"contrast": {"used": False, "agent": None, "reason_not_used": None}},
            "contrast.reason_not_used",
        ),
        ({"steroid": {"agent": "triamcinolone", "dose_mg": 40}}, "steroid"),
        ({"discharged_at": "2026-03-02T13:30:00-08:00", "driver_present": False}, "driver_present"),
        ({"observation_end": "2026-03-02T11:00:00-08:00"}, "observation_end"),
        ({"performed_at": "2026-03-02T12:00:00"}, "performed_at"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_the_cores_field_errors_name_the_field(
    story: Story, change: dict[str, Any], field: str
) -> None:
    pathway = story.ready(story.pathway())
    with pytest.raises(Invalid) as refused:
        _document(story, pathway.id, procedure_document(performed_at=PROCEDURE_AT) | change)
    assert [e.field for e in refused.value.errors] == [field]
    assert _records(story.db) == 0


def test_the_procedure_must_be_the_consented_kind_side_and_not_in_the_future(
    story: Story,
) -> None:
    pathway = story.ready(story.pathway())
    document = procedure_document(performed_at=AFTER + timedelta(minutes=5), kind=Kind.THERAPEUTIC)
    document["side"] = "right"
    with pytest.raises(Invalid) as refused:
        _document(story, pathway.id, document)
    assert {e.field for e in refused.value.errors} == {"kind", "side", "performed_at"}


def test_one_procedure_per_pathway_and_a_repeated_form_documents_once(story: Story) -> None:
    pathway = story.ready(story.pathway())
    document = procedure_document(performed_at=PROCEDURE_AT)
    first = _document(story, pathway.id, document, idempotency_key="form-1")
    again = _document(story, pathway.id, document, idempotency_key="form-1")
    assert again.id == first.id
    with pytest.raises(Conflict):
        _document(story, pathway.id, document, idempotency_key="form-2")
    assert _records(story.db) == 1


def test_form_errors_are_reported_after_the_access_check(story: Story) -> None:
    pathway = story.ready(story.pathway())
    from sijcare.services.errors import FieldError, msg

    problem = FieldError("baseline_pain", msg("Enter a whole number from 0 to 10."))
    with pytest.raises(Forbidden):
        procedures.document_procedure(
            story.db,
            actor=story.actor("outsider"),
            pathway_id=pathway.id,
            document={},
            knowledge=story.knowledge,
            now=AFTER,
            form_errors=[problem],
        )
    with pytest.raises(Invalid) as refused:
        _document(story, pathway.id, {}, form_errors=[problem])
    # The form's own message first, then the core's for every other field (one each).
    fields = [e.field for e in refused.value.errors]
    assert fields[0] == "baseline_pain" and refused.value.errors[0] == problem
    assert {"kind", "side", "performed_at", "anesthetic", "steroid"} <= set(fields)
    assert len(fields) == len(set(fields))
    # A document the core accepts, with a field the form could not read: that field alone.
    with pytest.raises(Invalid) as form_only:
        _document(
            story, pathway.id, procedure_document(performed_at=PROCEDURE_AT), form_errors=[problem]
        )
    assert form_only.value.errors == (problem,)
    assert _records(story.db) == 0


@pytest.mark.parametrize("who", ["patient", "scheduler", "admin", "outsider"])
def test_only_the_clinics_clinicians_see_consent_and_document(story: Story, who: str) -> None:
    pathway = story.ready(story.pathway())
    actor = story.actor(who)
    with pytest.raises(Forbidden):
        procedures.get_consent(
            story.db, actor=actor, pathway_id=pathway.id, knowledge=story.knowledge, now=NOW
        )
    with pytest.raises(Forbidden):
        procedures.document_procedure(
            story.db,
            actor=actor,
            pathway_id=pathway.id,
            document=procedure_document(performed_at=PROCEDURE_AT),
            knowledge=story.knowledge,
            now=AFTER,
        )


def test_a_stored_consent_with_its_version_in_the_snapshot_is_read(
    story: Story, personas: Personas
) -> None:
    pathway = story.pathway()
    with story.db.begin():
        make_consent_record(story.db, pathway=pathway, agreed_by=personas.patient.user)
    assert _state(story, pathway.id).state is ConsentState.NO_PLAN
