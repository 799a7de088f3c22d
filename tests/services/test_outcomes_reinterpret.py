"""`reinterpret_stale`: diaries read with another knowledge version are read again, once."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from factories import password_hash
from sijcare.db.models import AuditEvent, Interpretation
from sijcare.domain.knowledge import Knowledge
from sijcare.services import reinterpret
from sijcare.synth.run import synthesize

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def test_stale_readings_are_read_again_once(
    engine: Engine, db: Session, knowledge: Knowledge
) -> None:
    synthesize(
        engine, clinics=1, patients=10, seed=4, now=NOW, knowledge=knowledge,
        password_hash=password_hash(),
    )  # fmt: skip
    with db.begin():
        first = db.scalar(sa.select(sa.func.min(Interpretation.procedure_id)))
        db.execute(
            sa.update(Interpretation)
            .where(Interpretation.procedure_id == first)
            .values(knowledge_version="2000.1.1")
        )
        db.execute(
            sa.update(Interpretation)
            .where(Interpretation.procedure_id == first + 1)
            .values(clinic_id=None)
        )
    assert reinterpret.count_stale(db, knowledge) == 2
    assert reinterpret.reinterpret_stale(db, knowledge=knowledge, now=NOW, batch_size=1) == 2
    assert reinterpret.count_stale(db, knowledge) == 0
    assert reinterpret.reinterpret_stale(db, knowledge=knowledge, now=NOW) == 0
    with db.begin():
        current = db.scalars(
            sa.select(Interpretation).where(
                Interpretation.procedure_id.in_([first, first + 1]),
                sa.literal_column("interpretation.current"),
            )
        ).all()
        events = db.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "interpretation.recompute")
        ).all()
    assert {row.knowledge_version for row in current} == {knowledge.version}
    assert all(row.clinic_id is not None for row in current)
    assert sorted(e.detail["procedure_id"] for e in events) == [first, first + 1]
    assert all(e.actor_role == "system" and e.patient_id is not None for e in events)
