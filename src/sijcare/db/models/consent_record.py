"""Informed consent to a planned procedure: what was planned, what the patient confirmed,
and the language of the page they read when they agreed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, JSONDocument, UTCDateTime, pair_check


class ConsentRecord(Base):
    __tablename__ = "consent_record"
    __table_args__ = (
        sa.CheckConstraint(pair_check("witnessed_at", "witnessed_by"), name="witnessed_pair"),
        # The locales of `settings.LOCALES`: a new one needs a migration that widens this.
        sa.CheckConstraint("language IN ('en', 'es')", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(sa.ForeignKey("pathway.id"), index=True)
    plan_snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    confirmed: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    agreed_by: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    witnessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    witnessed_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # The language of the consent page the patient agreed on ("en", "es"); NULL: agreed
    # before it was recorded (migration 0010), not "English".
    language: Mapped[str | None] = mapped_column(sa.String(8))
