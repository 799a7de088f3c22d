"""appointment: the `no_show` status (the patient did not come)

Staff record whether the patient came to an appointment whose time has passed (see
`sijcare.services.attendance`): `completed` or the new `no_show`. The status's CHECK
constraint is replaced; the column's length does not change (`no_show` is shorter than
`cancelled`). Downgrading makes the no-shows `completed` first, since the old constraint
does not allow them: both are past appointments that no longer hold their time.

SQLite copies the table to change a constraint (batch mode), and the copy loses the
triggers that refuse overlapping bookings (migration 0001): they are made again.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD_STATUSES = ("booked", "cancelled", "completed")
NEW_STATUSES = (*OLD_STATUSES, "no_show")

# The overlap triggers of 0001, as it made them.
_OVERLAP = (
    "SELECT RAISE(ABORT, 'appointment overlaps a booked appointment of the same {what}')"
    " WHERE EXISTS (SELECT 1 FROM appointment AS other"
    " WHERE other.{column} = NEW.{column} AND other.status = 'booked'"
    " AND other.starts_at < NEW.ends_at AND other.ends_at > NEW.starts_at{not_self});"
)
_SQLITE_TRIGGERS: dict[str, str] = {}
for _what, _column in (("practitioner", "practitioner_id"), ("room", "room_id")):
    _SQLITE_TRIGGERS[f"appointment_{_what}_no_overlap_insert"] = (
        f"BEFORE INSERT ON appointment WHEN NEW.status = 'booked' AND NEW.{_column} IS NOT NULL"
        f" BEGIN {_OVERLAP.format(what=_what, column=_column, not_self='')} END"
    )
    _SQLITE_TRIGGERS[f"appointment_{_what}_no_overlap_update"] = (
        "BEFORE UPDATE OF status, practitioner_id, room_id, starts_at, ends_at ON appointment"
        f" WHEN NEW.status = 'booked' AND NEW.{_column} IS NOT NULL"
        f" BEGIN {_OVERLAP.format(what=_what, column=_column, not_self=' AND other.id <> NEW.id')}"
        " END"
    )


def _replace_check(statuses: tuple[str, ...]) -> None:
    values = ", ".join(f"'{status}'" for status in statuses)
    # Batch mode: SQLite cannot alter a constraint, so the table is copied.
    with op.batch_alter_table("appointment") as batch:
        batch.drop_constraint(op.f("ck_appointment_status"), type_="check")
        batch.create_check_constraint(
            op.f("ck_appointment_status"), sa.text(f"status IN ({values})")
        )
    if op.get_bind().dialect.name == "sqlite":
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def upgrade() -> None:
    _replace_check(NEW_STATUSES)


def downgrade() -> None:
    op.execute("UPDATE appointment SET status = 'completed' WHERE status = 'no_show'")
    _replace_check(OLD_STATUSES)
