"""Interpretations: the database keeps the time from referral to injection (triggers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import make_pathway
from factories.clinical import PERFORMED, make_procedure_record
from fixtures_db import Personas
from sijcare.db.enums import Kind
from sijcare.db.models import Interpretation, ProcedureRecord

WAITED = timedelta(days=20, hours=6)
RESULT = {
    "performed_at": PERFORMED.isoformat(),
    "anesthetic": "lidocaine",
    "classification": "positive",
    "provenance": {"inputs": {"side": "left", "scores": 8}},
}
TABLE = Interpretation.__table__


def _procedure(db: Session, personas: Personas) -> ProcedureRecord:
    assert personas.patient.patient is not None
    pathway = make_pathway(
        db, patient=personas.patient.patient, opened_by=personas.clinician.user,
        kind=Kind.DIAGNOSTIC, opened_at=PERFORMED - WAITED,
    )  # fmt: skip
    return make_procedure_record(db, pathway=pathway, documented_by=personas.clinician.user)


def _stored(db: Session, procedure_id: int) -> Any:
    return db.scalar(sa.select(TABLE.c.referral_days).where(TABLE.c.procedure_id == procedure_id))


@pytest.mark.parametrize(("result", "days"), [(RESULT, 20.25), ({"error": {"message": "x"}}, None)])
def test_an_orm_insert_gets_the_referral_days(
    db: Session, personas: Personas, result: dict[str, Any], days: float | None
) -> None:
    with db.begin():
        record = _procedure(db, personas)
        db.add(
            Interpretation(
                procedure_id=record.id,
                kind="diagnostic",
                result=result,
                classification="positive",
                knowledge_version="test",
                computed_at=PERFORMED,
            )  # fmt: skip
        )
        db.flush()
        stored = _stored(db, record.id)
    assert stored == (None if days is None else pytest.approx(days))


def test_a_bulk_insert_and_a_changed_time_get_the_referral_days(
    db: Session, personas: Personas
) -> None:
    # As the synth writes: no ORM, the column left NULL by the writer.
    with db.begin():
        record = _procedure(db, personas)
        row = {
            "procedure_id": record.id, "kind": "diagnostic", "result": RESULT,
            "classification": "positive", "knowledge_version": "test",
            "computed_at": PERFORMED, "referred_at": PERFORMED - WAITED,
            "performed_at": PERFORMED, "referral_days": None,
        }  # fmt: skip
        db.execute(sa.insert(TABLE), [row])
        inserted = _stored(db, record.id)
        db.execute(
            sa.update(TABLE)
            .where(TABLE.c.procedure_id == record.id)
            .values(performed_at=datetime(2026, 3, 3, 4, 0, tzinfo=UTC))
        )
        updated = _stored(db, record.id)
    assert (inserted, updated) == (pytest.approx(20.25), pytest.approx(20.75))
