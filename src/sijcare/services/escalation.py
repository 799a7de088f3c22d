"""Escalating urgent symptom reports that nobody has acknowledged in time.

A symptom report whose triage disposition is `emergency` or `call_now` (the core's most
urgent ones) is overdue when it is still unacknowledged `escalation.after_minutes`
(knowledge, a clinic rule) after it was sent; the boundary is included. The patient was
told at once whom to call; escalation is the clinic's safety net.

- `overdue(...)`: the overdue reports of the actor's clinic, computed at query time, so
  the inbox can flag them for every clinician of the clinic with no job running; each
  says whether the job has escalated it yet (the inbox says only what was done).
- `escalate_due(...)`: one round of the escalation job (`sijcare escalation`, and each
  cycle of `sijcare worker`): each overdue report, of any clinic, gets one
  `symptom_report.escalate` audit event (actor `system`) and one e-mail in the outbox
  to each active clinician and admin of its clinic, once; a later round skips it. The
  e-mail says only how long an urgent report has waited: no patient data (an e-mail can
  be read by others). The worker sends it at once, quiet hours or not
  (`sijcare.services.outbox`). It returns counts only, never patient data.

Exactly once, even when two rounds run at the same time: each report is escalated in
its own transaction that locks the report's row (PostgreSQL; SQLite's `BEGIN IMMEDIATE`
serializes writers anyway) and then checks for the audit event, so the second round
waits and skips it; the e-mails' idempotency keys (report and recipient, unique) are
the last guard.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sijcare.db.enums import Role
from sijcare.db.models import AuditEvent, OutboxMessage, Pathway, Patient, SymptomReport, User
from sijcare.db.models.outbox_message import OutboxStatus, ReminderKind
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.triage import Disposition
from sijcare.services import access, audit
from sijcare.services.actor import Actor
from sijcare.services.errors import msg, plural_msg
from sijcare.services.reminder_texts import Translations, untranslated

URGENT = (Disposition.EMERGENCY.value, Disposition.CALL_NOW.value)
ACTION = "symptom_report.escalate"
RULE = "escalation.after_minutes"
# Who is told: the clinic's clinicians and its admins (active accounts).
NOTIFIED_ROLES = (Role.CLINICIAN, Role.ADMIN)
# No patient data: not the name, the report, the symptoms or even the disposition.
SUBJECT = msg("Urgent symptom report waiting")


@dataclass(frozen=True)
class Overdue:
    report_id: int
    clinic_id: int
    patient_id: int
    disposition: str
    reported_at: datetime
    minutes_waiting: int
    # The escalation job has told the clinic by e-mail (its audit event exists); until
    # it runs, an overdue report is flagged on the inbox only.
    escalated: bool = False


@dataclass(frozen=True)
class RoundReport:
    overdue: int = 0
    escalated: int = 0
    emails: int = 0  # e-mails queued in the outbox this round

    def summary(self) -> str:
        """One line with counts only (no patient data), for the commands' output."""
        return (
            f"overdue {self.overdue}, escalated now {self.escalated}, e-mails queued {self.emails}"
        )


def deadline(now: datetime, knowledge: Knowledge) -> datetime:
    """Reports sent at or before this moment are overdue when still unacknowledged."""
    return now - timedelta(minutes=knowledge.integer(RULE))


def _overdue_query(now: datetime, knowledge: Knowledge) -> sa.Select[SymptomReport, Patient]:
    return (
        sa.select(SymptomReport, Patient)
        .join(Pathway, Pathway.id == SymptomReport.pathway_id)
        .join(Patient, Patient.id == Pathway.patient_id)
        .where(
            SymptomReport.acknowledged_at.is_(None),
            SymptomReport.disposition.in_(URGENT),
            SymptomReport.reported_at <= deadline(now, knowledge),
        )
        .order_by(SymptomReport.reported_at, SymptomReport.id)
    )


