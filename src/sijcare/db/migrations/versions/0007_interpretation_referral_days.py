"""interpretation: `referral_days`, the time from referral to injection, stored; and an
index of symptom reports by injection and disposition

The dashboard's median referral time sorted the difference of two timestamps computed
per row; it now sorts this column, which joins the outcome dashboard's partial covering
index. Triggers set it whenever a row is inserted (or its times change), so that no
writer has to: the ORM and the synth's bulk loads alike. Existing rows are filled here.

A trigger, not a generated column: SQLite (3.40) takes every column of the table as used
by a query that names a generated column, so it would read the table (and its JSON)
instead of the covering index. SQLite's trigger runs after the insert (its triggers
cannot change the new row), PostgreSQL's before.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CURRENT = sa.text("current")
INDEX = "ix_interpretation_current_outcomes"
_COLUMNS_BEFORE = [
    "kind",
    "clinic_id",
    "performed_month",
    "physician",
    "side",
    "anesthetic",
    "steroid",
    "classification",
    "performed_at",
    "referred_at",
    "peak_relief_percent",
    "relief_at_least_hours",
    "relief_less_than_hours",
    "responder_2w",
    "responder_6w",
    "responder_3m",
    "sustained_at_least_weeks",
    "flare",
    "scores",
    "procedure_id",
    "patient_id",
    "anesthetic_action",
]
OUTCOME_COLUMNS_0004 = [*_COLUMNS_BEFORE, "current"]
OUTCOME_COLUMNS_0007 = [*_COLUMNS_BEFORE, "referral_days", "current"]

# Days as a fraction; NULL when either time is.
_SQLITE_DAYS = "julianday({row}performed_at) - julianday({row}referred_at)"
_POSTGRES_DAYS = "EXTRACT(EPOCH FROM ({row}performed_at - {row}referred_at)) / 86400.0"

_SQLITE_UP = [
    f"UPDATE interpretation SET referral_days = {_SQLITE_DAYS.format(row='')}",
    "CREATE TRIGGER interpretation_referral_days_insert AFTER INSERT ON interpretation"
    " BEGIN UPDATE interpretation SET referral_days = "
    f"{_SQLITE_DAYS.format(row='NEW.')} WHERE id = NEW.id; END",
    "CREATE TRIGGER interpretation_referral_days_update"
    " AFTER UPDATE OF referred_at, performed_at ON interpretation"
    " BEGIN UPDATE interpretation SET referral_days = "
    f"{_SQLITE_DAYS.format(row='NEW.')} WHERE id = NEW.id; END",
]
_SQLITE_DOWN = [
    "DROP TRIGGER interpretation_referral_days_update",
    "DROP TRIGGER interpretation_referral_days_insert",
]
_POSTGRES_UP = [
    f"UPDATE interpretation SET referral_days = {_POSTGRES_DAYS.format(row='')}",
    "CREATE FUNCTION interpretation_referral_days() RETURNS trigger LANGUAGE plpgsql AS $$"
    f" BEGIN NEW.referral_days := {_POSTGRES_DAYS.format(row='NEW.')}; RETURN NEW; END $$",
    "CREATE TRIGGER interpretation_referral_days"
    " BEFORE INSERT OR UPDATE OF referred_at, performed_at ON interpretation"
    " FOR EACH ROW EXECUTE FUNCTION interpretation_referral_days()",
]
_POSTGRES_DOWN = [
    "DROP TRIGGER interpretation_referral_days ON interpretation",
    "DROP FUNCTION interpretation_referral_days()",
]
# The trigger of 0004, dropped with the table when SQLite copies it to drop the column.
_SQLITE_SUPERSEDE = (
    "CREATE TRIGGER interpretation_supersede BEFORE INSERT ON interpretation"
    " BEGIN UPDATE interpretation SET current = 0"
    " WHERE procedure_id = NEW.procedure_id AND current; END"
)


def _covering_index(columns: list[str]) -> None:
    op.create_index(
        INDEX, "interpretation", columns, sqlite_where=CURRENT, postgresql_where=CURRENT
    )


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column("interpretation", sa.Column("referral_days", sa.Float(), nullable=True))
    for statement in _POSTGRES_UP if postgres else _SQLITE_UP:
        op.execute(statement)
    op.drop_index(INDEX, table_name="interpretation")
    _covering_index(OUTCOME_COLUMNS_0007)
    # The dashboard's red-flag count reads each injection's reports by disposition.
    op.create_index(
        "ix_symptom_report_procedure_disposition", "symptom_report", ["procedure_id", "disposition"]
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.drop_index("ix_symptom_report_procedure_disposition", table_name="symptom_report")
    for statement in _POSTGRES_DOWN if postgres else _SQLITE_DOWN:
        op.execute(statement)
    op.drop_index(INDEX, table_name="interpretation")
    with op.batch_alter_table("interpretation") as batch:
        batch.drop_column("referral_days")
    if not postgres:
        op.execute(_SQLITE_SUPERSEDE)
    _covering_index(OUTCOME_COLUMNS_0004)
