"""outcome_summary: the quality figures of the settled injections, by grouping

The whole health system's dashboard counted every injection on each view (SQLite
86-170 ms a statement on 96,000 injections, 3-10 times DuckDB's time for the same
figures). Most injections are settled: their diary has ended, so their figures no longer
change with the day. A build (`sijcare.services.outcome_summary`, run by the worker and
by `sijcare outcomes --refresh`) keeps their figures here, one row per grouping, and the
dashboard adds the few recent months to them. Nothing is read into the table here: the
dashboard counts every injection until the first build.

The covering index of current interpretations now has the injection's month second,
after the kind, instead of third, after the clinic: the recent months are then a range
of it after an equal kind, and SQLite reads them for any kind by skipping over the few
kinds (with the clinic before the month it read every row of the index). The kind stays
first: with the month first, the comparative pairs' scan of the blocks took 125 ms
against 28 ms on SQLite, 40 against 8 ms on PostgreSQL. A clinic's dashboard is as fast
either way (SQLite 24-57 ms a view on the benchmark's population).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

INDEX = "ix_interpretation_current_outcomes"
CURRENT = sa.text("current")
# Two small indexes of rare rows, which PostgreSQL could otherwise find only by reading
# the table: the readings without query columns yet (the dashboard counts them on every
# view, 19 ms) and those without an injection time (the summary counts them apart).
WAITING = sa.text("current AND clinic_id IS NULL")
KIND_CHECK = "ck_interpretation_kind_known"
KINDS = "kind IN ('diagnostic', 'therapeutic')"
UNDATED = sa.text("current AND performed_month IS NULL")
_AFTER_MONTH = [
    "physician", "side", "anesthetic", "steroid", "classification", "performed_at",
    "referred_at", "peak_relief_percent", "relief_at_least_hours", "relief_less_than_hours",
    "responder_2w", "responder_6w", "responder_3m", "sustained_at_least_weeks", "flare",
    "scores", "procedure_id", "patient_id", "anesthetic_action", "referral_days", "current",
]  # fmt: skip
COLUMNS_0007 = ["kind", "clinic_id", "performed_month", *_AFTER_MONTH]
COLUMNS_0012 = ["kind", "performed_month", "clinic_id", *_AFTER_MONTH]


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
    op.create_index(
        "ix_interpretation_current_waiting", "interpretation", ["procedure_id"],
        sqlite_where=WAITING, postgresql_where=WAITING,
    )  # fmt: skip
    op.create_index(
        "ix_interpretation_current_undated", "interpretation", ["kind", "clinic_id"],
        sqlite_where=UNDATED, postgresql_where=UNDATED,
    )  # fmt: skip
    if op.get_bind().dialect.name == "postgresql":
        # The dashboard names every kind to read the recent months' range by index (it
        # cannot skip over the first column): the column must hold no other.
        op.execute(f"ALTER TABLE interpretation ADD CONSTRAINT {KIND_CHECK} CHECK ({KINDS})")
    _covering_index(COLUMNS_0012)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE interpretation DROP CONSTRAINT {KIND_CHECK}")
    _covering_index(COLUMNS_0007)
    op.drop_index("ix_interpretation_current_undated", table_name="interpretation")
    op.drop_index("ix_interpretation_current_waiting", table_name="interpretation")
    op.drop_table("outcome_summary")
