"""One pain score (0-10 NRS) after a procedure, at the time the patient says it was felt."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, UTCDateTime


class DiaryEntry(Base):
    __tablename__ = "diary_entry"
    __table_args__ = (
        sa.CheckConstraint("pain BETWEEN 0 AND 10", name="pain_range"),
        sa.UniqueConstraint("procedure_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedure_record.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pain: Mapped[int]
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    # Could the patient do the activity that usually hurts? None: not asked or not answered.
    activity_done: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
