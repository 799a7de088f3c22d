"""A clinician's recorded decision on a pathway (a screening flag, a blood-thinner hold)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, JSONDocument, UTCDateTime


class ClinicianDecision(Base):
    __tablename__ = "clinician_decision"
    __table_args__ = (sa.CheckConstraint("about <> ''", name="about_given"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(sa.ForeignKey("pathway.id"), index=True)
    # What the decision is about: a stable code such as a screening finding's code.
    about: Mapped[str] = mapped_column(sa.String(80))
    decision: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    # The token of the form that recorded it: a second submission records nothing new.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
