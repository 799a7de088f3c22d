"""The outbox of e-mail reminders: planning them, sending what is due, and their status.

`run_cycle` is one round of the worker (`sijcare worker`): `plan` then `send_due`.

- `plan` brings every patient's queued reminders in line with the pathway's state
  (`sijcare.services.reminders.drafts_for`): a new reminder is queued once (its
  `idempotency_key`), a queued one is updated (a moved appointment is a new reminder,
  the old one is cancelled), one no longer wanted is cancelled with the reason, and a
  cancelled one wanted again is queued again. Sent and failed messages are never touched.
- `send_due` sends each queued message whose time has come. Just before, it checks a
  reminder again (a staff escalation e-mail, queued by `sijcare.services.escalation`,
  skips these checks): expired -> cancelled; reminders turned off -> cancelled; inside the
  quiet hours -> it waits for their end. It then claims the message (`sending`, one more
  attempt) in its own transaction, so two workers never send the same one, talks to the
  mail server outside any transaction, and records the server's real answer: accepted ->
  sent, with the server's reply; refused for good (5xx) -> failed; refused for now or
  unreachable -> queued again after `reminders.retry_after_minutes`, doubled each time,
  until `reminders.max_attempts`, then failed. A send left `sending` longer than
  `reminders.sending_timeout_minutes` (the worker stopped) counts as an attempt with an
  unknown result and is tried again: a reminder may then arrive twice, but a message is
  never shown as sent unless the server accepted it.
Every attempt's outcome is written to the audit log (actor role `system`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sijcare.db.enums import AppointmentStatus, PathwayStatus
from sijcare.db.models import (
    Appointment,
    Clinic,
    OutboxMessage,
    Pathway,
    Patient,
    ProcedureRecord,
)
from sijcare.db.models.outbox_message import OutboxStatus, ReminderKind
from sijcare.domain.knowledge import Knowledge
from sijcare.services import audit, reminders
from sijcare.services.reminder_texts import Translations, untranslated
from sijcare.services.smtp import Delivery, Sender

SEND_BATCH = 100
_MAX_ERROR = 500


@dataclass(frozen=True)
class PlanReport:
    queued: int = 0
    updated: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    cancelled: int = 0
    waiting: int = 0  # held back by the quiet hours


@dataclass(frozen=True)
class CycleReport:
    plan: PlanReport
    send: SendReport

    def summary(self) -> str:
        """One line with counts only (no patient data), for the worker's output."""
        p, s = self.plan, self.send
        return (
            f"queued {p.queued}, updated {p.updated}, cancelled {p.cancelled + s.cancelled}; "
            f"sent {s.sent}, failed {s.failed}, retrying {s.retrying}, waiting {s.waiting}"
        )


def run_cycle(
    db: Session,
    *,
    knowledge: Knowledge,
    sender: Sender,
    sender_address: str,
    clock: Callable[[], datetime],
    translations: Translations = untranslated,
) -> CycleReport:
    """One round of the worker: plan every patient's reminders, then send what is due."""
    planned = plan(db, knowledge=knowledge, now=clock(), translations=translations)
    sent = send_due(
        db, knowledge=knowledge, sender=sender, sender_address=sender_address, clock=clock
    )
    return CycleReport(planned, sent)


# -- planning -------------------------------------------------------------------------------


def plan(
    db: Session,
    *,
    knowledge: Knowledge,
    now: datetime,
    translations: Translations = untranslated,
) -> PlanReport:
    """Queue, update and cancel reminders to match every patient's pathway now."""
    with db.begin():
        patient_ids = _patients_to_plan(db, now)
    totals = PlanReport()
    for patient_id in patient_ids:
        try:
            with db.begin():
                report = _plan_patient(db, patient_id, knowledge, now, translations)
        except IntegrityError:
            # Another worker queued the same reminder first (its idempotency key).
            continue
        totals = PlanReport(
            totals.queued + report.queued,
            totals.updated + report.updated,
            totals.cancelled + report.cancelled,
        )
    return totals


def _patients_to_plan(db: Session, now: datetime) -> list[int]:
    """Patients with a future booking, a procedure on an active pathway, or a queued message."""
    booked = sa.select(Appointment.patient_id).where(
        Appointment.status == AppointmentStatus.BOOKED, Appointment.starts_at > now
    )
    documented = (
        sa.select(Pathway.patient_id)
        .join(ProcedureRecord, ProcedureRecord.pathway_id == Pathway.id)
        .where(Pathway.status == PathwayStatus.ACTIVE)
    )
    queued = sa.select(OutboxMessage.patient_id).where(
        OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.kind != ReminderKind.ESCALATION
    )
    union = sa.union(booked, documented, queued).subquery()
    return sorted(db.scalars(sa.select(union.c[0]).distinct()))


