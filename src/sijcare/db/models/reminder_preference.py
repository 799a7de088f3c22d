"""A patient's choices about e-mail reminders: on or off, how much they say, quiet hours.

A patient without a row gets the clinic's defaults (knowledge rules `reminders.*`).
`detail` is how much a reminder or a calendar entry may say about the patient's care
(`sijcare.services.reminder_texts`). Quiet hours are local wall-clock times in the
patient's time zone; both set (the patient's own) or neither (the clinic's).
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, UTCDateTime, enum_type, pair_check


class DetailLevel(StrEnum):
    MINIMAL = "minimal"  # the appointment's time and place only; nothing about care
    STANDARD = "standard"  # also the practical steps: arrival, driver, eating, diary
    FULL = "full"  # also the procedure's name and the medicines' names and times


class ReminderPreference(Base):
    __tablename__ = "reminder_preference"
    __table_args__ = (
        sa.CheckConstraint(pair_check("quiet_start", "quiet_end"), name="quiet_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patient.id"), unique=True)
    email_opt_in: Mapped[bool]
    detail: Mapped[DetailLevel] = mapped_column(enum_type(DetailLevel, "detail"))
    quiet_start: Mapped[time | None]
    quiet_end: Mapped[time | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
