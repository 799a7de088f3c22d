"""A computed reading of a procedure's diary (relief, classification) and its sign-off."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, JSONDocument, UTCDateTime, pair_check


class Interpretation(Base):
    __tablename__ = "interpretation"
    __table_args__ = (
        sa.CheckConstraint(pair_check("signed_off_at", "signed_off_by"), name="signed_off_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedure_record.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    result: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    classification: Mapped[str] = mapped_column(sa.String(40), default="")
    knowledge_version: Mapped[str] = mapped_column(sa.String(32))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
