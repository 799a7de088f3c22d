"""Safety messages: a red-flag triage result always reaches the clinician inbox, under
concurrent load and after a restart; an unacknowledged urgent report escalates after
the clinic's configured time (`escalation.after_minutes`, services/escalation.py). The
e-mails that escalation sends are tested in tests/services/test_escalation_notify.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.orm import Session

from factories.clinical import make_documented, make_symptom_report
from fixtures_db import Personas
from hardening.test_durability import Phone
from sijcare import knowledge as knowledge_loader
from sijcare.cli.escalation import escalation as escalation_command
from sijcare.db.models import AuditEvent, Pathway
from sijcare.domain.knowledge import Knowledge
from sijcare.services import escalation
from sijcare.services.actor import Origin, load_actor
from sijcare.services.errors import Forbidden
from sijcare.soak.server import LiveServer

PHONES = 6
REPORTS_EACH = 5
NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(db_url, log=tmp_path / "server.log")
    yield live
    live.stop()


def inbox_ids(base: str, personas: Personas) -> set[int]:
    clinician = Phone(base, personas.clinician.email, personas.clinician.password)
    clinician.sign_in()
    try:
        answer = clinician.client.get("/api/v1/workspace/inbox")
        assert answer.status_code == 200, answer.text
        return {item["id"] for item in answer.json()["reports"]}
    finally:
        clinician.close()


def test_every_red_flag_reaches_the_inbox_under_load_and_after_restart(
    server: LiveServer, db: Session, personas: Personas
) -> None:
    performed_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=6)
    procedures = {}
    for name in ("patient", "other_patient"):
        persona = personas[name]
        assert persona.patient is not None
        procedures[name] = make_documented(
            db,
            patient=persona.patient,
            clinician=personas.clinician.user,
            performed_at=performed_at,
        ).id
    server.start()
    stored: list[int] = []
    expected_only: list[int] = []
    lock = threading.Lock()

    def report(name: str, urgent: bool) -> None:
        phone = Phone(server.url, personas[name].email, personas[name].password)
        phone.sign_in()
        try:
            for _ in range(REPORTS_EACH):
                body = {"trouble_breathing": True} if urgent else {"pain": 2}
                answer = phone.post(
                    f"/api/v1/portal/procedures/{procedures[name]}/symptom-reports", body
                )
                assert answer.status_code == 201, answer.text
                with lock:
                    (stored if urgent else expected_only).append(answer.json()["report_id"])
        finally:
            phone.close()

    threads = [
        threading.Thread(target=report, args=(name, n % 3 != 2))
        for n, name in enumerate(["patient", "other_patient"] * (PHONES // 2))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stored) + len(expected_only) == PHONES * REPORTS_EACH
    assert inbox_ids(server.url, personas) == set(stored)
    server.kill()
    server.start()
    assert inbox_ids(server.url, personas) == set(stored)


@pytest.fixture
def knowledge_30() -> Knowledge:
    return knowledge_loader.apply_overrides(
        knowledge_loader.load(), {"escalation.after_minutes": 30}
    )


def pathway_of(db: Session, personas: Personas, name: str = "patient") -> Pathway:
    assert personas[name].patient is not None
    record = make_documented(db, patient=personas[name].patient, clinician=personas.clinician.user)
    with db.begin():
        pathway = db.get_one(Pathway, record.pathway_id)
    db.expunge_all()
    return pathway


@pytest.mark.parametrize(
    ("disposition", "minutes_ago", "acknowledged", "escalates"),
    [
        pytest.param("emergency", 30, False, True, id="emergency-at-the-limit"),
        pytest.param("call_now", 45, False, True, id="call-now-past-the-limit"),
        pytest.param("emergency", 29, False, False, id="not-yet"),
        pytest.param("call_soon", 300, False, False, id="not-urgent"),
        pytest.param("expected", 300, False, False, id="expected"),
        pytest.param("emergency", 300, True, False, id="acknowledged"),
    ],
)
def test_escalation_rule(
    disposition: str,
    minutes_ago: int,
    acknowledged: bool,
    escalates: bool,
    db: Session,
    personas: Personas,
    knowledge_30: Knowledge,
) -> None:
    pathway = pathway_of(db, personas)
    ack = (
        {"acknowledged_at": NOW, "acknowledged_by": personas.clinician.user.id}
        if acknowledged
        else {}
    )
    report = make_symptom_report(
        db,
        pathway=pathway,
        reported_by=personas.patient.user,
        disposition=disposition,
        reported_at=NOW - timedelta(minutes=minutes_ago),
        **ack,
    )
    first = escalation.escalate_due(db, now=NOW, knowledge=knowledge_30)
    again = escalation.escalate_due(db, now=NOW, knowledge=knowledge_30)
    assert first.escalated == (1 if escalates else 0)
    assert again.escalated == 0  # once only
    with db.begin():
        events = db.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == escalation.ACTION)
        ).all()
        assert [e.target_id for e in events] == ([str(report.id)] if escalates else [])
        assert all(e.actor_role == "system" and e.patient_id for e in events)


def test_a_clinic_sets_its_own_escalation_time(db: Session, personas: Personas) -> None:
    pathway = pathway_of(db, personas)
    make_symptom_report(
        db,
        pathway=pathway,
        reported_by=personas.patient.user,
        disposition="emergency",
        reported_at=NOW - timedelta(minutes=10),
    )
    shipped = knowledge_loader.load()
    quick = knowledge_loader.apply_overrides(shipped, {"escalation.after_minutes": 10})
    assert escalation.escalate_due(db, now=NOW, knowledge=shipped).escalated == 0
    assert escalation.escalate_due(db, now=NOW, knowledge=quick).escalated == 1


def test_overdue_reports_are_listed_for_the_clinics_clinicians_only(
    db: Session, personas: Personas, knowledge_30: Knowledge
) -> None:
    pathway = pathway_of(db, personas)
    report = make_symptom_report(
        db,
        pathway=pathway,
        reported_by=personas.patient.user,
        disposition="call_now",
        reported_at=NOW - timedelta(hours=1),
    )
    with db.begin():
        clinician = load_actor(db, personas.clinician.user.id, Origin(ip="", user_agent=""))
        outsider = load_actor(db, personas.outsider.user.id, Origin(ip="", user_agent=""))
        scheduler = load_actor(db, personas.scheduler.user.id, Origin(ip="", user_agent=""))
    assert clinician is not None and outsider is not None and scheduler is not None
    listed = escalation.overdue(db, actor=clinician, now=NOW, knowledge=knowledge_30)
    assert [(o.report_id, o.minutes_waiting) for o in listed] == [(report.id, 60)]
    assert escalation.overdue(db, actor=outsider, now=NOW, knowledge=knowledge_30) == []
    with pytest.raises(Forbidden):
        escalation.overdue(db, actor=scheduler, now=NOW, knowledge=knowledge_30)


def test_escalation_command_runs_one_round(db: Session, db_url: str, personas: Personas) -> None:
    pathway = pathway_of(db, personas)
    make_symptom_report(
        db,
        pathway=pathway,
        reported_by=personas.patient.user,
        disposition="emergency",
        reported_at=datetime.now(UTC) - timedelta(hours=2),
    )
    env = {"SIJCARE_DATABASE_URL": db_url, "SIJCARE_ENV": "test"}
    first = CliRunner().invoke(escalation_command, ["--once"], env=env)
    second = CliRunner().invoke(escalation_command, ["--once"], env=env)
    assert first.exit_code == 0, first.output
    # One e-mail each to the clinic's clinician and admin (services/escalation.py).
    assert first.output == "overdue 1, escalated now 1, e-mails queued 2\n"
    assert second.output == "overdue 1, escalated now 0, e-mails queued 0\n"
    assert "Pat" not in first.output


def test_a_failed_escalation_round_exits_1_without_the_message(
    monkeypatch: pytest.MonkeyPatch, db_url: str, personas: Personas
) -> None:
    def database_gone(*args: object, **kwargs: object) -> object:
        raise sa.exc.OperationalError("SELECT ...", {}, ConnectionError(personas.patient.name))

    monkeypatch.setattr(escalation, "escalate_due", database_gone)
    env = {"SIJCARE_DATABASE_URL": db_url, "SIJCARE_ENV": "test"}
    result = CliRunner().invoke(escalation_command, ["--once"], env=env)
    assert result.exit_code == 1
    assert "round failed: OperationalError" in result.output
    assert personas.patient.name not in result.output
