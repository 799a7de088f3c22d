"""A signed-in browser or API client. Only a hash of the cookie's token is stored."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, UTCDateTime


class WebSession(Base):
    __tablename__ = "web_session"
    __table_args__ = (sa.CheckConstraint("expires_at > created_at", name="expires_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The synchronizer token every form and unsafe API call of this session must carry.
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
