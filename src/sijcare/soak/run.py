"""The soak run: patients writing diaries and clinicians reading worklists, for a while.

`soak(database_url, seconds=...)` seeds a clinic (one clinician per `CLINICIANS`, and
`PATIENTS_PER_PHONE` patients for each of `patients` phones, each patient with a
documented injection a day ago), starts the app as a server process on the loopback
address (`LiveServer`), and runs one thread per phone (a diary score with an idempotency
key, then a read of the diary, again and again, `SCORES_PER_DIARY` times as each of its
patients in turn, so that diaries keep a real size) and
per clinician (the worklist, the red-flag inbox, a patient's diary review) until the
time is up. It samples the server's resident memory every `SAMPLE_SECONDS`.

The run passes when no request failed (every answer 2xx), no acknowledged score is
missing from the database, and the memory grew by at most `MEMORY_GROWTH_LIMIT_KB`
from the end of the warm-up (the first `WARM_UP_FRACTION` of the run) to its end.
Request loops are bounded by the time given; the server runs only on 127.0.0.1.
"""

from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from sijcare.db import migrate
from sijcare.db.engine import create_engine_for, session_factory
from sijcare.db.enums import Kind, PractitionerKind, Role, Side
from sijcare.db.models import (
    Clinic,
    DiaryEntry,
    Pathway,
    Patient,
    Practitioner,
    ProcedureRecord,
    User,
)
from sijcare.services.passwords import Passwords
from sijcare.soak.server import LiveServer

PASSWORD = "soak run passphrase 2026"
CLINICIANS = 2
SAMPLE_SECONDS = 2.0
WARM_UP_FRACTION = 0.2
MEMORY_GROWTH_LIMIT_KB = 64 * 1024
REQUEST_TIMEOUT_S = 30.0
# A patient's phone pauses this long between two scores; 0 writes as fast as it can.
PAUSE_SECONDS = 0.25
# A phone writes this many scores into a diary (a real diary has about 30), then goes on
# as the next of its `PATIENTS_PER_PHONE` patients, so the diaries stay of a real size
# and a growing memory means a leak, not a growing diary.
SCORES_PER_DIARY = 40
PATIENTS_PER_PHONE = 8