def _plan_patient(
    db: Session, patient_id: int, knowledge: Knowledge, now: datetime, translations: Translations
) -> PlanReport:
    patient = db.get(Patient, patient_id)
    assert patient is not None
    preferences = reminders.preferences_of(reminders.preference_row(db, patient_id), knowledge)
    to = reminders.recipient(db, patient)
    if to is None or not preferences.email_opt_in:
        reason = "no_address" if to is None else "opted_out"
        return PlanReport(cancelled=reminders.cancel_queued(db, patient_id, reason=reason, now=now))
    drafts = {
        d.key: d for d in reminders.drafts_for(db, to, preferences, knowledge, now, translations)
    }
    existing = db.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.patient_id == patient_id,
            # Staff escalation e-mails are not planned from the pathway: never cancel them.
            OutboxMessage.kind != ReminderKind.ESCALATION,
            sa.or_(
                OutboxMessage.status == OutboxStatus.QUEUED,
                OutboxMessage.idempotency_key.in_(list(drafts)),
            ),
        )
    ).all()
    by_key = {m.idempotency_key: m for m in existing}
    queued = updated = cancelled = 0
    for key, draft in drafts.items():
        message = by_key.get(key)
        if message is None:
            db.add(_new_message(draft, to, now))
            queued += 1
        elif message.status in (OutboxStatus.QUEUED, OutboxStatus.CANCELLED):
            updated += _refresh(message, draft, to, now)
    for message in existing:
        if message.status is OutboxStatus.QUEUED and message.idempotency_key not in drafts:
            _cancel(message, "no_longer_needed", now)
            cancelled += 1
    db.flush()
    return PlanReport(queued, updated, cancelled)


def _new_message(draft: reminders.Draft, to: reminders.Recipient, now: datetime) -> OutboxMessage:
    return OutboxMessage(
        clinic_id=to.patient.clinic_id,
        patient_id=to.patient.id,
        kind=draft.kind,
        appointment_id=draft.appointment_id,
        procedure_id=draft.procedure_id,
        to_address=to.address,
        locale=to.locale,
        subject=draft.subject,
        body=draft.body,
        due_at=draft.due_at,
        expires_at=draft.expires_at,
        next_attempt_at=draft.send_after,
        status=OutboxStatus.QUEUED,
        attempts=0,
        created_at=now,
        updated_at=now,
        idempotency_key=draft.key,
    )


def _refresh(
    message: OutboxMessage, draft: reminders.Draft, to: reminders.Recipient, now: datetime
) -> int:
    """Bring a queued (or cancelled) message up to date; 1 if anything changed."""
    # A retry keeps its own later time: planning must not hurry it.
    send_after = draft.send_after
    if message.attempts and message.status is OutboxStatus.QUEUED:
        send_after = max(send_after, message.next_attempt_at)
    values = {
        "to_address": to.address,
        "locale": to.locale,
        "subject": draft.subject,
        "body": draft.body,
        "due_at": draft.due_at,
        "expires_at": draft.expires_at,
        "next_attempt_at": send_after,
        "status": OutboxStatus.QUEUED,
        "reason": "",
    }
    changed = {k: v for k, v in values.items() if getattr(message, k) != v}
    for key, value in changed.items():
        setattr(message, key, value)
    if changed:
        message.updated_at = now
    return 1 if changed else 0


def _cancel(message: OutboxMessage, reason: str, now: datetime) -> None:
    message.status = OutboxStatus.CANCELLED
    message.reason = reason
    message.updated_at = now


# -- sending --------------------------------------------------------------------------------


def send_due(
    db: Session,
    *,
    knowledge: Knowledge,
    sender: Sender,
    sender_address: str,
    clock: Callable[[], datetime],
    limit: int = SEND_BATCH,
) -> SendReport:
    """Send up to `limit` queued messages whose time has come (see the module docstring)."""
    now = clock()
    with db.begin():
        _recover_stale(db, knowledge, now)
        due = list(
            db.scalars(
                sa.select(OutboxMessage.id)
                .where(
                    OutboxMessage.status == OutboxStatus.QUEUED,
                    OutboxMessage.next_attempt_at <= now,
                )
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
            )
        )
    counts = dict.fromkeys(("sent", "failed", "retrying", "cancelled", "waiting"), 0)
    for message_id in due:
        outcome = _send_one(db, message_id, knowledge, sender, sender_address, clock)
        if outcome in counts:
            counts[outcome] += 1
    return SendReport(**counts)


