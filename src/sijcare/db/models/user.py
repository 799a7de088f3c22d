"""A user account: a patient or a member of a clinic's staff."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, UTCDateTime, enum_type
from sijcare.db.enums import Role


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email) AND email LIKE '%_@_%'", name="email_lower_case"),
        # Lets patient and practitioner rows require a user of their own clinic.
        sa.UniqueConstraint("id", "clinic_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(sa.ForeignKey("clinic.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    display_name: Mapped[str] = mapped_column(sa.String(200))
    locale: Mapped[str] = mapped_column(sa.String(8), default="en")
    # None: times are shown in the clinic's zone.
    time_zone: Mapped[str | None] = mapped_column(sa.String(64))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
