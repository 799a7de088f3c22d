"""The cohort export for the quality team: one de-identified CSV row per procedure.

What a row holds (columns `COLUMNS`, in this order):
- procedure_ref, patient_ref: keyed pseudonyms (HMAC-SHA256 with the installation's
  secret key, 16 hex digits). The same procedure or patient gets the same reference in
  every export while the key stays the same, so repeat injections and later exports can
  be linked; without the key a reference cannot be traced back to anyone.
- year: the year of the injection (the clinic's time zone). No other date, no time.
- age_band: the age at the injection in ten-year bands ("60-69"); "90+" from 90.
- kind, side, anesthetic, steroid, guidance, contrast_used, sedation, baseline_pain:
  what was done, from the procedure record.
- diary_entries: how many pain scores the diary holds.
- classification: the core's reading of the diary now (diagnostic class, or the latest
  therapeutic milestone with a result, like "6w:responder"); "not_assessable" when the
  core cannot read it.
- peak_relief_percent (the anesthetic's peak relief), relief_2w_percent,
  relief_6w_percent, relief_3m_percent (therapeutic milestones), flare (yes | no),
  onset_day: from the same reading; empty when not applicable or not known.
- signed_off: whether a clinician signed off the newest stored interpretation.
- symptom_reports, urgent_reports: reports after the injection, and those triaged as
  emergency or call now.
- knowledge_version: the knowledge the reading used.
Left out on purpose: names, contact details, record numbers, every date but the year,
exact times, free text (diary notes, report descriptions), the physician and the place.
Small groups can still be recognised by someone who knows the patients: the file is
confidential within the clinic.

Clinic admins (the quality team) and clinicians export their own clinic's procedures,
optionally those done on days `since` .. `until` (both included, clinic time zone).
The export is audited: one event with the count, and one per patient included.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import Role
from sijcare.db.models import Pathway, Patient, ProcedureRecord, SymptomReport
from sijcare.domain.diagnostic import DiagnosticResult
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Procedure
from sijcare.domain.therapeutic import TherapeuticResult
from sijcare.services import access, audit, diary
from sijcare.services.actor import Actor

COLUMNS = (
    "procedure_ref",
    "patient_ref",
    "year",
    "age_band",
    "kind",
    "side",
    "anesthetic",
    "steroid",
    "guidance",
    "contrast_used",
    "sedation",
    "baseline_pain",
    "diary_entries",
    "classification",
    "peak_relief_percent",
    "relief_2w_percent",
    "relief_6w_percent",
    "relief_3m_percent",
    "flare",
    "onset_day",
    "signed_off",
    "symptom_reports",
    "urgent_reports",
    "knowledge_version",
)
URGENT = ("emergency", "call_now")
OLDEST_BAND = 90
BAND_YEARS = 10


@dataclass(frozen=True)
class CohortExport:
    text: str
    filename: str
    rows: int


def export_cohort(
    db: Session,
    *,
    actor: Actor,
    knowledge: Knowledge,
    pseudonym_key: bytes,
    now: datetime,
    since: date | None = None,
    until: date | None = None,
) -> CohortExport:
    """The clinic's procedures as de-identified CSV (see the module docstring)."""
    access.require_role(actor, Role.ADMIN, Role.CLINICIAN)
    zone = ZoneInfo(knowledge.text("clinic.time_zone"))
    query = (
        sa.select(ProcedureRecord, Patient)
        .join(Pathway, Pathway.id == ProcedureRecord.pathway_id)
        .join(Patient, Patient.id == Pathway.patient_id)
        .where(Patient.clinic_id == actor.clinic_id)
        .order_by(ProcedureRecord.performed_at, ProcedureRecord.id)
    )
    if since is not None:
        query = query.where(ProcedureRecord.performed_at >= _day_start(since, zone))
    if until is not None:
        query = query.where(ProcedureRecord.performed_at < _day_start(until + timedelta(1), zone))
    with db.begin():
        found = db.execute(query).all()
        rows = [_row(db, r, p, knowledge, pseudonym_key, zone) for r, p in found]
        audit.record(
            db,
            actor=actor,
            action="cohort.export",
            at=now,
            detail={"rows": len(rows), "since": _iso(since), "until": _iso(until)},
        )
        audit.record_views(
            db, actor=actor, action="cohort.include", at=now, patient_ids=[p.id for _, p in found]
        )
    name = f"sijcare-cohort-{now.strftime('%Y%m%dT%H%M%SZ')}.csv"
    return CohortExport(to_csv(rows), name, len(rows))