def _send_one(
    db: Session,
    message_id: int,
    knowledge: Knowledge,
    sender: Sender,
    sender_address: str,
    clock: Callable[[], datetime],
) -> str:
    now = clock()
    with db.begin():
        message = db.get(OutboxMessage, message_id)
        if message is None or message.status is not OutboxStatus.QUEUED:
            return "skipped"
        held = _hold_back(db, message, knowledge, now)
        if held is not None:
            return held
        if not _claim(db, message.id, now):
            return "skipped"
        email = build_email(message, sender_address, now)
    delivery = sender.send(email)
    with db.begin():
        message = db.get(OutboxMessage, message_id, populate_existing=True)
        assert message is not None
        return _record(db, message, delivery, knowledge, clock())


def _hold_back(
    db: Session, message: OutboxMessage, knowledge: Knowledge, now: datetime
) -> str | None:
    """Why `message` is not sent now ("cancelled" or "waiting"), or None to send it."""
    if message.kind is ReminderKind.ESCALATION:
        # A safety message to the staff: it goes at once, night or day. The quiet hours
        # and the opt-out are the patient's choices about their own reminders, and it
        # never expires, so nothing here may hold it back (see services/escalation.py).
        return None
    if message.expires_at is not None and message.expires_at <= now:
        _cancel(message, "expired", now)
        return "cancelled"
    row = reminders.preference_row(db, message.patient_id)
    preferences = reminders.preferences_of(row, knowledge)
    if not preferences.email_opt_in:
        _cancel(message, "opted_out", now)
        return "cancelled"
    zone = _zone_of(db, message)
    if not reminders.in_quiet_hours(now, preferences.quiet, zone):
        return None
    later = reminders.after_quiet_hours(now, preferences.quiet, zone)
    if message.expires_at is not None and later >= message.expires_at:
        _cancel(message, "quiet_hours", now)
        return "cancelled"
    message.next_attempt_at = later
    message.updated_at = now
    return "waiting"


def _zone_of(db: Session, message: OutboxMessage) -> str:
    patient = db.get(Patient, message.patient_id)
    assert patient is not None
    to = reminders.recipient(db, patient)
    if to is not None:
        return to.zone
    clinic = db.get(Clinic, message.clinic_id)
    assert clinic is not None
    return clinic.time_zone


def _claim(db: Session, message_id: int, now: datetime) -> bool:
    """Mark the message as being sent, unless another worker already did."""
    result = db.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.QUEUED)
        .values(
            status=OutboxStatus.SENDING,
            attempts=OutboxMessage.attempts + 1,
            last_attempt_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def build_email(message: OutboxMessage, sender_address: str, now: datetime) -> EmailMessage:
    """The e-mail of `message`: plain text, with a Message-ID stable across retries."""
    domain = sender_address.rpartition("@")[2] or "localhost"
    email = EmailMessage()
    email["From"] = sender_address
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = f"<sijcare-reminder-{message.id}@{domain}>"
    email["Auto-Submitted"] = "auto-generated"
    email["Content-Language"] = message.locale
    email.set_content(message.body)
    return email


def _record(
    db: Session, message: OutboxMessage, delivery: Delivery, knowledge: Knowledge, now: datetime
) -> str:
    """Store the server's answer to the attempt; the outcome's name."""
    message.updated_at = now
    if delivery.accepted:
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.result = delivery.detail[:_MAX_ERROR]
        message.last_error = ""
        outcome = "sent"
    else:
        message.last_error = delivery.detail[:_MAX_ERROR] or "refused"
        outcome = _after_failure(message, delivery.permanent, knowledge, now)
    _system_audit(db, message, f"reminder.{outcome}", now)
    return outcome


def _after_failure(
    message: OutboxMessage, permanent: bool, knowledge: Knowledge, now: datetime
) -> str:
    if permanent or message.attempts >= knowledge.integer("reminders.max_attempts"):
        message.status = OutboxStatus.FAILED
        return "failed"
    wait = knowledge.number("reminders.retry_after_minutes") * 2 ** (message.attempts - 1)
    message.status = OutboxStatus.QUEUED
    message.next_attempt_at = now + timedelta(minutes=wait)
    return "retrying"


def _recover_stale(db: Session, knowledge: Knowledge, now: datetime) -> None:
    """Sends a stopped worker left unfinished: an attempt with an unknown result."""
    timeout = timedelta(minutes=knowledge.number("reminders.sending_timeout_minutes"))
    stale = db.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.last_attempt_at < now - timeout,
        )
    ).all()
    for message in stale:
        message.last_error = "the worker stopped while sending: the result is unknown"
        message.updated_at = now
        outcome = _after_failure(message, False, knowledge, now)
        _system_audit(db, message, f"reminder.{outcome}", now)


def _system_audit(db: Session, message: OutboxMessage, action: str, now: datetime) -> None:
    audit.record_system(
        db,
        action=action,
        at=now,
        clinic_id=message.clinic_id,
        target_type="outbox_message",
        target_id=message.id,
        patient_id=message.patient_id,
        detail={"kind": message.kind.value, "attempts": message.attempts},
    )
