"""The demo clinic loads once, with its people, hours and patients at different stages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare import knowledge
from sijcare.db.models import (
    Appointment,
    AuditEvent,
    Availability,
    Clinic,
    DiaryEntry,
    Pathway,
    Patient,
    User,
)
from sijcare.services import demo, outcomes
from sijcare.services.passwords import Passwords
from sijcare.synth.run import synthesize_into

NOW = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)  # Wednesday 10:00 PST


def count(db: Session, model: type) -> int:
    with db.begin():
        return int(db.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_demo_loads_once_and_lists_its_logins(db: Session) -> None:
    loaded = demo.load_demo(db, now=NOW, passwords=Passwords(fast=True), knowledge=knowledge.load())
    assert loaded.created
    roles = sorted(login.role for login in loaded.logins)
    assert roles.count("patient") == 8 and roles.count("clinician") == 4
    assert roles.count("scheduler") == 1 and roles.count("admin") == 1
    counts = {
        model.__name__: count(db, model)
        for model in (User, Patient, Pathway, Appointment, DiaryEntry, Availability)
    }
    again = demo.load_demo(db, now=NOW, passwords=Passwords(fast=True), knowledge=knowledge.load())
    assert not again.created
    assert again.logins == loaded.logins
    assert {
        model.__name__: count(db, model)
        for model in (User, Patient, Pathway, Appointment, DiaryEntry, Availability)
    } == counts
    # Four patients at the scheduling stages and four brought to clinical stages
    # (services/demo_pathways.py).
    assert counts["Pathway"] == 8 and counts["Appointment"] == 6 and counts["DiaryEntry"] == 29
    with db.begin():
        assert (
            db.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "demo.load")) is not None
        )
        assert (
            db.scalar(sa.select(User.locale).where(User.email == "alex.rivera@example.org")) == "es"
        )


# A Wednesday morning, a Saturday, a Friday evening, and the days the clocks change.
HISTORY_NOWS = (
    NOW,
    datetime(2026, 3, 7, 20, 0, tzinfo=UTC),
    datetime(2026, 6, 12, 23, 30, tzinfo=UTC),
    datetime(2026, 3, 8, 10, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
)


@pytest.mark.parametrize("now", HISTORY_NOWS, ids=lambda n: n.strftime("%Y-%m-%dT%H%M"))
def test_demo_history_is_a_small_synthetic_run_in_the_demo_clinic(
    db: Session, now: datetime
) -> None:
    """The main command's demo: the hand-made patients take times the history left free."""
    rules = knowledge.load()

    def history(clinic_id: int, password_hash: str) -> None:
        synthesize_into(
            db.get_bind(),  # type: ignore[arg-type]
            clinic_id=clinic_id, patients=40, seed=1, now=now,
            knowledge=rules, password_hash=password_hash,
        )  # fmt: skip

    loaded = demo.load_demo(
        db, now=now, passwords=Passwords(fast=True), knowledge=rules, history=history
    )
    # The printed logins stay the hand-made ones.
    assert len(loaded.logins) == 14
    with db.begin():
        clinic_id = db.scalar(sa.select(Clinic.id).where(Clinic.name == demo.DEMO_CLINIC))
        patients = db.scalar(
            sa.select(sa.func.count(Patient.id)).where(Patient.clinic_id == clinic_id)
        )
        assert patients == 48 and db.scalar(sa.select(sa.func.count(Clinic.id))) == 1
        # Every appointment is the demo clinic's, at one of its locations.
        assert set(db.scalars(sa.select(Appointment.clinic_id))) == {clinic_id}
        figures = outcomes.compute(
            db, by=None, where=outcomes.OutcomeFilter(), knowledge=rules, now=now
        )
    assert figures.total.procedures > 8
