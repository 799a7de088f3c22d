"""A practitioner's weekly hours at a location, cut into slots.

Times are wall-clock times at the location (`start_local`, `end_local`), so a 09:00 start
stays 09:00 across daylight-saving changes. `weekday` is 0 for Monday to 6 for Sunday.
"""

from __future__ import annotations

from datetime import date, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base


class Availability(Base):
    __tablename__ = "availability"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        sa.CheckConstraint("start_local < end_local", name="starts_before_end"),
        sa.CheckConstraint("slot_minutes BETWEEN 5 AND 480", name="slot_minutes_range"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
        # The practitioner must work at the location.
        sa.ForeignKeyConstraint(
            ["practitioner_id", "location_id"],
            ["practitioner_location.practitioner_id", "practitioner_location.location_id"],
            name="fk_availability_practitioner_location",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(index=True)
    location_id: Mapped[int]
    weekday: Mapped[int]
    start_local: Mapped[time]
    end_local: Mapped[time]
    slot_minutes: Mapped[int]
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
