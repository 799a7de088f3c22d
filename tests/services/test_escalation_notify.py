"""Escalation reaches people: an overdue urgent symptom report queues one e-mail, with no
patient data, to each active clinician and admin of its clinic, once (also when two
rounds run at the same time), and the worker sends it at once, quiet hours or not.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from factories import make_patient, make_user
from factories.clinical import make_documented, make_symptom_report
from factories.reminders import MailServer, make_reminder_preference
from fixtures_db import Personas
from sijcare import knowledge as knowledge_loader
from sijcare.cli.worker import run_worker
from sijcare.db.engine import session_factory
from sijcare.db.enums import Role
from sijcare.db.models import AuditEvent, OutboxMessage, Pathway, Patient, SymptomReport, User
from sijcare.db.models.outbox_message import OutboxStatus, ReminderKind
from sijcare.domain.knowledge import Knowledge
from sijcare.services import escalation, outbox, outbox_status
from sijcare.services.actor import Origin, load_actor
from sijcare.services.smtp import SmtpSender
from sijcare.settings import Environment, Secret, Settings
from sijcare.web import i18n

# 06:00 UTC: 22:00 in Los Angeles, inside the clinic's quiet hours (21:00 to 08:00).
NOW = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
AFTER = 30  # minutes: the clinic's escalation time in these tests


@pytest.fixture
def knowledge_30() -> Knowledge:
    return knowledge_loader.apply_overrides(
        knowledge_loader.load(), {"escalation.after_minutes": AFTER}
    )


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer()
    controller = server.start()
    yield server
    controller.stop()


def pathway_for(db: Session, patient: Patient, clinician: User) -> Pathway:
    record = make_documented(db, patient=patient, clinician=clinician)
    with db.begin():
        pathway = db.get_one(Pathway, record.pathway_id)
    db.expunge_all()
    return pathway


def urgent_report(
    db: Session, personas: Personas, minutes_ago: int, **overrides: object
) -> SymptomReport:
    patient = personas.patient.patient
    assert patient is not None
    pathway = pathway_for(db, patient, personas.clinician.user)
    values = {"disposition": "emergency", "reported_at": NOW - timedelta(minutes=minutes_ago)}
    return make_symptom_report(
        db, pathway=pathway, reported_by=personas.patient.user, **(values | overrides)
    )


def escalation_emails(db: Session) -> list[OutboxMessage]:
    with db.begin():
        rows = list(
            db.scalars(
                sa.select(OutboxMessage)
                .where(OutboxMessage.kind == ReminderKind.ESCALATION)
                .order_by(OutboxMessage.id)
            )
        )
    db.expunge_all()
    return rows


def escalation_events(db: Session) -> list[AuditEvent]:
    with db.begin():
        rows = list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == escalation.ACTION)))
    db.expunge_all()
    return rows


def more_staff(db: Session, personas: Personas) -> dict[str, User]:
    """A second clinician (Spanish) and a clinician whose account is turned off."""
    with db.begin():
        users = {
            "second": make_user(
                db,
                clinic=personas.clinic,
                role=Role.CLINICIAN,
                email="nurse@example.org",
                locale="es",
            ),
            "inactive": make_user(
                db,
                clinic=personas.clinic,
                role=Role.CLINICIAN,
                email="gone@example.org",
                active=False,
            ),
        }
    db.expunge_all()
    return users


def test_an_overdue_report_emails_each_clinician_and_admin_of_its_clinic_once(
    db: Session, personas: Personas, knowledge_30: Knowledge
) -> None:
    staff = more_staff(db, personas)
    report = urgent_report(db, personas, minutes_ago=AFTER)  # the boundary is included
    first = escalation.escalate_due(db, now=NOW, knowledge=knowledge_30)
    again = escalation.escalate_due(db, now=NOW + timedelta(hours=1), knowledge=knowledge_30)
    assert (first.overdue, first.escalated, first.emails) == (1, 1, 3)
    assert (again.overdue, again.escalated, again.emails) == (1, 0, 0)
    emails = escalation_emails(db)
    assert sorted(m.to_address for m in emails) == sorted(
        [personas.clinician.email, personas.admin.email, staff["second"].email]
    )
    # Not the scheduler, the patients, the inactive account or the other clinic's staff.
    for address in (
        personas.scheduler.email,
        personas.patient.email,
        personas.outsider.email,
        "gone@example.org",
    ):
        assert address not in {m.to_address for m in emails}
    assert all(m.status is OutboxStatus.QUEUED and m.expires_at is None for m in emails)
    assert all(m.next_attempt_at == NOW and m.clinic_id == personas.clinic.id for m in emails)
    events = escalation_events(db)
    assert [e.target_id for e in events] == [str(report.id)]
    assert events[0].detail["emails_queued"] == 3


@pytest.mark.parametrize(
    ("minutes_ago", "acknowledged", "disposition"),
    [
        pytest.param(AFTER - 1, False, "emergency", id="before-the-deadline"),
        pytest.param(AFTER * 10, True, "emergency", id="acknowledged"),
        pytest.param(AFTER * 10, False, "call_soon", id="not-urgent"),
    ],
)
def test_no_email_for_a_report_that_is_not_overdue(
    minutes_ago: int,
    acknowledged: bool,
    disposition: str,
    db: Session,
    personas: Personas,
    knowledge_30: Knowledge,
) -> None:
    ack = (
        {"acknowledged_at": NOW, "acknowledged_by": personas.clinician.user.id}
        if acknowledged
        else {}
    )
    urgent_report(db, personas, minutes_ago=minutes_ago, disposition=disposition, **ack)
    report = escalation.escalate_due(db, now=NOW, knowledge=knowledge_30)
    assert (report.escalated, report.emails) == (0, 0)
    assert escalation_emails(db) == [] and escalation_events(db) == []


def test_another_clinics_report_emails_only_that_clinics_staff(
    db: Session, personas: Personas, knowledge_30: Knowledge
) -> None:
    with db.begin():
        east = make_user(db, clinic=personas.other_clinic, role=Role.PATIENT)
        patient = make_patient(db, clinic=personas.other_clinic, user=east)
    db.expunge_all()
    pathway = pathway_for(db, patient, personas.outsider.user)
    make_symptom_report(
        db,
        pathway=pathway,
        reported_by=east,
        disposition="call_now",
        reported_at=NOW - timedelta(hours=2),
    )
    escalation.escalate_due(db, now=NOW, knowledge=knowledge_30)
    emails = escalation_emails(db)
    assert [m.to_address for m in emails] == [personas.outsider.email]
    assert emails[0].clinic_id == personas.other_clinic.id


def test_the_email_has_no_patient_data(
    db: Session, personas: Personas, knowledge_30: Knowledge
) -> None:
    staff = more_staff(db, personas)
    report = urgent_report(
        db, personas, minutes_ago=45, report={"trouble_breathing": True, "note": "chest pain"}
    )
    escalation.escalate_due(
        db,
        now=NOW,
        knowledge=knowledge_30,
        translations=i18n.translations,
    )
    patient = personas.patient.patient
    assert patient is not None
    by_address = {m.to_address: m for m in escalation_emails(db)}
    for message in by_address.values():
        text = f"{message.subject}\n{message.body}"
        assert "45" in message.body  # how long it has waited, and nothing else
        for secret in (
            patient.name,
            "Pat",
            patient.public_id,
            personas.patient.email,
            "breathing",
            "chest",
            "emergency",
            "call_now",
        ):
            assert secret not in text
        assert str(report.id) not in text and str(patient.id) not in text.replace("45", "")
    english = by_address[personas.clinician.email]
    assert english.subject == "Urgent symptom report waiting"
    assert english.body.startswith("An urgent symptom report has waited 45 minutes")
    spanish = by_address[staff["second"].email]
    assert spanish.locale == "es" and spanish.body != english.body
    assert "45" in spanish.body


def test_two_rounds_at_once_queue_one_set(
    engine: Engine, db: Session, personas: Personas, knowledge_30: Knowledge
) -> None:
    urgent_report(db, personas, minutes_ago=90)
    start = threading.Barrier(2)
    reports: list[escalation.RoundReport] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with session_factory(engine)() as session:
                start.wait()
                reports.append(escalation.escalate_due(session, now=NOW, knowledge=knowledge_30))
        except BaseException as exc:  # noqa: BLE001 (reported by the assertion below)
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(r.escalated for r in reports) == [0, 1]
    assert sum(r.emails for r in reports) == 2
    assert len(escalation_emails(db)) == 2 and len(escalation_events(db)) == 1


def test_quiet_hours_and_the_patients_opt_out_do_not_hold_it_back(
    db: Session, personas: Personas, knowledge_30: Knowledge, mail: MailServer
) -> None:
    patient = personas.patient.patient
    assert patient is not None
    make_reminder_preference(
        db, patient=patient, updated_by=personas.patient.user, email_opt_in=False
    )
    urgent_report(db, personas, minutes_ago=60)
    escalation.escalate_due(db, now=NOW, knowledge=knowledge_30)
    # Planning the patient's reminders leaves the staff's e-mails alone.
    outbox.plan(db, knowledge=knowledge_30, now=NOW)
    sent = outbox.send_due(
        db,
        knowledge=knowledge_30,
        sender=SmtpSender(mail.settings()),
        sender_address="reminders@westside.example",
        clock=lambda: NOW,
    )
    assert (sent.sent, sent.waiting, sent.cancelled) == (2, 0, 0)
    assert {m.status for m in escalation_emails(db)} == {OutboxStatus.SENT}
    assert sorted(r for e in mail.received for r in e.rcpt_tos) == sorted(
        [personas.clinician.email, personas.admin.email]
    )
    # The patient's own list of reminders does not show the staff's e-mails.
    with db.begin():
        actor = load_actor(db, personas.patient.user.id, Origin(ip="", user_agent=""))
    assert actor is not None
    own = outbox_status.list_for_patient(db, actor=actor, public_id=patient.public_id, now=NOW)
    assert own == []


def test_the_worker_cycle_escalates_and_sends(
    db: Session,
    db_url: str,
    personas: Personas,
    knowledge_30: Knowledge,
    mail: MailServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    urgent_report(db, personas, minutes_ago=AFTER)
    settings = Settings(
        database_url=db_url,
        env=Environment.TEST,
        secret_key=Secret("x" * 40),
        smtp=mail.settings(),
    )
    before = NOW - timedelta(minutes=1)
    run_worker(settings, knowledge_30, once=True, interval=60, clock=lambda: before)
    assert escalation_emails(db) == [] and mail.received == []
    for _ in range(2):  # the second cycle sends nothing more
        run_worker(settings, knowledge_30, once=True, interval=60, clock=lambda: NOW)
    assert sorted(r for e in mail.received for r in e.rcpt_tos) == sorted(
        [personas.clinician.email, personas.admin.email]
    )
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("; ")[2] for line in lines] == [
        "escalated 0",
        "escalated 1",
        "escalated 0",
    ]
    assert "sent 2" in lines[1] and "Pat" not in "".join(lines)
