"""Reading diaries again: after a knowledge version change, and for rows stored without
query columns (before migration 0004).

A procedure needs a new reading when its current interpretation was computed with
another knowledge version or has no query columns yet (`clinic_id` is NULL), or when it
has no interpretation at all. `reinterpret_stale` reads each such diary with the
diary service's own `reinterpret` (the same code a new diary entry runs), in batches of
one transaction each, and audits every new interpretation as the system's action
(`interpretation.recompute`, no user). Procedures are taken in id order, so a run that
stops part way is continued by the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.models import Interpretation, ProcedureRecord
from sijcare.domain.knowledge import Knowledge
from sijcare.services import audit, diary

Progress = Callable[[int], None]


def stale_query(knowledge: Knowledge) -> sa.Select[Any]:
    """The ids of the procedures whose diary must be read again, in id order."""
    current = (
        sa.select(Interpretation.id)
        .where(
            Interpretation.procedure_id == ProcedureRecord.id,
            sa.literal_column("interpretation.current"),
            Interpretation.knowledge_version == knowledge.version,
            Interpretation.clinic_id.is_not(None),
        )
        .exists()
    )
    return sa.select(ProcedureRecord.id).where(~current).order_by(ProcedureRecord.id)


def count_stale(db: Session, knowledge: Knowledge) -> int:
    with db.begin():
        subquery = stale_query(knowledge).order_by(None).subquery()
        return int(db.scalar(sa.select(sa.func.count()).select_from(subquery)) or 0)


def reinterpret_stale(
    db: Session,
    *,
    knowledge: Knowledge,
    now: datetime,
    batch_size: int = 200,
    progress: Progress | None = None,
    limit: int | None = None,
) -> int:
    """Read every stale diary again (see the module docstring), or the first `limit` of
    them; the number read."""
    done, after = 0, 0
    while limit is None or done < limit:
        size = batch_size if limit is None else min(batch_size, limit - done)
        with db.begin():
            ids: list[int] = list(
                db.scalars(stale_query(knowledge).where(ProcedureRecord.id > after).limit(size))
            )
            for procedure_id in ids:
                _reinterpret(db, procedure_id, knowledge, now)
        if not ids:
            return done
        after, done = ids[-1], done + len(ids)
        if progress is not None:
            progress(len(ids))
    return done


def _reinterpret(db: Session, procedure_id: int, knowledge: Knowledge, now: datetime) -> None:
    record = db.get(ProcedureRecord, procedure_id)
    assert record is not None  # just selected, in this transaction
    row = diary.reinterpret(db, record, knowledge, now)
    audit.record_system(
        db,
        action="interpretation.recompute",
        at=now,
        clinic_id=row.clinic_id,
        target_type="interpretation",
        target_id=row.id,
        patient_id=row.patient_id,
        detail={"procedure_id": procedure_id, "knowledge_version": knowledge.version},
    )