def to_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def pseudonym(key: bytes, kind: str, ident: int) -> str:
    """A keyed, one-way reference for record `ident` of `kind` (16 hex digits)."""
    return hmac.new(key, f"{kind}:{ident}".encode(), hashlib.sha256).hexdigest()[:16]


def age_band(born: date, on: date) -> str:
    """The age on `on` in ten-year bands, like "60-69"; "90+" from 90."""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age >= OLDEST_BAND:
        return f"{OLDEST_BAND}+"
    low = age // BAND_YEARS * BAND_YEARS
    return f"{low}-{low + BAND_YEARS - 1}"


def _row(
    db: Session,
    record: ProcedureRecord,
    patient: Patient,
    knowledge: Knowledge,
    key: bytes,
    zone: ZoneInfo,
) -> dict[str, Any]:
    day = record.performed_at.astimezone(zone).date()
    entries = diary.entries_of(db, record.id)
    row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
    row |= {
        "procedure_ref": pseudonym(key, "procedure", record.id),
        "patient_ref": pseudonym(key, "patient", patient.id),
        "year": day.year,
        "age_band": age_band(patient.date_of_birth, day),
        "kind": record.kind.value,
        "side": record.side.value,
        "diary_entries": len(entries),
        "signed_off": _yes_no(_signed_off(db, record.id)),
        **_reports(db, record.id),
        "knowledge_version": knowledge.version,
    }
    try:
        procedure = diary.procedure_of(record, knowledge)
    except InputError:
        return row | {"classification": diary.NOT_ASSESSABLE}
    return row | _procedure_fields(procedure) | _reading(procedure, entries, knowledge)


def _procedure_fields(procedure: Procedure) -> dict[str, Any]:
    return {
        "anesthetic": procedure.anesthetic.agent,
        "steroid": "" if procedure.steroid is None else procedure.steroid.agent,
        "guidance": procedure.guidance.value,
        "contrast_used": _yes_no(procedure.contrast.used if procedure.contrast else None),
        "sedation": procedure.sedation.value,
        "baseline_pain": procedure.baseline_pain,
    }


def _reading(
    procedure: Procedure, entries: tuple[Any, ...], knowledge: Knowledge
) -> dict[str, Any]:
    try:
        reading = diary.read(procedure, diary.scores_of(entries), knowledge)
    except InputError:
        return {"classification": diary.NOT_ASSESSABLE}
    fields: dict[str, Any] = {"classification": diary.classify(reading)}
    if isinstance(reading, DiagnosticResult):
        return fields | {"peak_relief_percent": _number(reading.peak_relief_percent)}
    assert isinstance(reading, TherapeuticResult)
    return fields | {
        "peak_relief_percent": _number(reading.anesthetic_peak_relief_percent),
        "relief_2w_percent": _number(reading.milestones.get("2w")),
        "relief_6w_percent": _number(reading.milestones.get("6w")),
        "relief_3m_percent": _number(reading.milestones.get("3m")),
        "flare": _yes_no(reading.flare_detected),
        "onset_day": "" if reading.onset_day is None else reading.onset_day,
    }


def _signed_off(db: Session, record_id: int) -> bool:
    newest = diary.latest_interpretation(db, record_id)
    return newest is not None and newest.signed_off_at is not None


def _reports(db: Session, record_id: int) -> dict[str, int]:
    dispositions = db.scalars(
        sa.select(SymptomReport.disposition).where(SymptomReport.procedure_id == record_id)
    ).all()
    return {
        "symptom_reports": len(dispositions),
        "urgent_reports": sum(1 for d in dispositions if d in URGENT),
    }


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
