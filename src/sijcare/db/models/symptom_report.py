"""Symptoms a patient reports after the procedure, the triage result and its acknowledgement.

An acknowledgement has both `acknowledged_at` and `acknowledged_by`; a note needs both.
`idempotency_key` is the key of the form or API call that sent the report: a retry with the
same key returns this report instead of storing a second one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, JSONDocument, UTCDateTime, pair_check


class SymptomReport(Base):
    __tablename__ = "symptom_report"
    __table_args__ = (
        sa.CheckConstraint(
            pair_check("acknowledged_at", "acknowledged_by"), name="acknowledged_pair"
        ),
        sa.CheckConstraint(
            "acknowledged_note IS NULL OR acknowledged_at IS NOT NULL",
            name="note_needs_acknowledgement",
        ),
        # The outcome dashboard counts each injection's reports by disposition.
        sa.Index("ix_symptom_report_procedure_disposition", "procedure_id", "disposition"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(sa.ForeignKey("pathway.id"), index=True)
    procedure_id: Mapped[int | None] = mapped_column(sa.ForeignKey("procedure_record.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_by: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    report: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    disposition: Mapped[str] = mapped_column(sa.String(40))
    result: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    knowledge_version: Mapped[str] = mapped_column(sa.String(32))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    acknowledged_note: Mapped[str | None] = mapped_column(sa.String(1000))
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
