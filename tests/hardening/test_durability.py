"""Killing the server in the middle of a burst of writes loses no acknowledged write and
duplicates none (both engines).

The app runs as a real server process (`sijcare.soak.server.LiveServer`). Four phones
(threads, each signed in as the patient) send diary scores and symptom reports, each
with its own idempotency key. Once enough writes are acknowledged the server gets
SIGKILL, while requests are in flight. It is started again on the same database; the
phones retry every score and report that got no answer, with the same key (as the
portal's forms and API let a phone do), and send every acknowledged report once more
(a phone that missed the answer). Then:
- every acknowledged score and report is stored, with the id the phone was given;
- every key is stored exactly once (retries returned the first entry or report);
- each score's interpretation and audit event were committed with it (same counts);
- each report has one `create` audit event (a repeat is audited as a repeat): one red
  flag per report in the clinicians' inbox;
- the sessions survived the restart (the retries reuse the phones' sign-in).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.clinical import make_documented
from fixtures_db import Personas
from sijcare.db.models import AuditEvent, DiaryEntry, Interpretation, SymptomReport
from sijcare.soak.server import LiveServer

WRITES = 160
REPORTS = 16
PHONES = 4
KILL_AFTER = 50


@dataclass
class Phone:
    """A patient's phone: its own signed-in client."""

    base: str
    email: str
    password: str
    client: httpx.Client = field(init=False)
    csrf: str = ""

    def sign_in(self) -> None:
        self.client = httpx.Client(base_url=self.base, timeout=10)
        token = self.client.get("/api/v1/session/csrf").json()["csrf_token"]
        answer = self.client.post(
            "/api/v1/session",
            json={"email": self.email, "password": self.password},
            headers={"X-CSRF-Token": token},
        )
        assert answer.status_code == 200, answer.text
        self.csrf = answer.json()["csrf_token"]

    def close(self) -> None:
        self.client.close()

    def post(self, url: str, body: dict[str, object]) -> httpx.Response:
        return self.client.post(url, json=body, headers={"X-CSRF-Token": self.csrf})


