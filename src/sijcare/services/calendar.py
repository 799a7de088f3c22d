"""A patient's calendar file (.ics): appointments, screening steps and diary prompts.

`patient_calendar` gathers everything the core dated for the patient: every appointment
(cancelled ones too, so an import removes them), the steps of each active pathway's
newest screening result while it still matches the booked procedure time (fasting, a
blood-thinner's last dose and restart once a clinician confirmed the hold), and the
diary prompts of each documented procedure on an active pathway. `appointment_calendar`
is one appointment alone. Both are written in the clinic's time zone by
`sijcare.interop.calendar`, and say as much as the detail level allows (the patient's
own choice unless the request names one; see `sijcare.services.reminder_texts`).

Access: the whole calendar holds clinical steps, so the patient or a clinician of their
clinic; one appointment, the patient or any staff of their clinic. Every download is
audited with the counts of what it held.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import AppointmentKind, PathwayStatus
from sijcare.db.models import Appointment, Clinic, Pathway, Patient
from sijcare.db.models.reminder_preference import DetailLevel
from sijcare.domain.knowledge import Knowledge
from sijcare.interop import calendar as ical
from sijcare.services import audit, care_dates, patients, reminders
from sijcare.services.actor import Actor
from sijcare.services.errors import NotFound, msg
from sijcare.services.reminder_texts import CalendarWords, Translations, Wording
from sijcare.services.reminder_texts import Clinic as ClinicWords


@dataclass(frozen=True)
class CalendarFile:
    content: bytes
    filename: str
    entries: int
    detail: DetailLevel


@dataclass(frozen=True)
class Reader:
    """Who reads the file: their language and time zone (the words' only inputs)."""

    locale: str
    zone: str
    translations: Translations


@dataclass(frozen=True)
class _Setup:
    """What every entry of one file shares."""

    detail: DetailLevel
    words: CalendarWords
    domain: str  # the right-hand side of the UIDs
    zone: str  # the clinic's time zone, the files' TZID
    clinic: str


def patient_calendar(
    db: Session,
    *,
    actor: Actor,
    public_id: str,
    knowledge: Knowledge,
    reader: Reader,
    now: datetime,
    detail: DetailLevel | None = None,
) -> CalendarFile:
    """Every dated item of the patient's care (the patient or their clinicians)."""
    with db.begin():
        patient = patients.load(db, actor, public_id, clinical=True)
        rows = db.scalars(
            sa.select(Appointment)
            .where(Appointment.patient_id == patient.id)
            .order_by(Appointment.starts_at, Appointment.id)
        ).all()
        setup = _setup(db, patient, rows, knowledge, reader, detail)
        visits = _visits(db, rows, setup, knowledge)
        steps = _steps(db, patient, setup)
        prompts = _prompts(db, patient, setup, knowledge)
        counts = {"appointments": len(visits), "steps": len(steps), "prompts": len(prompts)}
        _audit(db, actor, patient, now, {**counts, "detail": setup.detail.value})
    return _file([*visits, *steps, *prompts], setup, now, "sijcare-calendar.ics")


def appointment_calendar(
    db: Session,
    *,
    actor: Actor,
    appointment_id: int,
    knowledge: Knowledge,
    reader: Reader,
    now: datetime,
    detail: DetailLevel | None = None,
) -> CalendarFile:
    """One appointment (the patient or the staff of their clinic)."""
    with db.begin():
        row = db.get(Appointment, appointment_id)
        if row is None:
            raise NotFound(msg("There is no such appointment."))
        patient = patients.load_by_id(db, actor, row.patient_id)
        setup = _setup(db, patient, [row], knowledge, reader, detail)
        visits = _visits(db, [row], setup, knowledge)
        _audit(db, actor, patient, now, {"appointments": 1, "detail": setup.detail.value})
    return _file(visits, setup, now, f"appointment-{row.id}.ics")


def _setup(
    db: Session,
    patient: Patient,
    rows: Sequence[Appointment],
    knowledge: Knowledge,
    reader: Reader,
    detail: DetailLevel | None,
) -> _Setup:
    clinic = db.get(Clinic, patient.clinic_id)
    assert clinic is not None
    if detail is None:
        row = reminders.preference_row(db, patient.id)
        detail = reminders.preferences_of(row, knowledge).detail
    lead = timedelta(minutes=knowledge.number("instructions.arrive_minutes_before"))
    words = CalendarWords(
        wording=Wording.of(reader.locale, reader.zone, reader.translations),
        detail=detail,
        clinic=ClinicWords.of(clinic.name, knowledge),
        arrivals={a.id: a.starts_at - lead for a in rows if a.kind is AppointmentKind.PROCEDURE},
        driver_required=knowledge.flag("driver.required"),
    )
    return _Setup(
        detail, words, f"clinic{clinic.id}.sijcare.invalid", clinic.time_zone, clinic.name
    )


def _visits(
    db: Session, rows: Sequence[Appointment], setup: _Setup, knowledge: Knowledge
) -> list[ical.Entry]:
    alarm = timedelta(minutes=knowledge.number("reminders.calendar_appointment_alarm_minutes"))
    visits = [care_dates.visit_of(db, row) for row in rows]
    return ical.visit_entries(visits, setup.words, domain=setup.domain, alarm_before=alarm)


def _steps(db: Session, patient: Patient, setup: _Setup) -> list[ical.Entry]:
    pathways = db.scalars(
        sa.select(Pathway.id)
        .where(Pathway.patient_id == patient.id, Pathway.status == PathwayStatus.ACTIVE)
        .order_by(Pathway.id)
    )
    return [
        entry
        for pathway_id in pathways
        for entry in ical.action_entries(
            care_dates.screening_steps(db, pathway_id),
            setup.words,
            domain=setup.domain,
            pathway_id=pathway_id,
        )
    ]


def _prompts(
    db: Session, patient: Patient, setup: _Setup, knowledge: Knowledge
) -> list[ical.Entry]:
    return [
        entry
        for record in care_dates.active_procedures(db, patient.id)
        for entry in ical.prompt_entries(
            care_dates.procedure_prompts(record, knowledge),
            setup.words,
            domain=setup.domain,
            procedure_id=record.id,
        )
    ]


def _file(entries: list[ical.Entry], setup: _Setup, now: datetime, filename: str) -> CalendarFile:
    content = ical.calendar_bytes(entries, zone=setup.zone, stamp=now, name=setup.clinic)
    return CalendarFile(content, filename, len(entries), setup.detail)


def _audit(
    db: Session, actor: Actor, patient: Patient, now: datetime, detail: dict[str, object]
) -> None:
    audit.record(
        db,
        actor=actor,
        action="calendar.export",
        at=now,
        target_type="patient",
        target_id=patient.public_id,
        patient_id=patient.id,
        detail=detail,
    )
