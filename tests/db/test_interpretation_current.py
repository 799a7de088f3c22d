"""Interpretations: one current row per procedure (a trigger), and the query columns filled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from factories import make_pathway
from factories.clinical import PERFORMED, make_procedure_record
from fixtures_db import Personas
from sijcare.db.enums import Kind
from sijcare.db.models import Interpretation, ProcedureRecord

THERAPEUTIC = {
    "performed_at": "2026-03-02T08:00:00-08:00",
    "anesthetic": "lidocaine",
    "steroid": "triamcinolone",
    "baseline_pain": 7,
    "milestones": {"2w": 57.1, "6w": 42.9, "3m": None},
    "responders": {"2w": True, "6w": False, "3m": None},
    "sustained_relief_weeks": {"at_least": 3.5, "less_than": 5.0},
    "flare_detected": False,
    "onset_day": 3,
    "anesthetic_peak_relief_percent": 85.7,
    "provenance": {"inputs": {"side": "left", "scores": 21}},
}


def _procedure(db: Session, personas: Personas) -> ProcedureRecord:
    assert personas.patient.patient is not None
    pathway = make_pathway(
        db, patient=personas.patient.patient, opened_by=personas.clinician.user,
        kind=Kind.THERAPEUTIC, opened_at=PERFORMED - timedelta(days=20),
    )  # fmt: skip
    return make_procedure_record(db, pathway=pathway, documented_by=personas.clinician.user)


def _interpretation(record: ProcedureRecord, at: datetime) -> Interpretation:
    return Interpretation(
        procedure_id=record.id, kind="therapeutic", result=THERAPEUTIC,
        classification="6w:non_responder", knowledge_version="test", computed_at=at,
    )  # fmt: skip


def test_a_new_interpretation_supersedes_the_current_one(db: Session, personas: Personas) -> None:
    at = datetime(2026, 3, 20, tzinfo=UTC)
    with db.begin():
        record = _procedure(db, personas)
        first, second = _interpretation(record, at), _interpretation(record, at + timedelta(1))
        db.add(first)
        db.flush()
        db.add(second)
        db.flush()
    with db.begin():
        current = db.scalars(
            sa.select(Interpretation.id).where(
                Interpretation.procedure_id == record.id, Interpretation.current
            )
        ).all()
    assert current == [second.id]


def test_query_columns_come_from_the_result_and_the_records(
    db: Session, personas: Personas
) -> None:
    with db.begin():
        record = _procedure(db, personas)
        row = _interpretation(record, datetime(2026, 3, 20, tzinfo=UTC))
        db.add(row)
        db.flush()
    assert personas.patient.patient is not None
    assert (row.clinic_id, row.patient_id) == (personas.clinic.id, personas.patient.patient.id)
    assert row.physician == "Dr. Casey Clinician"
    assert row.referred_at == PERFORMED - timedelta(days=20)
    assert (row.performed_month, row.side, row.steroid) == ("2026-03", "left", "triamcinolone")
    assert (row.responder_2w, row.responder_6w, row.responder_3m) == (True, False, None)
    assert (row.sustained_at_least_weeks, row.flare, row.scores) == (3.5, False, 21)


def test_two_current_rows_of_one_procedure_are_refused(db: Session, personas: Personas) -> None:
    with db.begin():
        record = _procedure(db, personas)
        db.add(_interpretation(record, datetime(2026, 3, 20, tzinfo=UTC)))
    with pytest.raises(IntegrityError), db.begin():
        db.execute(
            sa.update(Interpretation)
            .where(Interpretation.procedure_id == record.id)
            .values(current=True)
        )
        db.add(_interpretation(record, datetime(2026, 3, 21, tzinfo=UTC)))
        db.flush()
        db.execute(sa.update(Interpretation).values(current=True))
