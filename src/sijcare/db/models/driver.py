"""The escort who drives the patient home after the procedure; they need no account."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, UTCDateTime


class Driver(Base):
    __tablename__ = "driver"
    __table_args__ = (sa.CheckConstraint("name <> ''", name="name_given"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(sa.ForeignKey("pathway.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    relationship: Mapped[str] = mapped_column(sa.String(80), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
