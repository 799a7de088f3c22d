"""The quality figures of the settled injections, kept so that the whole health system's
dashboard reads a few rows instead of every injection (`sijcare.services.outcome_summary`).

One row per grouping (`all`, `clinic`, `physician`, ...), all written together by one
build. An injection is settled when it was documented in a local month before
`settled_before`: its diary has ended, so its figures no longer change with the day.
`groups` holds, for each group of the grouping, the counts the dashboard adds up and the
weeks-of-relief values with how many injections have each; `referral` holds every
settled injection's days from referral, sorted within each group
(little-endian doubles; each group's slice is in `groups`), because a median cannot be
added up. `last_interpretation_id` and `last_report_id` are the newest rows the build saw:
a later row that touches a settled injection makes the summary out of date, and the
dashboard then counts every injection again until the next build.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, UTCDateTime


class OutcomeSummary(Base):
    __tablename__ = "outcome_summary"

    grouping: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    # The version, with a digest of the clinic's overrides if any (`knowledge_key`).
    knowledge_version: Mapped[str] = mapped_column(sa.String(32))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A local month, YYYY-MM: the injections of earlier months are in the summary.
    settled_before: Mapped[str] = mapped_column(sa.String(7))
    last_interpretation_id: Mapped[int]
    last_report_id: Mapped[int]
    groups: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON())
    referral: Mapped[bytes] = mapped_column(sa.LargeBinary())
