"""A place where a clinic sees patients, with the time zone its appointments are kept in."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base


class Location(Base):
    __tablename__ = "location"
    __table_args__ = (
        sa.CheckConstraint("name <> ''", name="name_given"),
        sa.UniqueConstraint("clinic_id", "name"),
        sa.UniqueConstraint("id", "clinic_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(sa.ForeignKey("clinic.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.Text, default="")
    time_zone: Mapped[str] = mapped_column(sa.String(64))
