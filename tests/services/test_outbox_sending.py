"""Sending reminders through a real SMTP server (aiosmtpd on 127.0.0.1, in a thread).

A message counts as sent only when the server accepted it; a refusal is retried with a
growing wait and then shown as failed; the quiet hours and the patient's opt-out are
checked again just before sending.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.reminders import (
    PLANNED_AT,
    PROCEDURE_AT,
    MailServer,
    make_outbox_message,
    make_reminder_preference,
    prepared_pathway,
)
from factories.workspace import Story
from fixtures_db import Personas
from sijcare.db.models import AuditEvent, OutboxMessage, Patient, ReminderPreference
from sijcare.db.models.outbox_message import OutboxStatus, ReminderKind
from sijcare.db.models.reminder_preference import DetailLevel
from sijcare.domain.knowledge import Knowledge
from sijcare.knowledge import apply_overrides
from sijcare.services import outbox
from sijcare.services.smtp import SmtpSender

# The day-before reminder: Monday 9 March, 17:00 PDT.
DUE = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer()
    controller = server.start()
    yield server
    controller.stop()


def patient_of(personas: Personas) -> Patient:
    patient = personas.patient.patient
    assert patient is not None
    return patient


def messages(db: Session) -> list[OutboxMessage]:
    with db.begin():
        rows = list(db.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
    db.expunge_all()
    return rows


def events(db: Session, prefix: str = "reminder.") -> list[str]:
    with db.begin():
        return list(
            db.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.action.startswith(prefix))
                .order_by(AuditEvent.id)
            )
        )


def send(db: Session, knowledge: Knowledge, server: MailServer, at: datetime) -> outbox.SendReport:
    return outbox.send_due(
        db,
        knowledge=knowledge,
        sender=SmtpSender(server.settings()),
        sender_address="reminders@westside.example",
        clock=lambda: at,
    )


def prepared(
    db: Session, personas: Personas, knowledge: Knowledge, detail: DetailLevel
) -> OutboxMessage:
    story = Story(db, personas, knowledge)
    prepared_pathway(story)
    make_reminder_preference(
        db, patient=patient_of(personas), updated_by=personas.patient.user, detail=detail
    )
    outbox.plan(db, knowledge=knowledge, now=PLANNED_AT)
    (message,) = messages(db)
    return message


def test_a_due_reminder_is_delivered_and_records_the_servers_reply(
    db: Session, personas: Personas, knowledge: Knowledge, mail: MailServer
) -> None:
    prepared(db, personas, knowledge, DetailLevel.STANDARD)
    early = send(db, knowledge, mail, DUE - timedelta(minutes=1))
    assert early == outbox.SendReport() and mail.received == []
    report = send(db, knowledge, mail, DUE)
    assert report == outbox.SendReport(sent=1)
    (envelope,) = mail.received
    assert envelope.mail_from == "reminders@westside.example"
    assert envelope.rcpt_tos == ["patient@example.org"]
    assert isinstance(envelope.content, bytes)
    delivered = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert delivered["Subject"] == "Reminder: your appointment on Tuesday, March 10, 2026"
    assert delivered["Auto-Submitted"] == "auto-generated"
    body = delivered.get_body().get_content()  # type: ignore[union-attr]
    assert "Hello Pat Patient," in body
    assert "Please arrive by 7:30\u202fAM PDT." in body
    assert "Come with an adult who will drive you home." in body
    assert "Do not eat anything after" in body
    assert "Eliquis" not in body and "SI joint" not in body
    (message,) = messages(db)
    assert message.status is OutboxStatus.SENT
    assert (message.attempts, message.sent_at) == (1, DUE)
    assert message.result == "250 2.0.0 Ok: queued as TEST1"
    assert delivered["Message-ID"] == f"<sijcare-reminder-{message.id}@westside.example>"
    assert events(db) == ["reminder.sent"]
    again = send(db, knowledge, mail, DUE + timedelta(hours=1))
    assert again == outbox.SendReport() and len(mail.received) == 1


def test_a_temporary_refusal_is_retried_with_a_growing_wait_then_failed(
    db: Session, personas: Personas, knowledge: Knowledge, mail: MailServer
) -> None:
    k = apply_overrides(knowledge, {"reminders.max_attempts": 3})
    prepared(db, personas, k, DetailLevel.MINIMAL)
    mail.refuse = "451 4.3.0 Try again later"
    assert send(db, k, mail, DUE) == outbox.SendReport(retrying=1)
    (message,) = messages(db)
    assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 1)
    assert message.next_attempt_at == DUE + timedelta(minutes=5)
    assert message.last_error == "451 4.3.0 Try again later"
    assert send(db, k, mail, DUE + timedelta(minutes=4)) == outbox.SendReport()
    assert send(db, k, mail, DUE + timedelta(minutes=5)) == outbox.SendReport(retrying=1)
    (message,) = messages(db)
    assert message.next_attempt_at == DUE + timedelta(minutes=15)
    assert send(db, k, mail, DUE + timedelta(minutes=15)) == outbox.SendReport(failed=1)
    (message,) = messages(db)
    assert (message.status, message.attempts, message.sent_at) == (OutboxStatus.FAILED, 3, None)
    assert message.result == ""
    assert send(db, k, mail, DUE + timedelta(days=1)) == outbox.SendReport()
    assert mail.received == []
    assert events(db) == ["reminder.retrying", "reminder.retrying", "reminder.failed"]


def test_a_permanent_refusal_fails_at_once(
    db: Session, personas: Personas, knowledge: Knowledge, mail: MailServer
) -> None:
    prepared(db, personas, knowledge, DetailLevel.MINIMAL)
    mail.refuse = "550 5.1.1 No such mailbox"
    assert send(db, knowledge, mail, DUE) == outbox.SendReport(failed=1)
    (message,) = messages(db)
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 1)
    assert message.last_error == "550 5.1.1 No such mailbox"
    assert message.sent_at is None


def test_an_unreachable_server_is_a_failed_attempt_not_a_send(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    prepared(db, personas, knowledge, DetailLevel.MINIMAL)
    nobody = MailServer()  # never started: the port refuses connections
    assert send(db, knowledge, nobody, DUE) == outbox.SendReport(retrying=1)
    (message,) = messages(db)
    assert message.status is OutboxStatus.QUEUED
    assert message.last_error.startswith("ConnectionRefusedError")


def test_quiet_hours_hold_a_reminder_until_they_end(
    db: Session, personas: Personas, knowledge: Knowledge, mail: MailServer
) -> None:
    story = Story(db, personas, knowledge)
    prepared_pathway(story)
    make_reminder_preference(
        db,
        patient=patient_of(personas),
        updated_by=personas.patient.user,
        quiet_start=time(16, 0),
        quiet_end=time(20, 0),
    )
    outbox.plan(db, knowledge=knowledge, now=PLANNED_AT)
    (message,) = messages(db)
    evening = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 20:00 PDT on 9 March
    assert (message.due_at, message.next_attempt_at) == (DUE, evening)
    assert send(db, knowledge, mail, DUE) == outbox.SendReport()
    assert send(db, knowledge, mail, evening) == outbox.SendReport(sent=1)


def test_a_retry_falling_in_the_quiet_hours_waits_for_their_end(
    db: Session, personas: Personas, knowledge: Knowledge, mail: MailServer
) -> None:
    night = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)  # 23:00 PDT, inside 21:00-08:00
    make_outbox_message(db, patient=patient_of(personas), due_at=night)
    assert send(db, knowledge, mail, night) == outbox.SendReport(waiting=1)
    (message,) = messages(db)
    assert message.next_attempt_at == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 08:00 PDT
    assert mail.received == []


def test_a_patient_who_turned_reminders_off_gets_nothing(
    db: Session, personas: Personas, knowledge: Knowledge, mail: MailServer
) -> None:
    prepared(db, personas, knowledge, DetailLevel.STANDARD)
    with db.begin():
        row = db.scalar(sa.select(ReminderPreference))
        assert row is not None
        row.email_opt_in = False
    assert send(db, knowledge, mail, DUE) == outbox.SendReport(cancelled=1)
    (message,) = messages(db)
    assert (message.status, message.reason) == (OutboxStatus.CANCELLED, "opted_out")
    assert mail.received == []


def test_an_expired_reminder_is_cancelled_not_sent(
    db: Session, personas: Personas, knowledge: Knowledge, mail: MailServer
) -> None:
    make_outbox_message(
        db, patient=patient_of(personas), due_at=DUE, expires_at=DUE + timedelta(hours=1)
    )
    assert send(db, knowledge, mail, DUE + timedelta(hours=1)) == outbox.SendReport(cancelled=1)
    (message,) = messages(db)
    assert (message.status, message.reason) == (OutboxStatus.CANCELLED, "expired")


def test_a_send_the_worker_left_unfinished_is_tried_again(
    db: Session, personas: Personas, knowledge: Knowledge, mail: MailServer
) -> None:
    make_outbox_message(
        db,
        patient=patient_of(personas),
        due_at=DUE,
        status=OutboxStatus.SENDING,
        attempts=1,
        last_attempt_at=DUE,
    )
    assert send(db, knowledge, mail, DUE + timedelta(minutes=10)) == outbox.SendReport()
    later = DUE + timedelta(minutes=16)
    assert send(db, knowledge, mail, later) == outbox.SendReport()
    (message,) = messages(db)
    assert message.status is OutboxStatus.QUEUED
    assert "result is unknown" in message.last_error
    assert message.next_attempt_at == later + timedelta(minutes=5)
    assert send(db, knowledge, mail, later + timedelta(minutes=5)) == outbox.SendReport(sent=1)
    (message,) = messages(db)
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)
    assert events(db) == ["reminder.retrying", "reminder.sent"]


def test_a_message_another_worker_claimed_is_left_alone(
    db: Session, personas: Personas, knowledge: Knowledge, mail: MailServer
) -> None:
    make_outbox_message(
        db,
        patient=patient_of(personas),
        due_at=DUE,
        status=OutboxStatus.SENDING,
        attempts=1,
        last_attempt_at=DUE,
        kind=ReminderKind.DAY_BEFORE,
    )
    assert send(db, knowledge, mail, DUE + timedelta(minutes=1)) == outbox.SendReport()
    assert mail.received == []


def test_run_cycle_plans_then_sends(
    db: Session, personas: Personas, knowledge: Knowledge, mail: MailServer
) -> None:
    story = Story(db, personas, knowledge)
    prepared_pathway(story, starts_at=PROCEDURE_AT)
    report = outbox.run_cycle(
        db,
        knowledge=knowledge,
        sender=SmtpSender(mail.settings()),
        sender_address="reminders@westside.example",
        clock=lambda: DUE,
    )
    assert (report.plan.queued, report.send.sent) == (1, 1)
    assert report.summary() == (
        "queued 1, updated 0, cancelled 0; sent 1, failed 0, retrying 0, waiting 0"
    )
