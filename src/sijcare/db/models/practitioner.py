"""A physician or nurse of a clinic, listed in the directory, with an account or not."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, enum_type
from sijcare.db.enums import PractitionerKind


class Practitioner(Base):
    __tablename__ = "practitioner"
    __table_args__ = (
        sa.CheckConstraint("name <> ''", name="name_given"),
        sa.ForeignKeyConstraint(
            ["user_id", "clinic_id"],
            ["user_account.id", "user_account.clinic_id"],
            name="fk_practitioner_user_same_clinic",
        ),
        sa.UniqueConstraint("id", "clinic_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(sa.ForeignKey("clinic.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[PractitionerKind] = mapped_column(enum_type(PractitionerKind, "kind"))
    specialty: Mapped[str] = mapped_column(sa.String(120), default="")
    # Free text, one qualification per line (board certifications, fellowships).
    qualifications: Mapped[str] = mapped_column(sa.Text, default="")
    accepts_virtual: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
