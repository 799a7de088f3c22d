"""What one synthetic patient leaves behind: plain values, without database ids.

A worker process draws a `PatientRecords`; the writer numbers its rows and links them
(patient, pathways, and each pathway's screening, appointments, consent, driver,
procedure, diary, interpretation and symptom reports). Clinic-level ids (clinic,
physician, room, location) are already known when patients are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Physician:
    """A synthetic clinic's physician, with the room and the account they work with."""

    practitioner_id: int
    user_id: int
    name: str
    room_id: int
    qualifications: str


@dataclass(frozen=True)
class ClinicPlan:
    """A synthetic clinic as the patient generator needs it."""

    index: int
    clinic_id: int
    location_id: int
    location_name: str
    physicians: tuple[Physician, ...]


@dataclass
class Visit:
    """An appointment: the procedure or a follow-up. `booked` when still to come."""

    starts_at: datetime
    minutes: int
    booked: bool
    physician: Physician
    follow_up: bool = False


@dataclass
class Screening:
    answers: dict[str, Any]
    result: dict[str, Any]
    submitted_at: datetime


@dataclass
class Consent:
    plan_snapshot: dict[str, Any]
    confirmed: dict[str, Any]
    agreed_at: datetime
    witnessed_at: datetime


@dataclass
class Report:
    reported_at: datetime
    report: dict[str, Any]
    disposition: str
    result: dict[str, Any]


@dataclass
class Reading:
    """The stored interpretation: the core's result, its label and its query columns."""

    kind: str
    result_json: str
    classification: str
    columns: dict[str, Any]
    computed_at: datetime


@dataclass
class Done:
    """The injection as documented, its diary, its reading and the symptom reports."""

    data: dict[str, Any]
    performed_at: datetime
    documented_at: datetime
    entries: list[tuple[datetime, int]]
    reading: Reading
    diary_ends: datetime  # the last prompt's time
    reports: list[Report] = field(default_factory=list)


@dataclass
class PathwayRecords:
    side: str
    kind: str
    opened_at: datetime
    physician: Physician
    procedure_visit: Visit
    screening: Screening | None = None
    consent: Consent | None = None
    driver: tuple[str, str, datetime] | None = None  # name, relationship, recorded at
    done: Done | None = None
    follow_up: Visit | None = None
    closed_at: datetime | None = None
    close_reason: str = ""


@dataclass
class PatientRecords:
    clinic_index: int
    public_id: str
    name: str
    email: str
    date_of_birth: date
    locale: str
    created_at: datetime
    pathways: list[PathwayRecords] = field(default_factory=list)
