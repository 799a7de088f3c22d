"""What the FHIR export is built from: plain records, filled by `sijcare.services.fhir`.

The mapping never reads the database. JSON documents are passed in their stored forms:
`plan` is the INTAKE.json `procedure` object, `answers` INTAKE.json, `result` the core's
result as JSON (`sijcare.formats.jsonout`), `data` PROCEDURE.json, `report` REPORT.json.
Times are timezone-aware. People who acted are `Agent`s: the patient, a practitioner of
the bundle, or someone known only by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sijcare.domain.next_steps import NextStepPlan

Document = Mapping[str, Any]


class AgentKind(StrEnum):
    PATIENT = "patient"
    PRACTITIONER = "practitioner"
    OTHER = "other"  # a user with no practitioner record (a scheduler, an admin)


@dataclass(frozen=True)
class Agent:
    """Who did something; `key` is the practitioner's key for a practitioner."""

    kind: AgentKind
    name: str
    key: str = ""


@dataclass(frozen=True)
class PatientRecord:
    public_id: str
    name: str
    date_of_birth: date
    phone: str | None = None


@dataclass(frozen=True)
class ClinicRecord:
    key: str
    name: str


@dataclass(frozen=True)
class LocationRecord:
    key: str
    name: str
    address: str = ""


@dataclass(frozen=True)
class PractitionerRecord:
    key: str
    name: str
    kind: str | None = None  # physician | nurse
    specialty: str = ""
    qualifications: tuple[str, ...] = ()


@dataclass(frozen=True)
class DriverRecord:
    key: str
    name: str
    phone: str
    relationship: str
    recorded_at: datetime


@dataclass(frozen=True)
class AppointmentRecord:
    key: str
    kind: str  # procedure | follow_up
    mode: str  # in_person | virtual
    status: str  # booked | cancelled | completed | no_show
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    practitioner_key: str
    location_key: str
    note: str = ""
    cancel_reason: str = ""


@dataclass(frozen=True)
class ReviewNote:
    """A clinician's note that a screening finding (`code`, `about`) was reviewed."""

    code: str
    about: str
    note: str
    decided_at: datetime
    decided_by: Agent


@dataclass(frozen=True)
class MedicineDecision:
    """A clinician's hold-or-continue decision about a listed medicine."""

    key: str
    medicine: str
    decision: str  # hold | continue
    confirmed_with_prescriber: bool
    decided_at: datetime
    decided_by: Agent


@dataclass(frozen=True)
class ScreeningRecord:
    """A submitted screening response: INTAKE.json `answers` and the core's `result`."""

    key: str
    answers: Document
    result: Document | None
    submitted_at: datetime
    submitted_by: Agent


@dataclass(frozen=True)
class ConsentEntry:
    """The patient's agreement: the plan it was for and what they confirmed."""

    key: str
    plan_snapshot: Document  # PLAN.json
    confirmed: Document  # {plan_version, confirmations: [{question, confirmed_at}]}
    agreed_at: datetime
    agreed_by: Agent
    witnessed_at: datetime | None = None
    witnessed_by: Agent | None = None
    complete: bool = False  # the core found it complete for the current plan


@dataclass(frozen=True)
class ProcedureEntry:
    key: str
    data: Document  # PROCEDURE.json
    documented_at: datetime
    documented_by: Agent
    performer_key: str | None = None  # the practitioner who did it, when known
    location_key: str | None = None
    consent_key: str | None = None


@dataclass(frozen=True)
class DiaryRecord:
    key: str
    recorded_at: datetime
    pain: int
    note: str
    activity_done: bool | None
    created_at: datetime


@dataclass(frozen=True)
class InterpretationRecord:
    """The newest stored reading of a procedure's diary, and its sign-off."""

    key: str
    kind: str  # diagnostic | therapeutic
    result: Document
    classification: str
    knowledge_version: str
    computed_at: datetime
    signed_off_at: datetime | None = None
    signed_off_by: Agent | None = None


@dataclass(frozen=True)
class SymptomRecord:
    key: str
    reported_at: datetime
    report: Document  # REPORT.json
    disposition: str
    result: Document  # the core's TriageResult as JSON
    knowledge_version: str
    acknowledged_at: datetime | None = None
    acknowledged_by: Agent | None = None
    acknowledged_note: str | None = None


@dataclass(frozen=True)
class PathwayRecord:
    """One pathway and everything recorded on it, oldest first."""

    key: str
    side: str
    kind: str
    status: str  # active | closed
    opened_at: datetime
    opened_by: Agent
    closed_at: datetime | None = None
    plan: Document | None = None
    appointments: tuple[AppointmentRecord, ...] = ()
    drivers: tuple[DriverRecord, ...] = ()
    screenings: tuple[ScreeningRecord, ...] = ()
    review_notes: tuple[ReviewNote, ...] = ()  # those that hold for the newest screening
    decisions: tuple[MedicineDecision, ...] = ()
    consents: tuple[ConsentEntry, ...] = ()
    procedure: ProcedureEntry | None = None
    diary: tuple[DiaryRecord, ...] = ()
    interpretation: InterpretationRecord | None = None
    symptom_reports: tuple[SymptomRecord, ...] = ()


@dataclass(frozen=True)
class NextStep:
    """The core's next-step plan for the patient, under `payer`, computed at `computed_at`."""

    plan: NextStepPlan
    payer: str
    computed_at: datetime


@dataclass(frozen=True)
class AuditRecord:
    key: str
    at: datetime
    action: str
    actor: Agent | None
    actor_role: str
    target_type: str
    target_id: str


@dataclass(frozen=True)
class PathwayExport:
    """A patient's whole pathway: what `export_bundle` turns into one FHIR Bundle.

    `audit` None means AuditEvents were not asked for; an empty tuple means none exist.
    `for_patient`: the patient reads it, so findings and triage reasons carry the
    patient's sentences instead of the clinicians' rationale (which may name options a
    clinician has not chosen yet), as the portal does.
    """

    patient: PatientRecord
    clinic: ClinicRecord
    generated_at: datetime
    locations: tuple[LocationRecord, ...] = ()
    practitioners: tuple[PractitionerRecord, ...] = ()
    pathways: tuple[PathwayRecord, ...] = ()
    appointments: tuple[AppointmentRecord, ...] = ()  # those on no pathway
    next_step: NextStep | None = None
    audit: tuple[AuditRecord, ...] | None = None
    for_patient: bool = False
