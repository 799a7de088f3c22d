"""The persisted entities, one per module. Importing this package registers them all."""

from __future__ import annotations

from sijcare.db.models.appointment import Appointment
from sijcare.db.models.audit_event import AuditEvent
from sijcare.db.models.availability import Availability
from sijcare.db.models.availability_exception import AvailabilityException
from sijcare.db.models.clinic import Clinic
from sijcare.db.models.clinician_decision import ClinicianDecision
from sijcare.db.models.consent_record import ConsentRecord
from sijcare.db.models.diary_entry import DiaryEntry
from sijcare.db.models.driver import Driver
from sijcare.db.models.interpretation import Interpretation
from sijcare.db.models.location import Location
from sijcare.db.models.login_attempt import LoginAttempt
from sijcare.db.models.outbox_message import OutboxMessage
from sijcare.db.models.outcome_summary import OutcomeSummary
from sijcare.db.models.pathway import Pathway
from sijcare.db.models.patient import Patient
from sijcare.db.models.practitioner import Practitioner
from sijcare.db.models.practitioner_location import PractitionerLocation
from sijcare.db.models.procedure_record import ProcedureRecord
from sijcare.db.models.reminder_preference import ReminderPreference
from sijcare.db.models.room import Room
from sijcare.db.models.screening_response import ScreeningResponse
from sijcare.db.models.symptom_report import SymptomReport
from sijcare.db.models.user import User
from sijcare.db.models.web_session import WebSession

__all__ = [
    "Appointment",
    "AuditEvent",
    "Availability",
    "AvailabilityException",
    "Clinic",
    "ClinicianDecision",
    "ConsentRecord",
    "DiaryEntry",
    "Driver",
    "Interpretation",
    "Location",
    "LoginAttempt",
    "OutboxMessage",
    "OutcomeSummary",
    "Pathway",
    "Patient",
    "Practitioner",
    "PractitionerLocation",
    "ProcedureRecord",
    "ReminderPreference",
    "Room",
    "ScreeningResponse",
    "SymptomReport",
    "User",
    "WebSession",
]
