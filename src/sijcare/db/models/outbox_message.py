"""One e-mail reminder in the outbox: what to send to whom, when, and what became of it.

The worker (`sijcare worker`) plans reminders from the pathway's state and sends those
that are due (`sijcare.services.outbox`). A message is
- queued: waiting for `next_attempt_at` (its `due_at`, moved out of quiet hours, or a
  retry's time);
- sending: claimed by a worker, the SMTP conversation under way;
- sent: the mail server accepted it (`sent_at` and the server's reply in `result`);
- failed: refused for good, or the last allowed attempt failed (`last_error`);
- cancelled: no longer wanted before it was sent (`reason`: opted out, appointment
  moved or cancelled, diary prompt answered, expired).
Only a server's acceptance makes a message sent: `sent` exactly when `sent_at` is set.
The patient belongs to the message's clinic (a composite foreign key). An `escalation`
message goes to a member of the clinic's staff; its patient is the one whose report
waits (the message says nothing about them), and reminder planning leaves it alone.
`idempotency_key` names what the reminder is about (the appointment and its time, the
diary prompt), so planning twice never queues it twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, UTCDateTime, enum_type


class ReminderKind(StrEnum):
    DAY_BEFORE = "day_before"  # the day before the procedure: driver, eating, what to bring
    FOLLOW_UP = "follow_up"  # the day before a follow-up visit
    DIARY_PROMPT = "diary_prompt"  # time to record a pain score
    # To the clinic's clinicians and admins, not the patient: an urgent symptom report
    # waits unacknowledged (`sijcare.services.escalation`); no patient data in it.
    ESCALATION = "escalation"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="sent_status"),
        sa.CheckConstraint("to_address LIKE '%_@_%'", name="to_address_email"),
        sa.ForeignKeyConstraint(
            ["patient_id", "clinic_id"],
            ["patient.id", "patient.clinic_id"],
            name="fk_outbox_message_patient_same_clinic",
        ),
        sa.Index("ix_outbox_message_status_next", "status", "next_attempt_at"),
        sa.Index("ix_outbox_message_patient_due", "patient_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(sa.ForeignKey("clinic.id"), index=True)
    patient_id: Mapped[int]
    kind: Mapped[ReminderKind] = mapped_column(enum_type(ReminderKind, "kind"))
    appointment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointment.id"))
    procedure_id: Mapped[int | None] = mapped_column(sa.ForeignKey("procedure_record.id"))
    to_address: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(8))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    # The time the reminder is for, and the time after which it is no use any more.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus, "status"), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    # The mail server's reply that accepted the message (like "250 2.0.0 Ok: queued").
    result: Mapped[str] = mapped_column(sa.String(500), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(sa.String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
