"""e-mail reminders: the outbox and the patients' reminder preferences

`outbox_message` holds every reminder the worker planned, with its delivery result;
`reminder_preference` a patient's choices (on or off, how much a reminder says, quiet
hours). See `sijcare.db.models.outbox_message` and `reminder_preference`.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("email_opt_in", sa.Boolean(), nullable=False),
        sa.Column(
            "detail",
            sa.Enum(
                "minimal",
                "standard",
                "full",
                name="detail",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(quiet_start IS NULL) = (quiet_end IS NULL)",
            name=op.f("ck_reminder_preference_quiet_pair"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_reminder_preference_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["user_account.id"],
            name=op.f("fk_reminder_preference_updated_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_preference")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_reminder_preference_patient_id")),
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "day_before",
                "follow_up",
                "diary_prompt",
                name="kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("procedure_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "sending",
                "sent",
                "failed",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("result", sa.String(length=500), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "(status = 'sent') = (sent_at IS NOT NULL)", name=op.f("ck_outbox_message_sent_status")
        ),
        sa.CheckConstraint(
            "to_address LIKE '%_@_%'", name=op.f("ck_outbox_message_to_address_email")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_message_attempts_not_negative")),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_outbox_message_appointment_id_appointment"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_outbox_message_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id", "clinic_id"],
            ["patient.id", "patient.clinic_id"],
            name="fk_outbox_message_patient_same_clinic",
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedure_record.id"],
            name=op.f("fk_outbox_message_procedure_id_procedure_record"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_message_idempotency_key")),
    )
    op.create_index(
        op.f("ix_outbox_message_clinic_id"), "outbox_message", ["clinic_id"], unique=False
    )
    op.create_index(
        "ix_outbox_message_patient_due", "outbox_message", ["patient_id", "due_at"], unique=False
    )
    op.create_index(
        "ix_outbox_message_status_next",
        "outbox_message",
        ["status", "next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_message_status_next", table_name="outbox_message")
    op.drop_index("ix_outbox_message_patient_due", table_name="outbox_message")
    op.drop_index(op.f("ix_outbox_message_clinic_id"), table_name="outbox_message")
    op.drop_table("outbox_message")
    op.drop_table("reminder_preference")
