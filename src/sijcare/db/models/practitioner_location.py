"""Where a practitioner works: availability may only name these locations."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base


class PractitionerLocation(Base):
    __tablename__ = "practitioner_location"

    practitioner_id: Mapped[int] = mapped_column(sa.ForeignKey("practitioner.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("location.id"), primary_key=True)
