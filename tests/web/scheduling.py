"""Helpers for the scheduling web tests: a clinician with Monday hours, and slot times."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy.orm import Session

from factories import detach, make_availability
from fixtures_db import Personas

# Monday 9 March 2026 (after the spring change): 09:00 PDT is 16:00 UTC.
MONDAY_9 = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)


def with_monday_hours(db: Session, personas: Personas) -> int:
    """Give the treating clinician Mondays 09:00-12:00 at the location; their practitioner id."""
    practitioner = personas.clinician.practitioner
    assert practitioner is not None
    make_availability(
        db,
        practitioner=practitioner,
        location=personas.location,
        weekday=0,
        start_local=time(9, 0),
        end_local=time(12, 0),
    )
    detach(db)
    return practitioner.id


def booking(
    personas: Personas, starts_at: datetime = MONDAY_9, **extra: object
) -> dict[str, object]:
    practitioner = personas.clinician.practitioner
    assert practitioner is not None
    return {
        "practitioner_id": practitioner.id,
        "location_id": personas.location.id,
        "starts_at": starts_at.isoformat(),
        "kind": "follow_up",
        "mode": "in_person",
        **extra,
    }
