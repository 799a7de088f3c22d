"""interpretation: the stored reading as json text, not jsonb, on PostgreSQL

Every diary score stores its diary's new reading (`interpretation.result`, 6-8 KB). As
jsonb, PostgreSQL parsed each one into its binary form as it was written: 82-90 us of
the server's CPU a row against 34 us as json (10,000 rows, lz4 both). No query reads
inside the document (the dashboard reads the query columns beside it), so nothing used
jsonb's binary form. json also keeps the document exactly as the app wrote it, keys in
the core's order, which is what a record of a reading and its inputs should be. Open
loop at 1,000 score writes a second (full population, 2 cores, alternating runs): the
server's CPU a write 545-556 -> 468-489 us, median latency 14.9-18.0 -> 12.5-16.4 ms.

Changing the type rewrites the table and resets the column's compression, so lz4 is set
again (as migration 0008 does). SQLite: nothing to do (its JSON is text already).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TYPE = "ALTER TABLE interpretation ALTER COLUMN result TYPE {type} USING result::{type}"
# As in 0008: EXECUTE, so that a server without lz4 (feature_not_supported) keeps its
# default.
_LZ4 = """
DO $$
BEGIN
    EXECUTE 'ALTER TABLE interpretation ALTER COLUMN result SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_TYPE.format(type="json"))
        op.execute(_LZ4)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_TYPE.format(type="jsonb"))
        op.execute(_LZ4)
