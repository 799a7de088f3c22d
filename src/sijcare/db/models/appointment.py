"""A booked procedure or follow-up visit, stored in UTC.

Invariants the database keeps (see ADR 0003):
- patient, practitioner and location belong to the appointment's clinic, and the room to
  the location (composite foreign keys);
- a booked practitioner or room has at most one appointment starting at a time (partial
  unique indexes), and no two booked appointments of one practitioner or one room overlap
  (an exclusion constraint on PostgreSQL, triggers on SQLite, created by the migration);
- a procedure is in person; a virtual visit has no room;
- `status` is cancelled exactly when `cancelled_at`/`cancelled_by` are set.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, UTCDateTime, enum_type, pair_check
from sijcare.db.enums import AppointmentKind, AppointmentMode, AppointmentStatus

BOOKED = sa.text("status = 'booked'")


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint(
            "NOT (kind = 'procedure' AND mode = 'virtual')", name="procedure_in_person"
        ),
        sa.CheckConstraint("mode = 'in_person' OR room_id IS NULL", name="virtual_has_no_room"),
        sa.CheckConstraint(pair_check("cancelled_at", "cancelled_by"), name="cancelled_pair"),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_status"
        ),
        sa.ForeignKeyConstraint(
            ["patient_id", "clinic_id"],
            ["patient.id", "patient.clinic_id"],
            name="fk_appointment_patient_same_clinic",
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id", "clinic_id"],
            ["practitioner.id", "practitioner.clinic_id"],
            name="fk_appointment_practitioner_same_clinic",
        ),
        sa.ForeignKeyConstraint(
            ["location_id", "clinic_id"],
            ["location.id", "location.clinic_id"],
            name="fk_appointment_location_same_clinic",
        ),
        sa.ForeignKeyConstraint(
            ["room_id", "location_id"],
            ["room.id", "room.location_id"],
            name="fk_appointment_room_at_location",
        ),
        sa.Index(
            "uq_appointment_practitioner_start_booked",
            "practitioner_id",
            "starts_at",
            unique=True,
            sqlite_where=BOOKED,
            postgresql_where=BOOKED,
        ),
        sa.Index(
            "uq_appointment_room_start_booked",
            "room_id",
            "starts_at",
            unique=True,
            sqlite_where=BOOKED,
            postgresql_where=BOOKED,
        ),
        sa.Index("ix_appointment_patient_start", "patient_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(sa.ForeignKey("clinic.id"))
    patient_id: Mapped[int]
    practitioner_id: Mapped[int]
    location_id: Mapped[int]
    room_id: Mapped[int | None]
    pathway_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pathway.id"), index=True)
    kind: Mapped[AppointmentKind] = mapped_column(enum_type(AppointmentKind, "kind"))
    mode: Mapped[AppointmentMode] = mapped_column(enum_type(AppointmentMode, "mode"))
    status: Mapped[AppointmentStatus] = mapped_column(
        enum_type(AppointmentStatus, "status"), default=AppointmentStatus.BOOKED
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    # The token of the form that booked it: a second submission of that form books nothing.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
