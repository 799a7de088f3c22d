"""One entry of the append-only audit log: who did what to which patient's data, when, from where.

No foreign keys, so an entry outlives what it records. The migration adds triggers that
refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL). `detail` holds identifiers and
changed field names only, never a patient's values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, JSONDocument, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_clinic_at", "clinic_id", "at"),
        sa.Index("ix_audit_event_patient_at", "patient_id", "at"),
    )

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    clinic_id: Mapped[int | None]
    actor_user_id: Mapped[int | None]
    actor_role: Mapped[str] = mapped_column(sa.String(20))
    action: Mapped[str] = mapped_column(sa.String(80))
    target_type: Mapped[str] = mapped_column(sa.String(40), default="")
    target_id: Mapped[str] = mapped_column(sa.String(64), default="")
    patient_id: Mapped[int | None]
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    user_agent_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
