"""The injection as performed: `data` is the PROCEDURE.json document (sijcare.formats).

`performed_at`, `kind` and `side` repeat fields of `data` for queries; one procedure per
pathway.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sijcare.db.base import Base, JSONDocument, UTCDateTime, enum_type
from sijcare.db.enums import Kind, Side


class ProcedureRecord(Base):
    __tablename__ = "procedure_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(sa.ForeignKey("pathway.id"), unique=True)
    consent_record_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consent_record.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    performed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[Kind] = mapped_column(enum_type(Kind, "kind"))
    side: Mapped[Side] = mapped_column(enum_type(Side, "side"))
    documented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    documented_by: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    # The token of the form that documented it: a second submission documents nothing new.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
