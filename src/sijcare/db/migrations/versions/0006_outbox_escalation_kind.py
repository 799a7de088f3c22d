"""outbox: the `escalation` kind (staff e-mail about an unacknowledged urgent report)

`outbox_message.kind` may now be `escalation` (see `sijcare.services.escalation`): the
kind's CHECK constraint is replaced. The column's length does not change. Downgrading
deletes the escalation messages first, since the old constraint does not allow them.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"  # renumbered by the lead: 0005 is the symptom-report idempotency key
branch_labels = None
depends_on = None

OLD_KINDS = ("day_before", "follow_up", "diary_prompt")
NEW_KINDS = (*OLD_KINDS, "escalation")


def _replace_check(kinds: tuple[str, ...]) -> None:
    values = ", ".join(f"'{kind}'" for kind in kinds)
    # Batch mode: SQLite cannot alter a constraint, so the table is copied.
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_constraint(op.f("ck_outbox_message_kind"), type_="check")
        batch.create_check_constraint(
            op.f("ck_outbox_message_kind"), sa.text(f"kind IN ({values})")
        )


def upgrade() -> None:
    _replace_check(NEW_KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM outbox_message WHERE kind = 'escalation'")
    _replace_check(OLD_KINDS)
