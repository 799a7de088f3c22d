"""A clinic: the unit that owns patients, staff and locations, with its home time zone."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base


class Clinic(Base):
    __tablename__ = "clinic"
    __table_args__ = (sa.CheckConstraint("name <> ''", name="name_given"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # An IANA zone name (America/Los_Angeles): times are shown in it unless a user has their own.
    time_zone: Mapped[str] = mapped_column(sa.String(64))
