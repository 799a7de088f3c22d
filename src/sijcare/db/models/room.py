"""A room at a location; procedures need one with fluoroscopy."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base


class Room(Base):
    __tablename__ = "room"
    __table_args__ = (
        sa.CheckConstraint("name <> ''", name="name_given"),
        sa.UniqueConstraint("location_id", "name"),
        sa.UniqueConstraint("id", "location_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("location.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    fluoroscopy: Mapped[bool] = mapped_column(default=False)
