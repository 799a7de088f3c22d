"""A patient of a clinic, with or without a user account.

`public_id` is the random identifier used in addresses, so patient numbers cannot be
guessed from a URL. A patient's account must belong to the same clinic (composite key).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, UTCDateTime


def new_public_id() -> str:
    return "p" + secrets.token_hex(8)


class Patient(Base):
    __tablename__ = "patient"
    __table_args__ = (
        sa.CheckConstraint("name <> ''", name="name_given"),
        sa.ForeignKeyConstraint(
            ["user_id", "clinic_id"],
            ["user_account.id", "user_account.clinic_id"],
            name="fk_patient_user_same_clinic",
        ),
        sa.UniqueConstraint("id", "clinic_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id)
    clinic_id: Mapped[int] = mapped_column(sa.ForeignKey("clinic.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    date_of_birth: Mapped[date]
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