def _as_overdue(report: SymptomReport, patient: Patient, now: datetime) -> Overdue:
    return Overdue(
        report_id=report.id,
        clinic_id=patient.clinic_id,
        patient_id=patient.id,
        disposition=report.disposition,
        reported_at=report.reported_at,
        minutes_waiting=int((now - report.reported_at).total_seconds() // 60),
    )


def overdue(db: Session, *, actor: Actor, now: datetime, knowledge: Knowledge) -> list[Overdue]:
    """The clinic's overdue urgent reports, oldest first (clinicians).

    Ids and times only; a page that shows a patient's details audits that read itself.
    """
    access.require_role(actor, Role.CLINICIAN)
    query = _overdue_query(now, knowledge).where(Patient.clinic_id == actor.clinic_id)
    with db.begin():
        found = [_as_overdue(report, patient, now) for report, patient in db.execute(query)]
        told = _escalated(db, [item.report_id for item in found])
    return [replace(item, escalated=item.report_id in told) for item in found]


def escalate_due(
    db: Session,
    *,
    now: datetime,
    knowledge: Knowledge,
    translations: Translations = untranslated,
) -> RoundReport:
    """Escalate each overdue report not escalated yet: its audit event and its e-mails.

    `translations` gives each recipient's language (the web catalogs; English without).
    """
    with db.begin():
        rows = db.execute(_overdue_query(now, knowledge)).all()
        done = _escalated(db, [report.id for report, _ in rows])
        fresh = [_as_overdue(r, p, now) for r, p in rows if r.id not in done]
    escalated = emails = 0
    for item in fresh:
        try:
            with db.begin():
                queued = _escalate(db, item, now, translations)
        except IntegrityError:
            # Another round queued this report's e-mails first (their idempotency keys).
            continue
        if queued is not None:
            escalated += 1
            emails += queued
    return RoundReport(overdue=len(rows), escalated=escalated, emails=emails)


def _escalated(db: Session, report_ids: list[int]) -> set[int]:
    """Those of `report_ids` that already have their escalation event."""
    if not report_ids:
        return set()
    targets = db.scalars(
        sa.select(AuditEvent.target_id).where(
            AuditEvent.action == ACTION,
            AuditEvent.target_type == "symptom_report",
            AuditEvent.target_id.in_([str(i) for i in report_ids]),
        )
    )
    return {int(target) for target in targets}


def _escalate(db: Session, item: Overdue, now: datetime, translations: Translations) -> int | None:
    """Escalate one report in the open transaction: the number of e-mails queued, or None
    when it needs none any more (acknowledged meanwhile, or another round did it)."""
    # The row lock makes a concurrent round wait here until this one commits; then its
    # check below sees the event. A report acknowledged meanwhile needs no escalation.
    report = db.get(SymptomReport, item.report_id, with_for_update=True, populate_existing=True)
    if report is None or report.acknowledged_at is not None:
        return None
    if _escalated(db, [item.report_id]):
        return None
    recipients = db.scalars(
        sa.select(User)
        .where(
            User.clinic_id == item.clinic_id,
            User.role.in_(NOTIFIED_ROLES),
            User.active.is_(True),
        )
        .order_by(User.id)
    ).all()
    for user in recipients:
        db.add(_email(item, user, now, translations))
    _event(db, item, now, len(recipients))
    db.flush()
    return len(recipients)


def _email(item: Overdue, user: User, now: datetime, translations: Translations) -> OutboxMessage:
    """The e-mail to one member of the staff: due at once, never expiring."""
    catalogue = translations(user.locale)
    return OutboxMessage(
        clinic_id=item.clinic_id,
        # The schema ties every message to a patient of its clinic: the one whose report
        # waits. The patient never sees this message and the e-mail does not name them.
        patient_id=item.patient_id,
        kind=ReminderKind.ESCALATION,
        to_address=user.email,
        locale=user.locale,
        subject=SUBJECT.render(catalogue),
        body=plural_msg(
            "An urgent symptom report has waited {minutes} minute without "
            "acknowledgement. Open the red-flag inbox in sijcare (Red flags) to see it "
            "and acknowledge it.",
            "An urgent symptom report has waited {minutes} minutes without "
            "acknowledgement. Open the red-flag inbox in sijcare (Red flags) to see it "
            "and acknowledge it.",
            "minutes",
            minutes=item.minutes_waiting,
        ).render(catalogue),
        due_at=now,
        expires_at=None,
        next_attempt_at=now,
        status=OutboxStatus.QUEUED,
        attempts=0,
        created_at=now,
        updated_at=now,
        idempotency_key=f"escalation:{item.report_id}:{user.id}",
    )


def _event(db: Session, item: Overdue, now: datetime, emails: int) -> None:
    # The job acts for no user: the event names the system as the actor.
    audit.record_system(
        db,
        action=ACTION,
        at=now,
        clinic_id=item.clinic_id,
        target_type="symptom_report",
        target_id=item.report_id,
        patient_id=item.patient_id,
        detail={
            "disposition": item.disposition,
            "minutes_waiting": item.minutes_waiting,
            "emails_queued": emails,
        },
    )