@dataclass
class SoakResult:
    seconds: float = 0.0
    pause_seconds: float = 0.0
    patients: int = 0
    clinicians: int = 0
    requests: int = 0
    writes_acknowledged: int = 0
    writes_missing: int = 0
    errors: list[str] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    rss_after_warm_up_kb: int = 0
    rss_end_kb: int = 0
    memory_growth_kb: int = 0
    memory_growth_limit_kb: int = MEMORY_GROWTH_LIMIT_KB

    @property
    def passed(self) -> bool:
        return (
            not self.errors
            and self.writes_missing == 0
            and self.memory_growth_kb <= self.memory_growth_limit_kb
        )

    def summary(self) -> dict[str, Any]:
        out = asdict(self)
        out["errors"] = self.errors[:20]
        out["error_count"] = len(self.errors)
        out["rss_max_kb"] = max(self.rss_kb, default=0)
        out["rss_kb"] = self.rss_kb[:: max(1, len(self.rss_kb) // 20)]
        out["passed"] = self.passed
        return out


@dataclass
class _Shared:
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    requests: int = 0
    acknowledged: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def count(self, answer: httpx.Response | None, what: str) -> bool:
        with self.lock:
            self.requests += 1
            if answer is None or not 200 <= answer.status_code < 300:
                status = "no answer" if answer is None else str(answer.status_code)
                self.errors.append(f"{what}: {status}")
                return False
            return True


def seed(database_url: str, patients: int, now: datetime) -> tuple[list[str], list[str], list[int]]:
    """A clinic with clinicians and patients; returns their e-mails and the procedure ids."""
    engine = create_engine_for(database_url)
    password_hash = Passwords(fast=True).hash(PASSWORD)
    performed_at = now - timedelta(days=1)
    try:
        with session_factory(engine)() as db, db.begin():
            clinic = Clinic(name=f"Soak clinic {now:%Y%m%d%H%M%S}", time_zone="America/Los_Angeles")
            db.add(clinic)
            db.flush()
            tag = clinic.id
            clinicians = [
                _user(
                    db,
                    clinic,
                    Role.CLINICIAN,
                    f"soak{tag}.clinician{n}@example.org",
                    password_hash,
                    now,
                )
                for n in range(CLINICIANS)
            ]
            for user in clinicians:
                db.add(
                    Practitioner(
                        clinic_id=clinic.id,
                        user_id=user.id,
                        name=user.display_name,
                        kind=PractitionerKind.PHYSICIAN,
                        specialty="Pain medicine",
                        qualifications="",
                        accepts_virtual=False,
                    )
                )
            procedures = [
                _patient_with_procedure(
                    db,
                    clinic,
                    f"soak{tag}.patient{n}@example.org",
                    password_hash,
                    clinicians[0],
                    performed_at,
                    now,
                )
                for n in range(patients)
            ]
            emails = (
                [u.email for u in clinicians],
                [f"soak{tag}.patient{n}@example.org" for n in range(patients)],
            )
    finally:
        engine.dispose()
    return emails[0], emails[1], procedures


def _user(
    db: Any, clinic: Clinic, role: Role, email: str, password_hash: str, now: datetime
) -> User:
    user = User(
        clinic_id=clinic.id,
        email=email,
        password_hash=password_hash,
        role=role,
        display_name=email.split("@")[0],
        locale="en",
        created_at=now,
    )
    db.add(user)
    db.flush()
    return user


def _patient_with_procedure(
    db: Any,
    clinic: Clinic,
    email: str,
    password_hash: str,
    clinician: User,
    at: datetime,
    now: datetime,
) -> int:
    user = _user(db, clinic, Role.PATIENT, email, password_hash, now)
    patient = Patient(
        clinic_id=clinic.id,
        user_id=user.id,
        name=user.display_name,
        date_of_birth=date(1965, 1, 1),
        phone="",
        created_at=now,
    )
    db.add(patient)
    db.flush()
    pathway = Pathway(
        patient_id=patient.id,
        side=Side.LEFT,
        kind=Kind.DIAGNOSTIC,
        opened_at=at,
        opened_by=clinician.id,
    )
    db.add(pathway)
    db.flush()
    record = ProcedureRecord(
        pathway_id=pathway.id,
        data=_procedure_document(at),
        performed_at=at,
        kind=Kind.DIAGNOSTIC,
        side=Side.LEFT,
        documented_at=at + timedelta(hours=1),
        documented_by=clinician.id,
    )
    db.add(record)
    db.flush()
    return record.id


def _procedure_document(at: datetime) -> dict[str, Any]:
    return {
        "performed_at": at.isoformat(),
        "kind": "diagnostic",
        "side": "left",
        "anesthetic": {"agent": "lidocaine", "concentration_percent": 1.0, "volume_ml": 2.0},
        "steroid": None,
        "baseline_pain": 7,
        "guidance": "fluoroscopy",
        "contrast": {"used": True, "agent": "iohexol", "reason_not_used": None},
        "sedation": "none",
        "physician": "Soak clinician",
        "observation_end": None,
        "discharged_at": None,
        "driver_present": True,
    }


def _signed_in(base: str, email: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S)
    token = client.get("/api/v1/session/csrf").json()["csrf_token"]
    answer = client.post(
        "/api/v1/session",
        json={"email": email, "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    answer.raise_for_status()
    return client, str(answer.json()["csrf_token"])


def _call(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response | None:
    try:
        return client.request(method, url, **kwargs)
    except httpx.TransportError:
        return None


def _patient_loop(
    base: str,
    turns: list[tuple[str, int]],
    start: datetime,
    shared: _Shared,
    pause: float,
) -> None:
    """One phone: `SCORES_PER_DIARY` scores (and reads) as each patient of `turns` in turn."""
    n = 0
    while not shared.stop.is_set():
        email, procedure = turns[(n // SCORES_PER_DIARY) % len(turns)]
        n = _diary_turn(base, email, procedure, start, shared, pause, n)


def _diary_turn(
    base: str, email: str, procedure: int, start: datetime, shared: _Shared, pause: float, n: int
) -> int:
    client, csrf = _signed_in(base, email)
    last = (n // SCORES_PER_DIARY + 1) * SCORES_PER_DIARY
    try:
        while not shared.stop.is_set() and n < last:
            key = f"soak-{procedure}-{n}"
            body = {
                "pain": n % 11,
                "recorded_at": (start - timedelta(hours=23) + timedelta(seconds=n)).isoformat(),
                "idempotency_key": key,
            }
            answer = _call(
                client,
                "POST",
                f"/api/v1/portal/procedures/{procedure}/diary-entries",
                json=body,
                headers={"X-CSRF-Token": csrf},
            )
            if shared.count(answer, "diary write") and answer is not None:
                with shared.lock:
                    shared.acknowledged[key] = answer.json()["id"]
            shared.count(
                _call(client, "GET", f"/api/v1/portal/procedures/{procedure}/diary"), "diary read"
            )
            n += 1
            shared.stop.wait(pause)
    finally:
        client.close()
    return n


def _clinician_loop(base: str, email: str, procedures: list[int], shared: _Shared) -> None:
    client, _csrf = _signed_in(base, email)
    n = 0
    try:
        while not shared.stop.is_set():
            shared.count(_call(client, "GET", "/api/v1/workspace/worklist"), "worklist")
            shared.count(_call(client, "GET", "/api/v1/workspace/inbox"), "inbox")
            procedure = procedures[n % len(procedures)]
            review = f"/api/v1/workspace/procedures/{procedure}/diary-review"
            shared.count(_call(client, "GET", review), "diary review")
            n += 1
    finally:
        client.close()


def soak(
    database_url: str | None = None,
    *,
    seconds: float = 300.0,
    patients: int = 8,
    pause: float = PAUSE_SECONDS,
) -> SoakResult:
    """Run the soak for `seconds` against `database_url` (a fresh SQLite file if None);
    each patient pauses `pause` seconds between scores."""
    with tempfile.TemporaryDirectory(prefix="sijcare-soak-") as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'soak.db'}"
        migrate.upgrade(url)
        now = datetime.now(UTC).replace(microsecond=0)
        clinicians, patient_emails, procedures = seed(url, patients * PATIENTS_PER_PHONE, now)
        server = LiveServer(url, log=Path(folder) / "server.log")
        server.start()
        try:
            return _run(server, url, seconds, clinicians, patient_emails, procedures, now, pause)
        finally:
            server.stop()


def _run(
    server: LiveServer,
    url: str,
    seconds: float,
    clinicians: list[str],
    patient_emails: list[str],
    procedures: list[int],
    now: datetime,
    pause: float,
) -> SoakResult:
    shared = _Shared()
    pairs = list(zip(patient_emails, procedures, strict=True))
    phones = len(pairs) // PATIENTS_PER_PHONE
    threads = [
        threading.Thread(
            target=_patient_loop, args=(server.url, pairs[i::phones], now, shared, pause)
        )
        for i in range(phones)
    ] + [
        threading.Thread(target=_clinician_loop, args=(server.url, e, procedures, shared))
        for e in clinicians
    ]
    result = SoakResult(patients=phones, clinicians=len(clinicians), pause_seconds=pause)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    warm_up_ends = started + seconds * WARM_UP_FRACTION
    while (elapsed := time.monotonic() - started) < seconds:
        time.sleep(min(SAMPLE_SECONDS, max(0.0, seconds - elapsed)))
        result.rss_kb.append(server.rss_kb())
        if not result.rss_after_warm_up_kb and time.monotonic() >= warm_up_ends:
            result.rss_after_warm_up_kb = result.rss_kb[-1]
    shared.stop.set()
    for thread in threads:
        thread.join()
    result.seconds = round(time.monotonic() - started, 1)
    result.rss_end_kb = server.rss_kb()
    result.memory_growth_kb = result.rss_end_kb - (result.rss_after_warm_up_kb or result.rss_end_kb)
    result.requests = shared.requests
    result.errors = shared.errors
    result.writes_acknowledged = len(shared.acknowledged)
    result.writes_missing = _missing(url, shared.acknowledged)
    return result


def _missing(url: str, acknowledged: dict[str, int]) -> int:
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.select(DiaryEntry.idempotency_key, DiaryEntry.id))
            stored = {key: entry for key, entry in rows}
    finally:
        engine.dispose()
    return sum(1 for key, entry in acknowledged.items() if stored.get(key) != entry)
