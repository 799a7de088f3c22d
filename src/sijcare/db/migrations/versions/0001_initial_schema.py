"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 18:36:44.751106
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=True),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("user_agent_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index("ix_audit_event_clinic_at", "audit_event", ["clinic_id", "at"], unique=False)
    op.create_index("ix_audit_event_patient_at", "audit_event", ["patient_id", "at"], unique=False)

    op.create_table(
        "clinic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.CheckConstraint("name <> ''", name=op.f("ck_clinic_name_given")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic")),
        sa.UniqueConstraint("name", name=op.f("uq_clinic_name")),
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    op.create_index(
        "ix_login_attempt_email_at", "login_attempt", ["email_hash", "at"], unique=False
    )
    op.create_index("ix_login_attempt_ip_at", "login_attempt", ["ip", "at"], unique=False)

    op.create_table(
        "location",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.CheckConstraint("name <> ''", name=op.f("ck_location_name_given")),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_location_clinic_id_clinic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
        sa.UniqueConstraint("clinic_id", "name", name=op.f("uq_location_clinic_id_name")),
        sa.UniqueConstraint("id", "clinic_id", name=op.f("uq_location_id_clinic_id")),
    )
    op.create_index(op.f("ix_location_clinic_id"), "location", ["clinic_id"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "patient",
                "clinician",
                "scheduler",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "email = lower(email) AND email LIKE '%_@_%'",
            name=op.f("ck_user_account_email_lower_case"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_user_account_clinic_id_clinic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
        sa.UniqueConstraint("id", "clinic_id", name=op.f("uq_user_account_id_clinic_id")),
    )
    op.create_index(op.f("ix_user_account_clinic_id"), "user_account", ["clinic_id"], unique=False)

    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("name <> ''", name=op.f("ck_patient_name_given")),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_patient_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["user_id", "clinic_id"],
            ["user_account.id", "user_account.clinic_id"],
            name="fk_patient_user_same_clinic",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint("id", "clinic_id", name=op.f("uq_patient_id_clinic_id")),
        sa.UniqueConstraint("public_id", name=op.f("uq_patient_public_id")),
        sa.UniqueConstraint("user_id", name=op.f("uq_patient_user_id")),
    )
    op.create_index(op.f("ix_patient_clinic_id"), "patient", ["clinic_id"], unique=False)

    op.create_table(
        "practitioner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("physician", "nurse", name="kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("specialty", sa.String(length=120), nullable=False),
        sa.Column("qualifications", sa.Text(), nullable=False),
        sa.Column("accepts_virtual", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("name <> ''", name=op.f("ck_practitioner_name_given")),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_practitioner_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["user_id", "clinic_id"],
            ["user_account.id", "user_account.clinic_id"],
            name="fk_practitioner_user_same_clinic",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practitioner")),
        sa.UniqueConstraint("id", "clinic_id", name=op.f("uq_practitioner_id_clinic_id")),
        sa.UniqueConstraint("user_id", name=op.f("uq_practitioner_user_id")),
    )
    op.create_index(op.f("ix_practitioner_clinic_id"), "practitioner", ["clinic_id"], unique=False)

    op.create_table(
        "room",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("fluoroscopy", sa.Boolean(), nullable=False),
        sa.CheckConstraint("name <> ''", name=op.f("ck_room_name_given")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_room_location_id_location")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room")),
        sa.UniqueConstraint("id", "location_id", name=op.f("uq_room_id_location_id")),
        sa.UniqueConstraint("location_id", "name", name=op.f("uq_room_location_id_name")),
    )
    op.create_index(op.f("ix_room_location_id"), "room", ["location_id"], unique=False)

    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_web_session_expires_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_web_session_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_session_token_hash")),
    )
    op.create_index(op.f("ix_web_session_user_id"), "web_session", ["user_id"], unique=False)

    op.create_table(
        "availability_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("start_local", sa.Time(), nullable=True),
        sa.Column("end_local", sa.Time(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "(all_day AND start_local IS NULL AND end_local IS NULL) OR (NOT all_day AND start_local IS NOT NULL AND end_local IS NOT NULL AND start_local < end_local)",
            name=op.f("ck_availability_exception_all_day_or_hours"),
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioner.id"],
            name=op.f("fk_availability_exception_practitioner_id_practitioner"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_exception")),
    )
    op.create_index(
        op.f("ix_availability_exception_practitioner_id"),
        "availability_exception",
        ["practitioner_id"],
        unique=False,
    )

    op.create_table(
        "pathway",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column(
            "side",
            sa.Enum(
                "left", "right", "bilateral", name="side", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "diagnostic", "therapeutic", name="kind", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("active", "closed", name="status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("covers_left", sa.Boolean(), nullable=False),
        sa.Column("covers_right", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("close_reason", sa.String(length=500), nullable=False),
        sa.CheckConstraint(
            "(status = 'closed') = (closed_at IS NOT NULL)", name=op.f("ck_pathway_closed_status")
        ),
        sa.CheckConstraint(
            "covers_left = (side IN ('left', 'bilateral')) AND covers_right = (side IN ('right', 'bilateral'))",
            name=op.f("ck_pathway_covers_match_side"),
        ),
        sa.CheckConstraint(
            "(closed_at IS NULL) = (closed_by IS NULL)", name=op.f("ck_pathway_closed_pair")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["user_account.id"], name=op.f("fk_pathway_closed_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["user_account.id"], name=op.f("fk_pathway_opened_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_pathway_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway")),
    )
    op.create_index(op.f("ix_pathway_patient_id"), "pathway", ["patient_id"], unique=False)
    op.create_index(
        "uq_pathway_one_active_left",
        "pathway",
        ["patient_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active' AND covers_left"),
        postgresql_where=sa.text("status = 'active' AND covers_left"),
    )
    op.create_index(
        "uq_pathway_one_active_right",
        "pathway",
        ["patient_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active' AND covers_right"),
        postgresql_where=sa.text("status = 'active' AND covers_right"),
    )

    op.create_table(
        "practitioner_location",
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_practitioner_location_location_id_location"),
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioner.id"],
            name=op.f("fk_practitioner_location_practitioner_id_practitioner"),
        ),
        sa.PrimaryKeyConstraint(
            "practitioner_id", "location_id", name=op.f("pk_practitioner_location")
        ),
    )
    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("pathway_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "procedure", "follow_up", name="kind", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column(
            "mode",
            sa.Enum("in_person", "virtual", name="mode", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "booked",
                "cancelled",
                "completed",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL)",
            name=op.f("ck_appointment_cancelled_status"),
        ),
        sa.CheckConstraint(
            "NOT (kind = 'procedure' AND mode = 'virtual')",
            name=op.f("ck_appointment_procedure_in_person"),
        ),
        sa.CheckConstraint(
            "mode = 'in_person' OR room_id IS NULL", name=op.f("ck_appointment_virtual_has_no_room")
        ),
        sa.CheckConstraint(
            "(cancelled_at IS NULL) = (cancelled_by IS NULL)",
            name=op.f("ck_appointment_cancelled_pair"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_appointment_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["cancelled_by"],
            ["user_account.id"],
            name=op.f("fk_appointment_cancelled_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_appointment_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_appointment_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["location_id", "clinic_id"],
            ["location.id", "location.clinic_id"],
            name="fk_appointment_location_same_clinic",
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_appointment_pathway_id_pathway")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id", "clinic_id"],
            ["patient.id", "patient.clinic_id"],
            name="fk_appointment_patient_same_clinic",
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id", "clinic_id"],
            ["practitioner.id", "practitioner.clinic_id"],
            name="fk_appointment_practitioner_same_clinic",
        ),
        sa.ForeignKeyConstraint(
            ["room_id", "location_id"],
            ["room.id", "room.location_id"],
            name="fk_appointment_room_at_location",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_appointment_idempotency_key")),
    )
    op.create_index(op.f("ix_appointment_pathway_id"), "appointment", ["pathway_id"], unique=False)
    op.create_index(
        "ix_appointment_patient_start", "appointment", ["patient_id", "starts_at"], unique=False
    )
    op.create_index(
        "uq_appointment_practitioner_start_booked",
        "appointment",
        ["practitioner_id", "starts_at"],
        unique=True,
        sqlite_where=sa.text("status = 'booked'"),
        postgresql_where=sa.text("status = 'booked'"),
    )
    op.create_index(
        "uq_appointment_room_start_booked",
        "appointment",
        ["room_id", "starts_at"],
        unique=True,
        sqlite_where=sa.text("status = 'booked'"),
        postgresql_where=sa.text("status = 'booked'"),
    )

    op.create_table(
        "availability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_local", sa.Time(), nullable=False),
        sa.Column("end_local", sa.Time(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "slot_minutes BETWEEN 5 AND 480", name=op.f("ck_availability_slot_minutes_range")
        ),
        sa.CheckConstraint(
            "start_local < end_local", name=op.f("ck_availability_starts_before_end")
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_availability_valid_range")
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_availability_weekday_range")),
        sa.ForeignKeyConstraint(
            ["practitioner_id", "location_id"],
            ["practitioner_location.practitioner_id", "practitioner_location.location_id"],
            name="fk_availability_practitioner_location",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability")),
    )
    op.create_index(
        op.f("ix_availability_practitioner_id"), "availability", ["practitioner_id"], unique=False
    )

    op.create_table(
        "clinician_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("about", sa.String(length=80), nullable=False),
        sa.Column(
            "decision",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=False),
        sa.CheckConstraint("about <> ''", name=op.f("ck_clinician_decision_about_given")),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["user_account.id"],
            name=op.f("fk_clinician_decision_decided_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_clinician_decision_pathway_id_pathway")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinician_decision")),
    )
    op.create_index(
        op.f("ix_clinician_decision_pathway_id"), "clinician_decision", ["pathway_id"], unique=False
    )

    op.create_table(
        "consent_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column(
            "plan_snapshot",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "confirmed",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agreed_by", sa.Integer(), nullable=False),
        sa.Column("witnessed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("witnessed_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(witnessed_at IS NULL) = (witnessed_by IS NULL)",
            name=op.f("ck_consent_record_witnessed_pair"),
        ),
        sa.ForeignKeyConstraint(
            ["agreed_by"],
            ["user_account.id"],
            name=op.f("fk_consent_record_agreed_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_consent_record_pathway_id_pathway")
        ),
        sa.ForeignKeyConstraint(
            ["witnessed_by"],
            ["user_account.id"],
            name=op.f("fk_consent_record_witnessed_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_record")),
    )
    op.create_index(
        op.f("ix_consent_record_pathway_id"), "consent_record", ["pathway_id"], unique=False
    )

    op.create_table(
        "driver",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("relationship", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.CheckConstraint("name <> ''", name=op.f("ck_driver_name_given")),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_driver_pathway_id_pathway")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["user_account.id"], name=op.f("fk_driver_recorded_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_driver")),
    )
    op.create_index(op.f("ix_driver_pathway_id"), "driver", ["pathway_id"], unique=False)

    op.create_table(
        "screening_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("knowledge_version", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(status = 'draft') = (submitted_at IS NULL)",
            name=op.f("ck_screening_response_submitted_status"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'reviewed')",
            name=op.f("ck_screening_response_status_known"),
        ),
        sa.CheckConstraint(
            "(submitted_at IS NULL) = (submitted_by IS NULL)",
            name=op.f("ck_screening_response_submitted_pair"),
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_screening_response_pathway_id_pathway")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["user_account.id"],
            name=op.f("fk_screening_response_submitted_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_response")),
    )
    op.create_index(
        op.f("ix_screening_response_pathway_id"), "screening_response", ["pathway_id"], unique=False
    )

    op.create_table(
        "procedure_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("consent_record_id", sa.Integer(), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "diagnostic", "therapeutic", name="kind", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column(
            "side",
            sa.Enum(
                "left", "right", "bilateral", name="side", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("documented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("documented_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_record_id"],
            ["consent_record.id"],
            name=op.f("fk_procedure_record_consent_record_id_consent_record"),
        ),
        sa.ForeignKeyConstraint(
            ["documented_by"],
            ["user_account.id"],
            name=op.f("fk_procedure_record_documented_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_procedure_record_pathway_id_pathway")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_record")),
        sa.UniqueConstraint("pathway_id", name=op.f("uq_procedure_record_pathway_id")),
    )
    op.create_table(
        "diary_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pain", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("activity_done", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.CheckConstraint("pain BETWEEN 0 AND 10", name=op.f("ck_diary_entry_pain_range")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_diary_entry_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedure_record.id"],
            name=op.f("fk_diary_entry_procedure_id_procedure_record"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diary_entry")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_diary_entry_idempotency_key")),
        sa.UniqueConstraint(
            "procedure_id", "recorded_at", name=op.f("uq_diary_entry_procedure_id_recorded_at")
        ),
    )
    op.create_index(
        op.f("ix_diary_entry_procedure_id"), "diary_entry", ["procedure_id"], unique=False
    )

    op.create_table(
        "interpretation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("classification", sa.String(length=40), nullable=False),
        sa.Column("knowledge_version", sa.String(length=32), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_off_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(signed_off_at IS NULL) = (signed_off_by IS NULL)",
            name=op.f("ck_interpretation_signed_off_pair"),
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedure_record.id"],
            name=op.f("fk_interpretation_procedure_id_procedure_record"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_off_by"],
            ["user_account.id"],
            name=op.f("fk_interpretation_signed_off_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interpretation")),
    )
    op.create_index(
        op.f("ix_interpretation_procedure_id"), "interpretation", ["procedure_id"], unique=False
    )

    op.create_table(
        "symptom_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=False),
        sa.Column(
            "report",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("disposition", sa.String(length=40), nullable=False),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("knowledge_version", sa.String(length=32), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("acknowledged_note", sa.String(length=1000), nullable=True),
        sa.CheckConstraint(
            "(acknowledged_at IS NULL) = (acknowledged_by IS NULL)",
            name=op.f("ck_symptom_report_acknowledged_pair"),
        ),
        sa.CheckConstraint(
            "acknowledged_note IS NULL OR acknowledged_at IS NOT NULL",
            name=op.f("ck_symptom_report_note_needs_acknowledgement"),
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["user_account.id"],
            name=op.f("fk_symptom_report_acknowledged_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_symptom_report_pathway_id_pathway")
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedure_record.id"],
            name=op.f("fk_symptom_report_procedure_id_procedure_record"),
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"],
            ["user_account.id"],
            name=op.f("fk_symptom_report_reported_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_symptom_report")),
    )
    op.create_index(
        op.f("ix_symptom_report_pathway_id"), "symptom_report", ["pathway_id"], unique=False
    )

    create_invariants()


def downgrade() -> None:
    drop_invariants()
    op.drop_table("symptom_report")
    op.drop_table("interpretation")
    op.drop_table("diary_entry")
    op.drop_table("procedure_record")
    op.drop_table("screening_response")
    op.drop_table("driver")
    op.drop_table("consent_record")
    op.drop_table("clinician_decision")
    op.drop_table("availability")
    op.drop_table("appointment")
    op.drop_table("practitioner_location")
    op.drop_table("pathway")
    op.drop_table("availability_exception")
    op.drop_table("web_session")
    op.drop_table("room")
    op.drop_table("practitioner")
    op.drop_table("patient")
    op.drop_table("user_account")
    op.drop_table("location")
    op.drop_table("login_attempt")
    op.drop_table("clinic")
    op.drop_table("audit_event")


# Invariants that table definitions cannot express portably: no overlapping booked
# appointments per practitioner or room, and an append-only audit log. PostgreSQL uses an
# exclusion constraint (btree_gist) and a trigger function; SQLite uses triggers, which
# are race-free there because SQLite has one writer at a time.
_OVERLAP = (
    "SELECT RAISE(ABORT, 'appointment overlaps a booked appointment of the same {what}')"
    " WHERE EXISTS (SELECT 1 FROM appointment AS other"
    " WHERE other.{column} = NEW.{column} AND other.status = 'booked'"
    " AND other.starts_at < NEW.ends_at AND other.ends_at > NEW.starts_at{not_self});"
)
_SQLITE_TRIGGERS = {
    "audit_event_no_update": "BEFORE UPDATE ON audit_event"
    " BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "audit_event_no_delete": "BEFORE DELETE ON audit_event"
    " BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
}
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

_POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE appointment ADD CONSTRAINT ex_appointment_practitioner_overlap"
    " EXCLUDE USING gist (practitioner_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)"
    " WHERE (status = 'booked')",
    "ALTER TABLE appointment ADD CONSTRAINT ex_appointment_room_overlap"
    " EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)"
    " WHERE (status = 'booked' AND room_id IS NOT NULL)",
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN RAISE EXCEPTION 'audit_event is append-only' USING ERRCODE = 'integrity_constraint_violation';"
    " END $$",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event"
    " FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
]
_POSTGRES_DOWN = [
    "DROP TRIGGER audit_event_no_truncate ON audit_event",
    "DROP TRIGGER audit_event_no_change ON audit_event",
    "DROP FUNCTION audit_event_append_only()",
    "ALTER TABLE appointment DROP CONSTRAINT ex_appointment_room_overlap",
    "ALTER TABLE appointment DROP CONSTRAINT ex_appointment_practitioner_overlap",
]


def create_invariants() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _POSTGRES_UP:
            op.execute(statement)
    else:
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def drop_invariants() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _POSTGRES_DOWN:
            op.execute(statement)
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
