"""The demo clinic loads once, with its people, hours and patients at different stages."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare import knowledge
from sijcare.db.models import (
    Appointment,
    AuditEvent,
    Availability,
    DiaryEntry,
    Pathway,
    Patient,
    User,
)
from sijcare.services import demo
from sijcare.services.passwords import Passwords

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
