"""Planning reminders from the pathway's state: what is queued, when, and what it says.

The procedure is on Tuesday 10 March 2026 at 08:00 PDT; its reminder is due on Monday 9
March at 17:00 PDT (`reminders.day_before_local_time`). The patient lists Eliquis and
the clinician confirmed a hold, so the core dates a last dose; moderate sedation gives
fasting times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import make_appointment, make_patient
from factories.clinical import make_diary_entry, make_documented
from factories.reminders import (
    PLANNED_AT,
    PROCEDURE_AT,
    make_outbox_message,
    make_reminder_preference,
    prepared_pathway,
)
from factories.workspace import Story
from fixtures_db import Personas
from sijcare.db.enums import AppointmentKind, AppointmentMode, AppointmentStatus
from sijcare.db.models import Appointment, OutboxMessage, Patient, ProcedureRecord
from sijcare.db.models.outbox_message import OutboxStatus, ReminderKind
from sijcare.db.models.reminder_preference import DetailLevel
from sijcare.domain.knowledge import Knowledge
from sijcare.knowledge import apply_overrides
from sijcare.services import outbox, reminders
from sijcare.services.actor import Actor
from sijcare.web.i18n import translations

DUE = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)


def patient_of(personas: Personas) -> Patient:
    patient = personas.patient.patient
    assert patient is not None
    return patient


def messages(db: Session) -> list[OutboxMessage]:
    with db.begin():
        rows = list(db.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
    db.expunge_all()
    return rows


def plan(db: Session, knowledge: Knowledge, now: datetime = PLANNED_AT) -> outbox.PlanReport:
    return outbox.plan(db, knowledge=knowledge, now=now)


def prefer(db: Session, personas: Personas, detail: DetailLevel, **more: object) -> None:
    make_reminder_preference(
        db, patient=patient_of(personas), updated_by=personas.patient.user, detail=detail, **more
    )


def test_the_day_before_reminder_is_queued_once(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    prepared_pathway(Story(db, personas, knowledge))
    assert plan(db, knowledge) == outbox.PlanReport(queued=1)
    assert plan(db, knowledge, PLANNED_AT + timedelta(hours=1)) == outbox.PlanReport()
    (message,) = messages(db)
    assert message.kind is ReminderKind.DAY_BEFORE
    assert (message.due_at, message.next_attempt_at, message.expires_at) == (
        DUE,
        DUE,
        PROCEDURE_AT,
    )
    assert (message.to_address, message.locale, message.status) == (
        "patient@example.org",
        "en",
        OutboxStatus.QUEUED,
    )


# What each level of detail may say. The subject never says more than the day.
LEVELS = [
    pytest.param(
        DetailLevel.MINIMAL,
        ["with Westside Spine Clinic on Tuesday, March 10, 2026 8:00", "Place: Westside Main"],
        ["arrive", "drive", "eat", "medicine", "Eliquis", "SI joint", "Dr. Casey"],
        id="minimal",
    ),
    pytest.param(
        DetailLevel.STANDARD,
        [
            "Please arrive by 7:30",
            "Bring a photo ID and your insurance card.",
            "Come with an adult who will drive you home.",
            # Food stops at midnight before an 8:00 visit: both days are named.
            "Do not eat anything after midnight between Monday, March 9, 2026 and Tuesday,"
            " March 10, 2026.",
            "You may drink clear liquids",
            "Your care team gave you steps for some of your medicines.",
        ],
        ["Eliquis", "SI joint", "Dr. Casey"],
        id="standard",
    ),
    pytest.param(
        DetailLevel.FULL,
        [
            "The appointment is for your SI joint injection, with Dr. Casey Clinician.",
            "Please arrive by 7:30",
            "Do not eat anything after",
            "Last dose of Eliquis 5 mg before your procedure",
        ],
        ["Start Eliquis", "some of your medicines"],
        id="full",
    ),
]


@pytest.mark.parametrize(("detail", "says", "never"), LEVELS)
def test_a_reminder_says_only_what_the_patient_chose(
    db: Session,
    personas: Personas,
    knowledge: Knowledge,
    detail: DetailLevel,
    says: list[str],
    never: list[str],
) -> None:
    prepared_pathway(Story(db, personas, knowledge))
    prefer(db, personas, detail)
    plan(db, knowledge)
    (message,) = messages(db)
    assert message.subject == "Reminder: your appointment on Tuesday, March 10, 2026"
    for text in says:
        assert text in message.body, text
    for text in never:
        assert text not in message.body, text
    assert "call the clinic at +1 310-555-0100" in message.body


def test_no_medicine_step_before_a_clinician_confirmed_the_hold(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    prepared_pathway(Story(db, personas, knowledge), hold=False)
    prefer(db, personas, DetailLevel.FULL)
    plan(db, knowledge)
    (message,) = messages(db)
    assert "Eliquis" not in message.body
    assert "Do not eat anything after" in message.body


def test_the_clinic_default_is_minimal_and_a_clinic_may_change_it(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    prepared_pathway(Story(db, personas, knowledge))
    plan(db, knowledge)
    (message,) = messages(db)
    assert "arrive" not in message.body
    standard = apply_overrides(knowledge, {"reminders.default_detail": "standard"})
    assert plan(db, standard) == outbox.PlanReport(updated=1)
    (message,) = messages(db)
    assert "Please arrive by 7:30" in message.body


def test_a_moved_appointment_gets_a_new_reminder_and_a_cancelled_one_none(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    pathway = prepared_pathway(Story(db, personas, knowledge))
    plan(db, knowledge)
    with db.begin():
        appointment = db.scalar(sa.select(Appointment).where(Appointment.pathway_id == pathway.id))
        assert appointment is not None
        appointment.starts_at += timedelta(days=1)
        appointment.ends_at += timedelta(days=1)
    assert plan(db, knowledge) == outbox.PlanReport(queued=1, cancelled=1)
    old, new = messages(db)
    assert (old.status, old.reason) == (OutboxStatus.CANCELLED, "no_longer_needed")
    assert new.due_at == DUE + timedelta(days=1)
    with db.begin():
        appointment = db.scalar(sa.select(Appointment).where(Appointment.pathway_id == pathway.id))
        assert appointment is not None
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = PLANNED_AT
        appointment.cancelled_by = personas.scheduler.user.id
    assert plan(db, knowledge) == outbox.PlanReport(cancelled=1)
    assert [m.status for m in messages(db)] == [OutboxStatus.CANCELLED] * 2


def test_turning_reminders_off_cancels_the_queue_and_on_again_restores_it(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story = Story(db, personas, knowledge)
    prepared_pathway(story)
    plan(db, knowledge)
    patient = story.actor("patient")
    off = reminders.PreferenceChoice(email_opt_in=False, detail=DetailLevel.STANDARD)
    _choose(db, patient, off, knowledge)
    (message,) = messages(db)
    assert (message.status, message.reason) == (OutboxStatus.CANCELLED, "opted_out")
    assert plan(db, knowledge) == outbox.PlanReport()
    on = reminders.PreferenceChoice(email_opt_in=True, detail=DetailLevel.STANDARD)
    _choose(db, patient, on, knowledge)
    assert plan(db, knowledge) == outbox.PlanReport(updated=1)
    (message,) = messages(db)
    assert (message.status, message.reason) == (OutboxStatus.QUEUED, "")
    assert "Please arrive by" in message.body


def _choose(
    db: Session, actor: Actor, choice: reminders.PreferenceChoice, knowledge: Knowledge
) -> None:
    assert actor.patient_public_id is not None
    reminders.update_preferences(
        db,
        actor=actor,
        public_id=actor.patient_public_id,
        choice=choice,
        knowledge=knowledge,
        now=PLANNED_AT,
    )


def test_a_patient_without_an_account_gets_no_reminder(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    practitioner = personas.clinician.practitioner
    assert practitioner is not None
    with db.begin():
        walk_in = make_patient(db, clinic=personas.clinic)
        make_appointment(
            db,
            patient=walk_in,
            practitioner=practitioner,
            location=personas.location,
            created_by=personas.scheduler.user,
            starts_at=PROCEDURE_AT,
        )
    assert plan(db, knowledge) == outbox.PlanReport()
    assert messages(db) == []


def test_a_follow_up_video_visit_gets_its_own_reminder_in_the_patients_language(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    practitioner = personas.clinician.practitioner
    assert practitioner is not None
    with db.begin():
        make_appointment(
            db,
            patient=patient_of(personas),
            practitioner=practitioner,
            location=personas.location,
            created_by=personas.scheduler.user,
            starts_at=PROCEDURE_AT,
            kind=AppointmentKind.FOLLOW_UP,
            mode=AppointmentMode.VIRTUAL,
        )
        user = db.merge(personas.patient.user)
        user.locale = "es"
    prefer(db, personas, DetailLevel.FULL)
    outbox.plan(db, knowledge=knowledge, now=PLANNED_AT, translations=translations)
    (message,) = messages(db)
    assert message.kind is ReminderKind.FOLLOW_UP
    assert message.locale == "es"
    assert message.subject.startswith("Recordatorio")
    assert "martes, 10 de marzo de 2026" in message.body
    assert "Dr. Casey Clinician" in message.body


# -- diary prompts ----------------------------------------------------------------------------

# A diagnostic block with lidocaine (4 h window) at 08:00 PST on Monday 2 March.
INJECTED = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def documented(db: Session, personas: Personas, at: datetime = INJECTED) -> int:
    record = make_documented(
        db, patient=patient_of(personas), clinician=personas.clinician.user, performed_at=at
    )
    return record.id


def test_each_open_diary_prompt_is_queued_at_its_time(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    documented(db, personas)
    prefer(db, personas, DetailLevel.FULL)
    now = INJECTED + timedelta(minutes=10)
    assert plan(db, knowledge, now) == outbox.PlanReport(queued=8)
    prompts = messages(db)
    assert {m.kind for m in prompts} == {ReminderKind.DIARY_PROMPT}
    assert [m.due_at - INJECTED for m in prompts[:5]] == [
        timedelta(minutes=m) for m in (15, 30, 60, 120, 240)
    ]
    assert prompts[5].due_at == datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # day 1, 18:00 PST
    assert "15 minutes after the injection" in prompts[0].body
    assert prompts[0].subject == "A reminder from Westside Spine Clinic"
    assert "write down your pain score" in prompts[0].body


def test_an_answered_prompt_is_not_sent(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    record_id = documented(db, personas)
    now = INJECTED + timedelta(minutes=10)
    plan(db, knowledge, now)
    with db.begin():
        record = db.get(ProcedureRecord, record_id)
        assert record is not None
        make_diary_entry(
            db,
            procedure=record,
            created_by=personas.patient.user,
            recorded_at=INJECTED + timedelta(minutes=14),
        )
    assert plan(db, knowledge, now + timedelta(minutes=4)) == outbox.PlanReport(cancelled=1)
    first = messages(db)[0]
    assert (first.status, first.reason) == (OutboxStatus.CANCELLED, "no_longer_needed")


def test_a_clinic_may_leave_out_the_prompts_inside_the_window(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    documented(db, personas)
    daily_only = apply_overrides(knowledge, {"reminders.diary_window_prompts": False})
    assert plan(db, daily_only, INJECTED + timedelta(minutes=10)) == outbox.PlanReport(queued=3)


def test_a_prompt_whose_answer_window_closes_in_the_quiet_hours_is_dropped(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    # Injected at 18:00 PST: the 4 h prompt (22:00) is in the quiet hours (21:00-08:00)
    # and its answer window closes at 08:00 the next day, when they end.
    evening = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    documented(db, personas, at=evening)
    plan(db, knowledge, evening + timedelta(minutes=5))
    offsets = [m.due_at - evening for m in messages(db)]
    assert timedelta(hours=4) not in offsets
    assert timedelta(hours=2) in offsets  # 20:00, before the quiet hours


def test_a_reminder_another_worker_queued_first_is_not_queued_again(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    prepared_pathway(Story(db, personas, knowledge))
    other = personas.other_patient.patient
    assert other is not None
    key = f"day_before:appointment:{_appointment_id(db)}:20260310T1500Z"
    make_outbox_message(
        db, patient=other, idempotency_key=key, status=OutboxStatus.SENT, sent_at=PLANNED_AT
    )
    assert plan(db, knowledge) == outbox.PlanReport()
    assert len(messages(db)) == 1


def _appointment_id(db: Session) -> int:
    with db.begin():
        found = db.scalar(sa.select(Appointment.id))
    assert found is not None
    return found
