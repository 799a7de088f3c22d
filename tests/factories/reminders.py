"""Factories for reminders: outbox messages, preferences, and a pathway worth reminding of.

`prepared_pathway` goes through the real services: a therapeutic injection under
moderate sedation (so fasting applies) is planned and booked, the patient answers the
screening listing Eliquis, and (unless `hold=False`) the clinician records a hold
confirmed with the prescriber, so the core gives a last dose and a restart.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy.orm import Session

from factories import _save
from factories.workspace import APIXABAN, Story, answers
from sijcare.db.enums import Kind, Side
from sijcare.db.models import OutboxMessage, Pathway, Patient, ReminderPreference, User
from sijcare.db.models.outbox_message import OutboxStatus, ReminderKind
from sijcare.db.models.reminder_preference import DetailLevel
from sijcare.domain.intake import HoldDecision, ProcedurePlan
from sijcare.domain.procedure import Sedation
from sijcare.services import screening, screening_review
from sijcare.settings import SmtpSettings

# Tuesday 10 March 2026, 08:00 PDT: two days after the clocks went forward.
PROCEDURE_AT = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
# Monday 2 March 2026, 08:00 PST.
PLANNED_AT = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def make_outbox_message(
    db: Session, *, patient: Patient, clinic_id: int | None = None, **overrides: Any
) -> OutboxMessage:
    due = overrides.pop("due_at", PLANNED_AT)
    values: dict[str, Any] = {
        "clinic_id": clinic_id or patient.clinic_id,
        "patient_id": patient.id,
        "kind": ReminderKind.FOLLOW_UP,
        "to_address": "patient@example.org",
        "locale": "en",
        "subject": "Reminder: your appointment",
        "body": "Hello,\n",
        "due_at": due,
        "expires_at": None,
        "next_attempt_at": due,
        "status": OutboxStatus.QUEUED,
        "attempts": 0,
        "created_at": due - timedelta(days=1),
        "updated_at": due - timedelta(days=1),
        "idempotency_key": f"test:{patient.id}:{due.isoformat()}:{overrides.get('kind', '')}",
    }
    return _save(db, OutboxMessage(**(values | overrides)))


def make_reminder_preference(
    db: Session, *, patient: Patient, updated_by: User, **overrides: Any
) -> ReminderPreference:
    values: dict[str, Any] = {
        "patient_id": patient.id,
        "email_opt_in": True,
        "detail": DetailLevel.STANDARD,
        "quiet_start": None,
        "quiet_end": None,
        "updated_at": datetime(2026, 2, 1, tzinfo=UTC),
        "updated_by": updated_by.id,
    }
    return _save(db, ReminderPreference(**(values | overrides)))


def prepared_pathway(
    story: Story,
    *,
    starts_at: datetime = PROCEDURE_AT,
    hold: bool = True,
    sedation: Sedation = Sedation.MODERATE,
) -> Pathway:
    """A booked, screened therapeutic pathway of `personas.patient` (see the docstring)."""
    pathway = story.pathway(kind=Kind.THERAPEUTIC, side=Side.LEFT)
    story.book(pathway, starts_at)
    plan = ProcedurePlan(
        kind=Kind.THERAPEUTIC,
        side=Side.LEFT,
        anesthetic_agent="bupivacaine",
        steroid_agent="triamcinolone",
        sedation=sedation,
    )
    screening.plan_injection(
        story.db,
        actor=story.actor("clinician"),
        pathway_id=pathway.id,
        plan=plan,
        knowledge=story.knowledge,
        now=PLANNED_AT - timedelta(days=2),
    )
    response = screening.submit(
        story.db,
        actor=story.actor("patient"),
        pathway_id=pathway.id,
        answers=answers(medicines=[APIXABAN]),
        driver=screening.DriverDetails("Robin Patient", "+1 310-555-0199", "partner"),
        knowledge=story.knowledge,
        now=PLANNED_AT - timedelta(days=1),
    )
    if hold:
        screening_review.decide_medicine(
            story.db,
            actor=story.actor("clinician"),
            pathway_id=pathway.id,
            decision=screening_review.MedicineDecision(
                response_id=response.id,
                medicine=APIXABAN["name"],
                decision=HoldDecision.HOLD,
                confirmed_with_prescriber=True,
                prescriber="Dr. Prescriber",
                confirmed_on=date(2026, 3, 1),
            ),
            knowledge=story.knowledge,
            now=PLANNED_AT - timedelta(hours=12),
        )
    return pathway


# -- a real SMTP server on this machine ----------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class MailServer:
    """An aiosmtpd server on 127.0.0.1 in a thread. `refuse` makes it answer RCPT with
    that reply (like "451 4.3.0 Try again later") instead of accepting."""

    refuse: str | None = None
    received: list[Envelope] = field(default_factory=list)
    port: int = field(default_factory=free_port)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: SmtpSession,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self.refuse is not None:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        self.received.append(envelope)
        return f"250 2.0.0 Ok: queued as TEST{len(self.received)}"

    def settings(self) -> SmtpSettings:
        return SmtpSettings(
            host="127.0.0.1",
            port=self.port,
            sender="reminders@westside.example",
            starttls=False,
            timeout_seconds=5,
        )

    def start(self) -> Controller:
        controller = Controller(self, hostname="127.0.0.1", port=self.port)
        controller.start()
        return controller
