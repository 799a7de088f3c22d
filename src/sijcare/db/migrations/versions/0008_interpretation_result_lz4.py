"""interpretation: the stored reading compressed with lz4 on PostgreSQL

Every diary score stores its diary's new reading (`interpretation.result`, about 6 KB of
JSON). PostgreSQL compresses a value that large with its default method, pglz, and that
took a large share of the server's CPU under score writes. lz4 is several times faster
for about the same size. Open loop at 1,000 score writes a second (full population, 2
cores, PostgreSQL on the same machine, alternating runs): p99 150-220 -> 63-85 ms.

Only values written from now on are compressed with lz4; older rows keep pglz, and both
read alike. A server built without lz4 keeps pglz (nothing changes). SQLite: nothing to
do. The column's type is the same, so the models do not change.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# EXECUTE, so that a server without lz4 (feature_not_supported) keeps its default.
_SET = """
DO $$
BEGIN
    EXECUTE 'ALTER TABLE interpretation ALTER COLUMN result SET COMPRESSION {method}';
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_SET.format(method="lz4"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_SET.format(method="default"))
