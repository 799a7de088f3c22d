"""Symptom reports: the core's answer, what is stored for the inbox, and a failed store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from factories import actor_of
from factories.clinical import PERFORMED, make_documented
from fixtures_db import Personas
from sijcare.db.models import AuditEvent, SymptomReport
from sijcare.domain.knowledge import Knowledge
from sijcare.services import triage
from sijcare.services.errors import Conflict, Forbidden, Invalid

# Monday 2 March 2026, 10:00 PST: two hours after the injection, the help line is open.
NOW = PERFORMED + timedelta(hours=2)


@pytest.fixture
def procedure_id(db: Session, personas: Personas) -> int:
    assert personas.patient.patient is not None
    record = make_documented(
        db, patient=personas.patient.patient, clinician=personas.clinician.user
    )
    return record.id


def report(
    db: Session, personas: Personas, procedure_id: int, knowledge: Knowledge, **symptoms: Any
) -> triage.TriageOutcome:
    return triage.report_symptoms(
        db,
        actor=actor_of(db, personas.patient.user.id),
        procedure_id=procedure_id,
        symptoms=symptoms,
        knowledge=knowledge,
        now=NOW,
    )


@pytest.mark.parametrize(
    ("symptoms", "disposition", "number_rule"),
    [
        pytest.param({"trouble_breathing": True}, "emergency", "clinic.emergency_phone", id="er"),
        pytest.param({"temperature_f": 101.5}, "call_now", "clinic.help_line_phone", id="fever"),
        pytest.param({"hives": True}, "call_soon", "clinic.help_line_phone", id="hives"),
        pytest.param({"soreness_at_site": True}, "expected", "clinic.help_line_phone", id="sore"),
    ],
)
def test_the_report_and_its_disposition_are_stored_for_the_clinicians(
    db: Session,
    personas: Personas,
    procedure_id: int,
    knowledge: Knowledge,
    symptoms: dict[str, Any],
    disposition: str,
    number_rule: str,
) -> None:
    outcome = report(db, personas, procedure_id, knowledge, **symptoms)
    assert outcome.stored and outcome.advice.disposition == disposition
    assert outcome.advice.contact_number == knowledge.text(number_rule)
    with db.begin():
        row = db.get(SymptomReport, outcome.report_id)
        assert row is not None
        inbox = db.scalars(
            sa.select(SymptomReport.id).where(SymptomReport.disposition != "expected")
        ).all()
        event = db.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "symptom_report.create")
        ).one()
    assert row.disposition == disposition
    assert row.result["disposition"] == disposition
    converted = {"temperature_c"} if "temperature_f" in symptoms else set(symptoms)
    assert set(row.report["symptoms"]) == converted
    assert row.knowledge_version == knowledge.version and row.procedure_id == procedure_id
    assert (row.id in inbox) == (disposition != "expected")
    assert event.target_id == str(row.id) and "101.5" not in str(event.detail)


def test_the_patient_reads_no_clinician_rationale(
    db: Session, personas: Personas, procedure_id: int, knowledge: Knowledge
) -> None:
    outcome = report(db, personas, procedure_id, knowledge, weakness_both_legs=True)
    rationale = outcome.result.reasons[0].rationale
    assert rationale not in " ".join(outcome.advice.reasons + outcome.advice.what_to_do)
    assert outcome.advice.is_emergency


def test_if_storing_fails_the_patient_still_gets_the_answer_and_the_clinic_number(
    db: Session,
    personas: Personas,
    procedure_id: int,
    knowledge: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(triage.audit, "record", broken)
    outcome = report(db, personas, procedure_id, knowledge, site_redness=True)
    assert not outcome.stored and outcome.report_id is None
    assert outcome.advice.disposition == "call_now"
    assert outcome.clinic.number == knowledge.text("clinic.help_line_phone")
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(SymptomReport)) == 0


@pytest.mark.parametrize(
    ("symptoms", "field"),
    [
        pytest.param({"temperature_c": 45.5}, "temperature_c", id="celsius-out-of-range"),
        pytest.param({"temperature_f": 38.0}, "temperature_f", id="celsius-typed-as-fahrenheit"),
        pytest.param({"blood_sugar_mmol_l": 300.0}, "blood_sugar_mmol_l", id="sugar-unit"),
        pytest.param({"pain": 12}, "pain", id="pain"),
        pytest.param({"fever": True}, "fever", id="unknown-question"),
    ],
)
def test_bad_readings_are_refused_with_the_field_and_nothing_is_stored(
    db: Session,
    personas: Personas,
    procedure_id: int,
    knowledge: Knowledge,
    symptoms: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(Invalid) as refused:
        report(db, personas, procedure_id, knowledge, **symptoms)
    assert [e.field for e in refused.value.errors] == [field]
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(SymptomReport)) == 0


def test_a_report_before_the_injection_is_a_conflict(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    assert personas.patient.patient is not None
    later = make_documented(
        db,
        patient=personas.patient.patient,
        clinician=personas.clinician.user,
        performed_at=NOW + timedelta(days=1),
    )
    with pytest.raises(Conflict):
        report(db, personas, later.id, knowledge, pain=3)


@pytest.mark.parametrize("who", ["clinician", "other_patient", "outsider", "admin"])
def test_only_the_patient_reports(
    db: Session, personas: Personas, procedure_id: int, knowledge: Knowledge, who: str
) -> None:
    with pytest.raises(Forbidden):
        triage.report_symptoms(
            db,
            actor=actor_of(db, personas[who].user.id),
            procedure_id=procedure_id,
            symptoms={"pain": 3},
            knowledge=knowledge,
            now=NOW,
        )


def test_a_stored_report_is_read_by_the_patient_and_clinicians_only(
    db: Session, personas: Personas, procedure_id: int, knowledge: Knowledge
) -> None:
    outcome = report(db, personas, procedure_id, knowledge, hives=True)
    assert outcome.report_id is not None
    for who in ("patient", "clinician"):
        stored = triage.get_report(
            db, actor=actor_of(db, personas[who].user.id), report_id=outcome.report_id, now=NOW
        )
        assert stored.advice == outcome.advice
    for who in ("other_patient", "outsider", "scheduler"):
        with pytest.raises(Forbidden):
            triage.get_report(
                db,
                actor=actor_of(db, personas[who].user.id),
                report_id=outcome.report_id,
                now=NOW,
            )
