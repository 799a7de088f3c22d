"""The JSON API of reminders: a patient's choices and messages, and the clinic's outbox."""

from __future__ import annotations

from datetime import datetime, time

from fastapi import APIRouter
from pydantic import BaseModel, Field

from sijcare.db.models.outbox_message import OutboxStatus, ReminderKind
from sijcare.db.models.reminder_preference import DetailLevel
from sijcare.services import outbox_status, reminders
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.limits import PatientId

router = APIRouter(prefix="/api/v1", tags=["reminders"])


class PreferencesOut(BaseModel):
    email: str | None = Field(description="Where reminders go (the patient's account)")
    email_opt_in: bool
    detail: DetailLevel = Field(description="minimal | standard | full")
    quiet_start: time = Field(description="Local time, the patient's zone (included)")
    quiet_end: time = Field(description="Local time (excluded)")
    own_quiet_hours: bool = Field(description="False: the clinic's quiet hours apply")
    chosen: bool = Field(description="False: the clinic's defaults apply")
    updated_at: datetime | None

    @classmethod
    def of(cls, view: reminders.PreferencesView) -> PreferencesOut:
        p = view.preferences
        return cls(
            email=view.email,
            email_opt_in=p.email_opt_in,
            detail=p.detail,
            quiet_start=p.quiet[0],
            quiet_end=p.quiet[1],
            own_quiet_hours=p.own_quiet,
            chosen=p.chosen,
            updated_at=view.updated_at,
        )


class PreferencesIn(BaseModel):
    email_opt_in: bool
    detail: DetailLevel
    quiet_start: time | None = Field(None, description="Both or neither (the clinic's)")
    quiet_end: time | None = None


class MessageOut(BaseModel):
    id: int
    patient_id: str = Field(description="The patient's public id")
    kind: ReminderKind
    to_address: str
    subject: str
    due_at: datetime
    status: OutboxStatus
    attempts: int
    last_attempt_at: datetime | None
    last_error: str
    result: str = Field(description="The mail server's reply that accepted it")
    sent_at: datetime | None
    reason: str = Field(description="Why it was cancelled")

    @classmethod
    def of(cls, row: outbox_status.OutboxRow) -> MessageOut:
        values = {k: v for k, v in vars(row).items() if k in cls.model_fields}
        return cls(**values | {"patient_id": row.patient_public_id})


@router.get(
    "/patients/{patient_id}/reminder-preferences",
    response_model=PreferencesOut,
    responses=errors(401, 403, 404),
)
def get_preferences(patient_id: PatientId, ctx: SignedIn) -> PreferencesOut:
    """The patient's reminder choices in effect (the patient or their clinic's staff)."""
    view = reminders.view_preferences(
        ctx.db, actor=ctx.me, public_id=patient_id, knowledge=ctx.platform.knowledge, now=ctx.now
    )
    return PreferencesOut.of(view)


@router.put(
    "/patients/{patient_id}/reminder-preferences",
    response_model=PreferencesOut,
    responses=errors(401, 403, 404, 422),
)
def put_preferences(patient_id: PatientId, body: PreferencesIn, ctx: SignedIn) -> PreferencesOut:
    """Save the patient's choices (the patient only); turning reminders off cancels the
    queued ones."""
    view = reminders.update_preferences(
        ctx.db,
        actor=ctx.me,
        public_id=patient_id,
        choice=reminders.PreferenceChoice(
            body.email_opt_in, body.detail, body.quiet_start, body.quiet_end
        ),
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    return PreferencesOut.of(view)


@router.get(
    "/patients/{patient_id}/reminders",
    response_model=list[MessageOut],
    responses=errors(401, 403, 404),
)
def patient_messages(patient_id: PatientId, ctx: SignedIn) -> list[MessageOut]:
    """The patient's reminders, the most recently due first (cancelled ones left out)."""
    rows = outbox_status.list_for_patient(ctx.db, actor=ctx.me, public_id=patient_id, now=ctx.now)
    return [MessageOut.of(r) for r in rows]


@router.get("/outbox", response_model=list[MessageOut], responses=errors(401, 403, 422))
def clinic_outbox(ctx: SignedIn, status: OutboxStatus | None = None) -> list[MessageOut]:
    """The clinic's reminders for staff; all but the cancelled ones unless `status` asks."""
    rows = outbox_status.list_outbox(ctx.db, actor=ctx.me, now=ctx.now, status=status)
    return [MessageOut.of(r) for r in rows]
