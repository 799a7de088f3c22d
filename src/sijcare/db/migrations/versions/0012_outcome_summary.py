"""outcome_summary: the quality figures of the settled injections, by grouping

The whole health system's dashboard counted every injection on each view (SQLite
86-170 ms a statement on 96,000 injections, 3-10 times DuckDB's time for the same
figures). Most injections are settled: their diary has ended, so their figures no longer
change with the day. A build (`sijcare.services.outcome_summary`, run by the worker and
by `sijcare outcomes --refresh`) keeps their figures here, one row per grouping, and the
dashboard adds the few recent months to them. Nothing is read into the table here: the
dashboard counts every injection until the first build.

The covering index of current interpretations now begins with the injection's month, so
that the recent months are one range of it on both engines (PostgreSQL cannot skip over
leading columns; with the kind and clinic first it read the whole table, 48 ms, against
4 ms for the range). A clinic's dashboard is as fast either way (SQLite 24-57 ms a view
on the benchmark's population before and after).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

INDEX = "ix_interpretation_current_outcomes"
CURRENT = sa.text("current")
_AFTER_MONTH = [
    "physician", "side", "anesthetic", "steroid", "classification", "performed_at",
    "referred_at", "peak_relief_percent", "relief_at_least_hours", "relief_less_than_hours",
    "responder_2w", "responder_6w", "responder_3m", "sustained_at_least_weeks", "flare",
    "scores", "procedure_id", "patient_id", "anesthetic_action", "referral_days", "current",
]  # fmt: skip
COLUMNS_0007 = ["kind", "clinic_id", "performed_month", *_AFTER_MONTH]
COLUMNS_0012 = ["performed_month", "kind", "clinic_id", *_AFTER_MONTH]


def _covering_index(columns: list[str]) -> None:
    op.drop_index(INDEX, table_name="interpretation")
    op.create_index(
        INDEX, "interpretation", columns, sqlite_where=CURRENT, postgresql_where=CURRENT
    )
    # The planners' figures of the new index (SQLite keeps none for it until then).
    op.execute("ANALYZE interpretation")


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outcome_summary",
        sa.Column("grouping", sa.String(length=12), nullable=False),
        sa.Column("knowledge_version", sa.String(length=32), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_before", sa.String(length=7), nullable=False),
        sa.Column("last_interpretation_id", sa.Integer(), nullable=False),
        sa.Column("last_report_id", sa.Integer(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("referral", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("grouping", name=op.f("pk_outcome_summary")),
    )
    _covering_index(COLUMNS_0012)


def downgrade() -> None:
    _covering_index(COLUMNS_0007)
    op.drop_table("outcome_summary")