@dataclass
class Ledger:
    """What the phones were told: acknowledged writes, and those that got no answer."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    scores: dict[str, int] = field(default_factory=dict)  # key -> entry id
    reports: dict[str, int] = field(default_factory=dict)  # key -> report id
    unanswered: list[str] = field(default_factory=list)
    reports_unanswered: list[str] = field(default_factory=list)
    enough: threading.Event = field(default_factory=threading.Event)
    before_kill: dict[str, int] = field(default_factory=dict)
    reports_before_kill: dict[str, int] = field(default_factory=dict)
    # Unanswered writes the killed server had committed (the answer was lost): their
    # retries are replays.
    committed_unanswered: int = 0

    def acknowledged(self) -> int:
        return len(self.scores) + len(self.reports)


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(db_url, log=tmp_path / "server.log")
    yield live
    live.stop()


def score(index: int, performed_at: datetime) -> dict[str, object]:
    at = performed_at + timedelta(minutes=index + 1)
    return {"pain": index % 11, "recorded_at": at.isoformat(), "idempotency_key": f"burst-{index}"}


def symptoms(index: int) -> dict[str, object]:
    return {"site_redness": True, "idempotency_key": f"report-{index}"}


def is_report(index: int) -> bool:
    return index % (WRITES // REPORTS) == 0


def send_burst(
    phone: Phone, indexes: list[int], procedure: int, performed_at: datetime, ledger: Ledger
) -> None:
    for index in indexes:
        report = is_report(index)
        url = f"/api/v1/portal/procedures/{procedure}/" + (
            "symptom-reports" if report else "diary-entries"
        )
        body = symptoms(index) if report else score(index, performed_at)
        try:
            answer = phone.post(url, body)
        except httpx.TransportError:
            answer = None
        with ledger.lock:
            if answer is not None and answer.status_code == 201:
                if report:
                    ledger.reports[f"report-{index}"] = answer.json()["report_id"]
                else:
                    ledger.scores[f"burst-{index}"] = answer.json()["id"]
            elif report:
                ledger.reports_unanswered.append(f"report-{index}")
            else:
                ledger.unanswered.append(f"burst-{index}")
            if ledger.acknowledged() >= KILL_AFTER:
                ledger.enough.set()


def test_killed_server_loses_no_acknowledged_write_and_duplicates_none(
    server: LiveServer, db: Session, personas: Personas
) -> None:
    assert personas.patient.patient is not None
    performed_at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    record = make_documented(
        db,
        patient=personas.patient.patient,
        clinician=personas.clinician.user,
        performed_at=performed_at,
    )
    server.start()
    patient = personas.patient
    phones = [Phone(server.url, patient.email, patient.password) for _ in range(PHONES)]
    try:
        for phone in phones:
            phone.sign_in()
        ledger = burst_kill_and_retry(server, db, phones, record.id, performed_at)
    finally:
        for phone in phones:
            phone.close()
    check_ledger(db, record.id, ledger)
    acknowledged = len(ledger.before_kill) + len(ledger.reports_before_kill)
    print(
        f"killed after {acknowledged} acknowledged writes;"
        f" {len(ledger.unanswered)} scores and {len(ledger.reports_unanswered)} reports"
        " unanswered; all retried with their keys and stored once;"
        f" {len(ledger.reports_before_kill)} acknowledged reports sent again, none duplicated;"
        f" {ledger.committed_unanswered} unanswered writes had been committed"
    )


def burst_kill_and_retry(
    server: LiveServer, db: Session, phones: list[Phone], procedure: int, performed_at: datetime
) -> Ledger:
    ledger = Ledger()
    threads = [
        threading.Thread(
            target=send_burst,
            args=(phone, list(range(n, WRITES, PHONES)), procedure, performed_at, ledger),
        )
        for n, phone in enumerate(phones)
    ]
    for thread in threads:
        thread.start()
    assert ledger.enough.wait(timeout=120), "the burst did not get going"
    server.kill()
    for thread in threads:
        thread.join()
    ledger.before_kill = dict(ledger.scores)
    ledger.reports_before_kill = dict(ledger.reports)
    assert ledger.unanswered, "the kill came after the burst: nothing was in flight"
    assert ledger.reports_unanswered, "every report was answered: none to retry"
    with db.begin():
        keys = set(db.scalars(sa.select(DiaryEntry.idempotency_key)))
        keys |= set(db.scalars(sa.select(SymptomReport.idempotency_key)))
    ledger.committed_unanswered = len(keys & {*ledger.unanswered, *ledger.reports_unanswered})
    server.start()
    for key in ledger.unanswered:
        index = int(key.removeprefix("burst-"))
        answer = phones[0].post(
            f"/api/v1/portal/procedures/{procedure}/diary-entries", score(index, performed_at)
        )
        assert answer.status_code == 201, answer.text
        ledger.scores[key] = answer.json()["id"]
    # Unanswered reports, then the acknowledged ones again: each key answers with one report.
    for key in [*ledger.reports_unanswered, *ledger.reports_before_kill]:
        index = int(key.removeprefix("report-"))
        answer = phones[1].post(
            f"/api/v1/portal/procedures/{procedure}/symptom-reports", symptoms(index)
        )
        assert answer.status_code == 201, answer.text
        first = ledger.reports.setdefault(key, answer.json()["report_id"])
        assert answer.json()["report_id"] == first, key
    return ledger


def check_ledger(db: Session, procedure: int, ledger: Ledger) -> None:
    with db.begin():
        stored = dict(
            db.execute(
                sa.select(DiaryEntry.idempotency_key, DiaryEntry.id).where(
                    DiaryEntry.procedure_id == procedure
                )
            ).all()
        )
        entries = db.scalar(sa.select(sa.func.count()).select_from(DiaryEntry))
        interpretations = db.scalar(sa.select(sa.func.count()).select_from(Interpretation))
        audited = db.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "diary.record"))
        reports = dict(db.execute(sa.select(SymptomReport.idempotency_key, SymptomReport.id)).all())
        report_rows = db.scalar(sa.select(sa.func.count()).select_from(SymptomReport))
        reports_audited = db.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "symptom_report.create")
        )
    assert all(stored.get(key) == entry for key, entry in ledger.before_kill.items())
    assert stored == ledger.scores
    assert entries == len(stored) == WRITES - REPORTS
    assert interpretations == entries and audited == entries
    assert all(reports.get(key) == report for key, report in ledger.reports_before_kill.items())
    assert reports == ledger.reports
    assert report_rows == len(reports) == reports_audited == REPORTS
