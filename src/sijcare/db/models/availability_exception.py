"""A day or part of a day when a practitioner is not available (leave, a meeting)."""

from __future__ import annotations

from datetime import date, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base


class AvailabilityException(Base):
    __tablename__ = "availability_exception"
    __table_args__ = (
        sa.CheckConstraint(
            "(all_day AND start_local IS NULL AND end_local IS NULL)"
            " OR (NOT all_day AND start_local IS NOT NULL AND end_local IS NOT NULL"
            " AND start_local < end_local)",
            name="all_day_or_hours",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(sa.ForeignKey("practitioner.id"), index=True)
    # A date and wall-clock times in the zone of the location where the hours apply.
    on_date: Mapped[date]
    all_day: Mapped[bool] = mapped_column(default=True)
    start_local: Mapped[time | None]
    end_local: Mapped[time | None]
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
