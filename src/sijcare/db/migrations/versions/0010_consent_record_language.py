"""consent_record: `language`, the language of the consent page the patient agreed on

A patient reads the consent questions and answers in English or Spanish (the page's
locale) and agrees; the record now keeps which (`en`, `es`), so that the clinic knows
what the patient read. Records made before have NULL: not recorded, which is not the
same as English (a Spanish reader then saw the answers in English with a notice).
A CHECK keeps the column to the shipped locales.

SQLite copies the table to add a constraint (batch mode); `consent_record` has no
triggers, and the references to it (procedure_record) are checked after the copy.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CHECK = "ck_consent_record_language_known"


def upgrade() -> None:
    with op.batch_alter_table("consent_record") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch.create_check_constraint(op.f(CHECK), sa.text("language IN ('en', 'es')"))


def downgrade() -> None:
    with op.batch_alter_table("consent_record") as batch:
        batch.drop_constraint(op.f(CHECK), type_="check")
        batch.drop_column("language")
