"""One patient's care pathway for an SI joint injection on one side.

At most one active pathway per joint: `covers_left`/`covers_right` say which joints a
pathway occupies (a bilateral one occupies both) and two partial unique indexes allow one
active pathway per patient on each joint. So a patient may have an active left and an
active right pathway, but an active bilateral pathway excludes both (ADR 0003).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

from sijcare.db.base import Base, UTCDateTime, enum_type, pair_check
from sijcare.db.enums import Kind, PathwayStatus, Side

_ACTIVE_LEFT = sa.text("status = 'active' AND covers_left")
_ACTIVE_RIGHT = sa.text("status = 'active' AND covers_right")


class Pathway(Base):
    __tablename__ = "pathway"
    __table_args__ = (
        sa.CheckConstraint(
            "covers_left = (side IN ('left', 'bilateral'))"
            " AND covers_right = (side IN ('right', 'bilateral'))",
            name="covers_match_side",
        ),
        sa.CheckConstraint(pair_check("closed_at", "closed_by"), name="closed_pair"),
        sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_status"),
        sa.Index(
            "uq_pathway_one_active_left",
            "patient_id",
            unique=True,
            sqlite_where=_ACTIVE_LEFT,
            postgresql_where=_ACTIVE_LEFT,
        ),
        sa.Index(
            "uq_pathway_one_active_right",
            "patient_id",
            unique=True,
            sqlite_where=_ACTIVE_RIGHT,
            postgresql_where=_ACTIVE_RIGHT,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patient.id"), index=True)
    side: Mapped[Side] = mapped_column(enum_type(Side, "side"))
    kind: Mapped[Kind] = mapped_column(enum_type(Kind, "kind"))
    status: Mapped[PathwayStatus] = mapped_column(
        enum_type(PathwayStatus, "status"), default=PathwayStatus.ACTIVE
    )
    covers_left: Mapped[bool]
    covers_right: Mapped[bool]
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    close_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    @validates("side")
    def _set_covered_joints(self, _key: str, side: Side) -> Side:
        side = Side(side)
        self.covers_left = side in (Side.LEFT, Side.BILATERAL)
        self.covers_right = side in (Side.RIGHT, Side.BILATERAL)
        return side
