"""interpretation: the current flag and the outcome dashboard's query columns

Adds `current` (one current interpretation per procedure, kept by a trigger: inserting a
row marks the procedure's earlier rows as no longer current) and the query columns the
outcome dashboard aggregates (see `sijcare.db.models.interpretation`), with a partial
covering index over current rows. Existing rows get their `current` flag here; their
query columns stay empty until `sijcare reinterpret` reads their diaries again.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CURRENT = sa.text("current")
OUTCOME_COLUMNS = [
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
    "current",
]


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("current", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("physician", sa.String(length=200), nullable=True),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("performed_month", sa.String(length=7), nullable=True),
        sa.Column("side", sa.String(length=10), nullable=True),
        sa.Column("anesthetic", sa.String(length=40), nullable=True),
        sa.Column("anesthetic_action", sa.String(length=10), nullable=True),
        sa.Column("steroid", sa.String(length=40), nullable=True),
        sa.Column("baseline_pain", sa.Integer(), nullable=True),
        sa.Column("peak_relief_percent", sa.Float(), nullable=True),
        sa.Column("relief_at_least_hours", sa.Float(), nullable=True),
        sa.Column("relief_less_than_hours", sa.Float(), nullable=True),
        sa.Column("relief_2w", sa.Float(), nullable=True),
        sa.Column("relief_6w", sa.Float(), nullable=True),
        sa.Column("relief_3m", sa.Float(), nullable=True),
        sa.Column("responder_2w", sa.Boolean(), nullable=True),
        sa.Column("responder_6w", sa.Boolean(), nullable=True),
        sa.Column("responder_3m", sa.Boolean(), nullable=True),
        sa.Column("sustained_at_least_weeks", sa.Float(), nullable=True),
        sa.Column("sustained_less_than_weeks", sa.Float(), nullable=True),
        sa.Column("flare", sa.Boolean(), nullable=True),
        sa.Column("onset_day", sa.Integer(), nullable=True),
        sa.Column("scores", sa.Integer(), nullable=True),
    ]


# Only the newest row of each procedure (by computed_at, then id) stays current.
_BACKFILL_CURRENT = (
    "UPDATE interpretation SET current = false WHERE EXISTS ("
    "SELECT 1 FROM interpretation AS newer WHERE newer.procedure_id = interpretation.procedure_id"
    " AND (newer.computed_at > interpretation.computed_at"
    " OR (newer.computed_at = interpretation.computed_at AND newer.id > interpretation.id)))"
)
_SQLITE_UP = [
    "CREATE TRIGGER interpretation_supersede BEFORE INSERT ON interpretation"
    " BEGIN UPDATE interpretation SET current = 0"
    " WHERE procedure_id = NEW.procedure_id AND current; END",
]
_SQLITE_DOWN = ["DROP TRIGGER interpretation_supersede"]
_POSTGRES_UP = [
    "CREATE FUNCTION interpretation_supersede() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN UPDATE interpretation SET current = false"
    " WHERE procedure_id = NEW.procedure_id AND current; NEW.current := true; RETURN NEW; END $$",
    "CREATE TRIGGER interpretation_supersede BEFORE INSERT ON interpretation"
    " FOR EACH ROW EXECUTE FUNCTION interpretation_supersede()",
]
_POSTGRES_DOWN = [
    "DROP TRIGGER interpretation_supersede ON interpretation",
    "DROP FUNCTION interpretation_supersede()",
]


def upgrade() -> None:
    with op.batch_alter_table("interpretation") as batch:
        for column in _columns():
            batch.add_column(column)
        batch.create_foreign_key(
            op.f("fk_interpretation_clinic_id_clinic"), "clinic", ["clinic_id"], ["id"]
        )
        batch.create_foreign_key(
            op.f("fk_interpretation_patient_id_patient"), "patient", ["patient_id"], ["id"]
        )
    op.execute(_BACKFILL_CURRENT)
    op.create_index(
        "uq_interpretation_current_procedure",
        "interpretation",
        ["procedure_id"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    op.create_index(
        "ix_interpretation_current_outcomes",
        "interpretation",
        OUTCOME_COLUMNS,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    op.create_index(
        "ix_interpretation_current_patient_side",
        "interpretation",
        ["patient_id", "side"],
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _POSTGRES_UP if postgres else _SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _POSTGRES_DOWN if postgres else _SQLITE_DOWN:
        op.execute(statement)
    op.drop_index("ix_interpretation_current_patient_side", table_name="interpretation")
    op.drop_index("ix_interpretation_current_outcomes", table_name="interpretation")
    op.drop_index("uq_interpretation_current_procedure", table_name="interpretation")
    with op.batch_alter_table("interpretation") as batch:
        batch.drop_constraint(op.f("fk_interpretation_patient_id_patient"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_interpretation_clinic_id_clinic"), type_="foreignkey")
        for column in reversed(_columns()):
            batch.drop_column(column.name)
