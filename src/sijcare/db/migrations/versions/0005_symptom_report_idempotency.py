"""form tokens for symptom reports

A symptom report is created by a form or an API call that a phone may retry; the key it
carries is kept so that a second submission returns the first report (one report, one
red flag in the inbox).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TABLE = "symptom_report"
_CONSTRAINT = f"uq_{_TABLE}_idempotency_key"


def upgrade() -> None:
    # Batch mode: SQLite cannot add a unique constraint in place (the table is rebuilt).
    with op.batch_alter_table(_TABLE) as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(_CONSTRAINT, ["idempotency_key"])


def downgrade() -> None:
    with op.batch_alter_table(_TABLE) as batch:
        batch.drop_constraint(_CONSTRAINT, type_="unique")
        batch.drop_column("idempotency_key")
