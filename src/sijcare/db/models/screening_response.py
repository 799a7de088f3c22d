"""A patient's answers to the pre-procedure screening and the result computed from them.

`answers` and `result` are JSON documents in the forms the core's parsers read and write;
`knowledge_version` is the version the result was computed with. A draft has no
submission; a submitted or reviewed response has both `submitted_at` and `submitted_by`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, JSONDocument, UTCDateTime, pair_check


class ScreeningResponse(Base):
    __tablename__ = "screening_response"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'submitted', 'reviewed')", name="status_known"),
        sa.CheckConstraint(pair_check("submitted_at", "submitted_by"), name="submitted_pair"),
        sa.CheckConstraint("(status = 'draft') = (submitted_at IS NULL)", name="submitted_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(sa.ForeignKey("pathway.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    knowledge_version: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
