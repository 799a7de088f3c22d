"""Which e-mail reminders a patient gets, when, and the patient's choices about them.

Reminders (our decisions; the times are the clinic's rules `reminders.*`):
- day_before: a booked procedure, on the day before it at `reminders.day_before_local_time`
  (the patient's time zone); it says when to arrive, what to bring and the screening's
  eating and medicine steps, as far as the patient's detail level allows. It is no use
  once the procedure starts (`expires_at`), so a late booking still gets it, sent at once.
- follow_up: the same for a booked follow-up visit.
- diary_prompt: each prompt of the core's diary schedule of a documented procedure on an
  active pathway, at the prompt's time, while it is upcoming or due and not answered
  (`sijcare.services.diary.prompt_states`). The prompts inside the anesthetic's window
  are left out when `reminders.diary_window_prompts` is false. One not sent within
  `reminders.diary_prompt_valid_hours` (or before the prompt's answer window closes) is
  dropped rather than sent late.
A patient gets none without an active account (its e-mail address is where reminders
go) or when they turned reminders off. A reminder due inside the quiet hours (the
patient's own, else `reminders.quiet_hours_*`, in the patient's zone; the start is
included, the end excluded) waits until they end; one that would then be too late is
dropped.

The patient chooses in the portal: reminders on or off, how much they say (`DetailLevel`,
see `sijcare.services.reminder_texts`) and their own quiet hours. Staff see the choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import (
    AppointmentKind,
    AppointmentStatus,
    Role,
)
from sijcare.db.models import (
    Appointment,
    Clinic,
    OutboxMessage,
    Patient,
    ReminderPreference,
    User,
)
from sijcare.db.models.outbox_message import OutboxStatus, ReminderKind
from sijcare.db.models.reminder_preference import DetailLevel
from sijcare.domain.diary_schedule import PromptPurpose
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.screening_rules.timeline import parse_clock, wall_clock
from sijcare.services import audit, care_dates, diary, patients, reminder_texts
from sijcare.services.actor import Actor
from sijcare.services.errors import FieldError, Forbidden, Invalid, msg
from sijcare.services.reminder_texts import Clinic as ClinicWords
from sijcare.services.reminder_texts import Translations, VisitFacts, Wording

QUIET_START = "reminders.quiet_hours_start"
QUIET_END = "reminders.quiet_hours_end"
DAY_BEFORE = "reminders.day_before_local_time"
_KEY_TIME = "%Y%m%dT%H%MZ"


@dataclass(frozen=True)
class Preferences:
    """A patient's reminder choices in effect (their own, or the clinic's defaults)."""

    email_opt_in: bool
    detail: DetailLevel
    quiet: tuple[time, time]
    own_quiet: bool  # the patient set their own quiet hours
    chosen: bool  # the patient saved choices (else the clinic's defaults apply)


@dataclass(frozen=True)
class PreferenceChoice:
    """What the patient chooses; quiet hours both set or neither (the clinic's)."""

    email_opt_in: bool
    detail: DetailLevel
    quiet_start: time | None = None
    quiet_end: time | None = None


@dataclass(frozen=True)
class PreferencesView:
    patient_public_id: str
    email: str | None  # where reminders go: the patient's account address
    preferences: Preferences
    clinic_quiet: tuple[time, time]
    updated_at: datetime | None


@dataclass(frozen=True)
class Draft:
    """A reminder planning wants in the outbox; `key` names what it is about."""

    key: str
    kind: ReminderKind
    due_at: datetime
    send_after: datetime  # due_at moved out of the quiet hours
    expires_at: datetime | None
    subject: str
    body: str
    appointment_id: int | None = None
    procedure_id: int | None = None


@dataclass(frozen=True)
class Recipient:
    """A patient who can get reminders: their account's address, language and zone."""

    patient: Patient
    address: str
    locale: str
    zone: str
    clinic: Clinic


# -- the choices ---------------------------------------------------------------------------


def clinic_quiet_hours(knowledge: Knowledge) -> tuple[time, time]:
    return parse_clock(knowledge.text(QUIET_START), QUIET_START), parse_clock(
        knowledge.text(QUIET_END), QUIET_END
    )


def preferences_of(row: ReminderPreference | None, knowledge: Knowledge) -> Preferences:
    """The choices in effect: the patient's row, else the clinic's defaults."""
    clinic_quiet = clinic_quiet_hours(knowledge)
    if row is None:
        return Preferences(
            email_opt_in=knowledge.flag("reminders.email_default_on"),
            detail=DetailLevel(knowledge.text("reminders.default_detail")),
            quiet=clinic_quiet,
            own_quiet=False,
            chosen=False,
        )
    own = row.quiet_start is not None and row.quiet_end is not None
    quiet = (row.quiet_start, row.quiet_end) if own else clinic_quiet
    assert quiet[0] is not None and quiet[1] is not None
    return Preferences(row.email_opt_in, row.detail, (quiet[0], quiet[1]), own, True)


def preference_row(db: Session, patient_id: int) -> ReminderPreference | None:
    return db.scalar(
        sa.select(ReminderPreference).where(ReminderPreference.patient_id == patient_id)
    )


def view_preferences(
    db: Session, *, actor: Actor, public_id: str, knowledge: Knowledge, now: datetime
) -> PreferencesView:
    """The patient's reminder choices (the patient, or staff of their clinic)."""
    with db.begin():
        patient = patients.load(db, actor, public_id)
        view = _view(db, patient, knowledge)
        _audit(db, actor, patient, "reminders.preferences.view", now)
    return view


def update_preferences(
    db: Session,
    *,
    actor: Actor,
    public_id: str,
    choice: PreferenceChoice,
    knowledge: Knowledge,
    now: datetime,
) -> PreferencesView:
    """Save the patient's choices (the patient only). Turning reminders off cancels the
    queued ones at once; the worker plans the rest again on its next round."""
    with db.begin():
        patient = patients.load(db, actor, public_id)
        if actor.role is not Role.PATIENT or actor.patient_id != patient.id:
            raise Forbidden(msg("Only the patient can change their reminder choices."))
        _check_choice(choice)
        row = preference_row(db, patient.id) or ReminderPreference(patient_id=patient.id)
        row.email_opt_in = choice.email_opt_in
        row.detail = choice.detail
        row.quiet_start, row.quiet_end = choice.quiet_start, choice.quiet_end
        row.updated_at, row.updated_by = now, actor.user_id
        db.add(row)
        db.flush()
        if not choice.email_opt_in:
            cancel_queued(db, patient.id, reason="opted_out", now=now)
        detail = {"fields": ["email_opt_in", "detail", "quiet_start", "quiet_end"]}
        _audit(db, actor, patient, "reminders.preferences.update", now, detail)
        view = _view(db, patient, knowledge)
    return view


def _check_choice(choice: PreferenceChoice) -> None:
    start, end = choice.quiet_start, choice.quiet_end
    if (start is None) != (end is None):
        missing = "quiet_end" if end is None else "quiet_start"
        message = msg("Give both times, or leave both empty for the clinic's quiet hours.")
        raise Invalid([FieldError(missing, message)])
    if start is not None and start == end:
        raise Invalid([FieldError("quiet_end", msg("Choose an end different from the start."))])


def _view(db: Session, patient: Patient, knowledge: Knowledge) -> PreferencesView:
    row = preference_row(db, patient.id)
    user = None if patient.user_id is None else db.get(User, patient.user_id)
    return PreferencesView(
        patient_public_id=patient.public_id,
        email=None if user is None or not user.active else user.email,
        preferences=preferences_of(row, knowledge),
        clinic_quiet=clinic_quiet_hours(knowledge),
        updated_at=None if row is None else row.updated_at,
    )


def cancel_queued(db: Session, patient_id: int, *, reason: str, now: datetime) -> int:
    """Cancel the patient's queued reminders; the number cancelled.

    Escalation e-mails to the staff are not the patient's reminders: they stay queued.
    """
    result = db.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.patient_id == patient_id,
            OutboxMessage.status == OutboxStatus.QUEUED,
            OutboxMessage.kind != ReminderKind.ESCALATION,
        )
        .values(status=OutboxStatus.CANCELLED, reason=reason, updated_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _audit(
    db: Session,
    actor: Actor,
    patient: Patient,
    action: str,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    audit.record(
        db,
        actor=actor,
        action=action,
        at=now,
        target_type="patient",
        target_id=patient.public_id,
        patient_id=patient.id,
        detail=detail,
    )


# -- quiet hours ------------------------------------------------------------------------------


def in_quiet_hours(at: datetime, quiet: tuple[time, time], zone: str) -> bool:
    """Whether `at` falls in the quiet hours [start, end) on the wall clock of `zone`;
    a start later than the end runs over midnight."""
    start, end = quiet
    clock = at.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None)
    if start <= end:
        return start <= clock < end
    return clock >= start or clock < end


def after_quiet_hours(at: datetime, quiet: tuple[time, time], zone: str) -> datetime:
    """`at` itself, or the end of the quiet hours it falls in (in UTC)."""
    if not in_quiet_hours(at, quiet, zone):
        return at.astimezone(UTC)
    tz = ZoneInfo(zone)
    local = at.astimezone(tz)
    day = local.date()
    end = wall_clock(day, quiet[1], tz)
    if end <= local:
        end = wall_clock(day + timedelta(days=1), quiet[1], tz)
    return end.astimezone(UTC)


# -- planning ---------------------------------------------------------------------------------


def recipient(db: Session, patient: Patient) -> Recipient | None:
    """Where the patient's reminders go; None without an active account."""
    user = None if patient.user_id is None else db.get(User, patient.user_id)
    clinic = db.get(Clinic, patient.clinic_id)
    if user is None or not user.active or clinic is None:
        return None
    return Recipient(patient, user.email, user.locale, user.time_zone or clinic.time_zone, clinic)


def drafts_for(
    db: Session,
    to: Recipient,
    preferences: Preferences,
    knowledge: Knowledge,
    now: datetime,
    translations: Translations,
) -> list[Draft]:
    """Every reminder the patient should have now (sent or not), from the pathway's state."""
    wording = Wording.of(to.locale, to.zone, translations)
    clinic = ClinicWords.of(to.clinic.name, knowledge)
    drafts = [
        *_visit_drafts(db, to, preferences, knowledge, now, wording, clinic),
        *_prompt_drafts(db, to, preferences, knowledge, now, wording, clinic),
    ]
    return [d for d in drafts if d.expires_at is None or d.send_after < d.expires_at]


def _visit_drafts(
    db: Session,
    to: Recipient,
    preferences: Preferences,
    knowledge: Knowledge,
    now: datetime,
    wording: Wording,
    clinic: ClinicWords,
) -> list[Draft]:
    rows = db.scalars(
        sa.select(Appointment)
        .where(
            Appointment.patient_id == to.patient.id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at > now,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    clock = parse_clock(knowledge.text(DAY_BEFORE), DAY_BEFORE)
    drafts = []
    for appointment in rows:
        facts = visit_facts(db, appointment, to.patient.name, knowledge)
        email = reminder_texts.visit_email(facts, preferences.detail, clinic, wording)
        due = day_before(appointment.starts_at, clock, to.zone)
        kind = (
            ReminderKind.DAY_BEFORE
            if appointment.kind is AppointmentKind.PROCEDURE
            else ReminderKind.FOLLOW_UP
        )
        drafts.append(
            Draft(
                key=f"{kind.value}:appointment:{appointment.id}:{_key_time(appointment.starts_at)}",
                kind=kind,
                due_at=due,
                send_after=after_quiet_hours(max(due, now), preferences.quiet, to.zone),
                expires_at=appointment.starts_at,
                subject=email.subject,
                body=email.body,
                appointment_id=appointment.id,
            )
        )
    return drafts


def day_before(starts_at: datetime, clock: time, zone: str) -> datetime:
    """`clock` on the local day before `starts_at` in `zone` (in UTC)."""
    tz = ZoneInfo(zone)
    return wall_clock(starts_at.astimezone(tz).date() - timedelta(days=1), clock, tz).astimezone(
        UTC
    )


def _key_time(at: datetime) -> str:
    return f"{at.astimezone(UTC):{_KEY_TIME}}"


def visit_facts(
    db: Session, appointment: Appointment, patient_name: str, knowledge: Knowledge
) -> VisitFacts:
    """What a reminder or calendar entry may tell about `appointment`."""
    visit = care_dates.visit_of(db, appointment)
    if appointment.kind is not AppointmentKind.PROCEDURE:
        return VisitFacts(visit, patient_name)
    lead = timedelta(minutes=knowledge.number("instructions.arrive_minutes_before"))
    steps = (
        ()
        if appointment.pathway_id is None
        else tuple(
            s
            for s in care_dates.screening_steps(db, appointment.pathway_id)
            if s.at < appointment.starts_at
        )
    )
    return VisitFacts(
        visit,
        patient_name,
        arrive_by=appointment.starts_at - lead,
        steps=steps,
        driver_required=knowledge.flag("driver.required"),
    )


def _prompt_drafts(
    db: Session,
    to: Recipient,
    preferences: Preferences,
    knowledge: Knowledge,
    now: datetime,
    wording: Wording,
    clinic: ClinicWords,
) -> list[Draft]:
    window_too = knowledge.flag("reminders.diary_window_prompts")
    valid = timedelta(hours=knowledge.number("reminders.diary_prompt_valid_hours"))
    drafts = []
    for record in care_dates.active_procedures(db, to.patient.id):
        prompts = care_dates.procedure_prompts(record, knowledge)
        entries = [e.recorded_at for e in diary.entries_of(db, record.id)]
        states = diary.prompt_states(prompts, entries, record.performed_at, now)
        for view in _wanted(states, window_too):
            due = view.prompt.due_at.astimezone(UTC)
            expires = due + valid if view.closes is None else min(due + valid, view.closes)
            email = reminder_texts.prompt_email(
                view.prompt, to.patient.name, preferences.detail, clinic, wording
            )
            drafts.append(
                Draft(
                    key=f"diary_prompt:procedure:{record.id}:{_key_time(due)}",
                    kind=ReminderKind.DIARY_PROMPT,
                    due_at=due,
                    send_after=after_quiet_hours(max(due, now), preferences.quiet, to.zone),
                    expires_at=expires,
                    subject=email.subject,
                    body=email.body,
                    procedure_id=record.id,
                )
            )
    return drafts


def _wanted(states: Sequence[diary.PromptView], window_too: bool) -> list[diary.PromptView]:
    open_states = (diary.PromptState.UPCOMING, diary.PromptState.DUE)
    return [
        view
        for view in states
        if view.state in open_states
        and (window_too or view.prompt.purpose is not PromptPurpose.ANESTHETIC_WINDOW)
    ]
