"""form tokens for clinician decisions and procedure records

A clinician's decision and a documented procedure are created by forms; the form's
one-time token is kept so that a second submission returns the first record.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TABLES = ("clinician_decision", "procedure_record")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
            batch.create_unique_constraint(f"uq_{table}_idempotency_key", ["idempotency_key"])


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_idempotency_key", type_="unique")
            batch.drop_column("idempotency_key")
