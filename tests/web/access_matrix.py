"""The refusal matrix: every route whose path names patient data, and who may use it.

`test_access_matrix.py` checks two things against the running app:
1. every path parameter of every route is classified, either in `PATIENT_SCOPED`
   (with a resolver that makes a record of the target patient `personas.patient`) or in
   `NOT_PATIENT_SCOPED`; and every route with a patient-scoped parameter has an `Entry`;
2. for each entry and persona, the request is allowed or refused as listed, and an
   anonymous request is refused (401 for the API, a redirect to the login page for pages).

To add a route: give its parameters a resolver (or list them as not patient-scoped) and
add an `Entry` with one of the policies below, and a body if the route reads one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from factories import make_appointment, make_availability, make_pathway
from fixtures_db import Personas
from sijcare.db.models import Appointment, Pathway

ALLOW = "allow"
DENY = "deny"


def policy(*allowed: str) -> Mapping[str, str]:
    """Allowed for the named personas, refused for every other one."""
    unknown = set(allowed) - set(Personas.NAMES)
    assert not unknown, unknown
    return {name: ALLOW if name in allowed else DENY for name in Personas.NAMES}


# The patient themself and the staff of their clinic (demographics, appointments).
PATIENT_AND_STAFF = policy("patient", "clinician", "scheduler", "admin")
# The patient themself and the clinicians of their clinic (clinical records).
PATIENT_AND_CLINICIANS = policy("patient", "clinician")
# Staff of the patient's clinic only.
STAFF = policy("clinician", "scheduler", "admin")
# Clinicians of the patient's clinic only (sign-offs, decisions).
CLINICIANS = policy("clinician")
# The patient only (their own answers and diary).
PATIENT_ONLY = policy("patient")


@dataclass
class World:
    """The records a resolver may need, made on first use for `personas.patient`."""

    db: Session
    personas: Personas
    cache: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    @property
    def patient_public_id(self) -> str:
        patient = self.personas.patient.patient
        assert patient is not None
        return patient.public_id

    def pathway(self) -> Pathway:
        patient = self.personas.patient.patient
        assert patient is not None
        return self.once(
            "pathway",
            lambda: make_pathway(self.db, patient=patient, opened_by=self.personas.clinician.user),
        )

    def appointment(self) -> Appointment:
        patient = self.personas.patient.patient
        practitioner = self.personas.clinician.practitioner
        assert patient is not None and practitioner is not None
        starts_at = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)  # after the tests' frozen "now"
        return self.once(
            "appointment",
            lambda: make_appointment(
                self.db,
                patient=patient,
                practitioner=practitioner,
                location=self.personas.location,
                created_by=self.personas.scheduler.user,
                starts_at=starts_at,
            ),
        )

    def free_slot(self) -> str:
        """A free start time (ISO 8601) for booking and moving bodies: Monday 9 March 10:30 PDT.

        Makes the treating clinician available on Mondays 09:00-12:00 at the location.
        """
        practitioner = self.personas.clinician.practitioner
        assert practitioner is not None
        self.once(
            "availability",
            lambda: make_availability(
                self.db, practitioner=practitioner, location=self.personas.location
            ),
        )
        return (datetime(2026, 3, 9, 17, 0, tzinfo=UTC) + timedelta(minutes=30)).isoformat()

    def booking(self) -> dict[str, Any]:
        """The fields of a valid booking of `free_slot`."""
        practitioner = self.personas.clinician.practitioner
        assert practitioner is not None
        return {
            "practitioner_id": practitioner.id,
            "location_id": self.personas.location.id,
            "starts_at": self.free_slot(),
            "kind": "follow_up",
            "mode": "in_person",
        }


Resolver = Callable[[World], str]

# Path parameters that name a patient's data, and how to get one of the target patient.
PATIENT_SCOPED: dict[str, Resolver] = {
    "patient_id": lambda world: world.patient_public_id,
    "appointment_id": lambda world: str(world.appointment().id),
    "pathway_id": lambda world: str(world.pathway().id),
}

# Path parameters that do not name patient data (staff, places, schedules).
NOT_PATIENT_SCOPED = frozenset({"user_id", "practitioner_id", "availability_id", "exception_id"})


@dataclass(frozen=True)
class Entry:
    method: str
    path: str
    expect: Mapping[str, str]
    # The JSON body (API) or form fields (pages) a permitted user would send.
    body: Callable[[World], dict[str, Any]] | None = None

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


ENTRIES: list[Entry] = [
    # Patients and their appointments (web platform).
    Entry("GET", "/api/v1/patients/{patient_id}", PATIENT_AND_STAFF),
    Entry("GET", "/api/v1/patients/{patient_id}/appointments", PATIENT_AND_STAFF),
    Entry(
        "POST",
        "/api/v1/patients/{patient_id}/appointments",
        PATIENT_AND_STAFF,
        body=lambda world: world.booking(),
    ),
    Entry("GET", "/api/v1/appointments/{appointment_id}", PATIENT_AND_STAFF),
    Entry(
        "POST",
        "/api/v1/appointments/{appointment_id}/move",
        PATIENT_AND_STAFF,
        body=lambda world: {"starts_at": world.free_slot()},
    ),
    Entry(
        "POST",
        "/api/v1/appointments/{appointment_id}/cancel",
        PATIENT_AND_STAFF,
        body=lambda world: {"reason": "matrix"},
    ),
    Entry("GET", "/patients/{patient_id}/appointments", PATIENT_AND_STAFF),
    Entry("GET", "/patients/{patient_id}/appointments/new", PATIENT_AND_STAFF),
    Entry(
        "POST",
        "/patients/{patient_id}/appointments",
        PATIENT_AND_STAFF,
        body=lambda world: world.booking(),
    ),
    Entry("GET", "/appointments/{appointment_id}", PATIENT_AND_STAFF),
    Entry("GET", "/appointments/{appointment_id}/move", PATIENT_AND_STAFF),
    Entry(
        "POST",
        "/appointments/{appointment_id}/move",
        PATIENT_AND_STAFF,
        body=lambda world: {"starts_at": world.free_slot()},
    ),
    Entry(
        "POST",
        "/appointments/{appointment_id}/cancel",
        PATIENT_AND_STAFF,
        body=lambda world: {"reason": "matrix"},
    ),
    # Whether the patient came: the clinic's staff record it (the appointment is still to
    # come, so a permitted request is a 409).
    Entry(
        "POST",
        "/api/v1/appointments/{appointment_id}/attendance",
        STAFF,
        body=lambda world: {"attended": True},
    ),
    Entry(
        "POST",
        "/appointments/{appointment_id}/attendance",
        STAFF,
        body=lambda world: {"attended": "yes"},
    ),
]


# -- The clinician workspace: clinicians of the patient's clinic only. ----------------------


def _procedure_id(world: World) -> str:
    from factories.clinical import make_procedure_record

    def make() -> Any:
        return make_procedure_record(
            world.db, pathway=world.pathway(), documented_by=world.personas.clinician.user
        )

    return str(world.once("procedure", make).id)


def _report_id(world: World) -> str:
    from factories.clinical import make_symptom_report

    def make() -> Any:
        return make_symptom_report(
            world.db,
            pathway=world.pathway(),
            reported_by=world.personas.patient.user,
            disposition="call_now",
        )

    return str(world.once("symptom_report", make).id)


PATIENT_SCOPED.setdefault("procedure_id", _procedure_id)
PATIENT_SCOPED.setdefault("report_id", _report_id)

_DECISION = {
    "response_id": 1,
    "medicine": "Eliquis 5 mg",
    "decision": "hold",
    "confirmed_with_prescriber": True,
    "prescriber": "Dr. A. Rivera",
    "confirmed_on": "2026-03-01",
}
_REVIEW = {"response_id": 1, "code": "pregnancy.possible", "about": "pregnancy", "note": "matrix"}
_PROCEDURE = {
    "performed_at": "2026-03-02T07:00:00-08:00",
    "kind": "diagnostic",
    "side": "left",
    "anesthetic": {"agent": "lidocaine", "concentration_percent": 1.0, "volume_ml": 2.0},
    "baseline_pain": 7,
}
_PROCEDURE_FORM = {
    "performed_at": "2026-03-02T07:00",
    "kind": "diagnostic",
    "side": "left",
    "anesthetic.agent": "lidocaine",
    "anesthetic.concentration_percent": "1",
    "anesthetic.volume_ml": "2",
    "baseline_pain": "7",
    "contrast.used": "yes",
}
_DECISION_FORM = {
    "response_id": "1",
    "about": "Eliquis 5 mg",
    "decision": "hold",
    "confirmed_with_prescriber": "yes",
    "prescriber": "Dr. A. Rivera",
    "confirmed_on": "2026-03-01",
}

ENTRIES += [
    Entry("GET", "/workspace/patients/{patient_id}", CLINICIANS),
    Entry("GET", "/workspace/patients/{patient_id}/timeline", CLINICIANS),
    Entry("GET", "/workspace/patients/{patient_id}/plan", CLINICIANS),
    Entry("GET", "/workspace/pathways/{pathway_id}/plan", CLINICIANS),
    Entry(
        "POST",
        "/workspace/pathways/{pathway_id}/plan",
        CLINICIANS,
        body=lambda world: {
            "anesthetic_agent": "lidocaine",
            "guidance": "fluoroscopy",
            "sedation": "none",
        },
    ),
    Entry("GET", "/workspace/pathways/{pathway_id}/screening", CLINICIANS),
    Entry("GET", "/workspace/pathways/{pathway_id}/screening/finding", CLINICIANS),
    Entry(
        "POST",
        "/workspace/pathways/{pathway_id}/screening/decisions",
        CLINICIANS,
        body=lambda world: _DECISION_FORM,
    ),
    Entry(
        "POST",
        "/workspace/pathways/{pathway_id}/screening/reviews",
        CLINICIANS,
        body=lambda world: {"response_id": "1", "code": "x", "about": "y", "review_note": "m"},
    ),
    Entry("GET", "/workspace/pathways/{pathway_id}/consent", CLINICIANS),
    Entry(
        "POST",
        "/workspace/pathways/{pathway_id}/consent/witness",
        CLINICIANS,
        body=lambda world: {"consent_id": "1"},
    ),
    Entry("GET", "/workspace/pathways/{pathway_id}/procedure", CLINICIANS),
    Entry(
        "POST",
        "/workspace/pathways/{pathway_id}/procedure",
        CLINICIANS,
        body=lambda world: _PROCEDURE_FORM,
    ),
    Entry("GET", "/workspace/procedures/{procedure_id}", CLINICIANS),
    Entry("GET", "/workspace/procedures/{procedure_id}/diary", CLINICIANS),
    Entry(
        "POST",
        "/workspace/procedures/{procedure_id}/diary/sign-off",
        CLINICIANS,
        body=lambda world: {"interpretation_id": "1"},
    ),
    Entry("GET", "/workspace/reports/{report_id}", CLINICIANS),
    Entry(
        "POST",
        "/workspace/reports/{report_id}/acknowledge",
        CLINICIANS,
        body=lambda world: {"note": "Called the patient."},
    ),
    Entry("GET", "/api/v1/workspace/patients/{patient_id}", CLINICIANS),
    Entry("GET", "/api/v1/workspace/patients/{patient_id}/timeline", CLINICIANS),
    Entry("GET", "/api/v1/workspace/patients/{patient_id}/next-step", CLINICIANS),
    Entry("GET", "/api/v1/workspace/pathways/{pathway_id}/screening", CLINICIANS),
    Entry(
        "POST",
        "/api/v1/workspace/pathways/{pathway_id}/screening/decisions",
        CLINICIANS,
        body=lambda world: _DECISION,
    ),
    Entry(
        "POST",
        "/api/v1/workspace/pathways/{pathway_id}/screening/reviews",
        CLINICIANS,
        body=lambda world: _REVIEW,
    ),
    Entry("GET", "/api/v1/workspace/pathways/{pathway_id}/consent", CLINICIANS),
    Entry(
        "POST",
        "/api/v1/workspace/pathways/{pathway_id}/consent/witness",
        CLINICIANS,
        body=lambda world: {"consent_id": 1},
    ),
    Entry(
        "POST",
        "/api/v1/workspace/pathways/{pathway_id}/procedure",
        CLINICIANS,
        body=lambda world: _PROCEDURE,
    ),
    Entry("GET", "/api/v1/workspace/procedures/{procedure_id}", CLINICIANS),
    Entry("GET", "/api/v1/workspace/procedures/{procedure_id}/diary-review", CLINICIANS),
    Entry(
        "POST",
        "/api/v1/workspace/procedures/{procedure_id}/sign-off",
        CLINICIANS,
        body=lambda world: {"interpretation_id": 1},
    ),
    Entry("GET", "/api/v1/workspace/reports/{report_id}", CLINICIANS),
    Entry(
        "POST",
        "/api/v1/workspace/reports/{report_id}/acknowledgement",
        CLINICIANS,
        body=lambda world: {"note": "Called the patient."},
    ),
]


# -- The patient portal: reads for the patient and clinicians, the patient's own writes. -----


def _portal_report_id(world: World) -> str:
    from factories.clinical import make_symptom_report

    def make() -> Any:
        return make_symptom_report(
            world.db,
            pathway=world.pathway(),
            reported_by=world.personas.patient.user,
            disposition="call_soon",
        )

    return str(world.once("portal_symptom_report", make).id)


PATIENT_SCOPED.setdefault("symptom_report_id", _portal_report_id)

_ANSWERS = {
    "current_infection": False,
    "immunocompromised": False,
    "possibly_pregnant": False,
    "diabetes": {"has": False},
    "driver_arranged": False,
}
_PLAN = {"kind": "diagnostic", "side": "left", "anesthetic_agent": "lidocaine"}
_AGREEMENT = {"plan_version": "0000000000000000", "confirmed": [], "agree": True}

ENTRIES += [
    Entry("GET", "/portal/pathways/{pathway_id}/screening", PATIENT_AND_CLINICIANS),
    Entry("GET", "/portal/pathways/{pathway_id}/screening/answers", PATIENT_ONLY),
    Entry(
        "POST",
        "/portal/pathways/{pathway_id}/screening/answers",
        PATIENT_ONLY,
        body=lambda world: {"current_infection": "no"},
    ),
    Entry("GET", "/portal/pathways/{pathway_id}/consent", PATIENT_AND_CLINICIANS),
    Entry(
        "POST",
        "/portal/pathways/{pathway_id}/consent",
        PATIENT_ONLY,
        body=lambda world: {"plan_version": "0000000000000000", "agree": "yes"},
    ),
    Entry("GET", "/portal/procedures/{procedure_id}/diary", PATIENT_AND_CLINICIANS),
    Entry(
        "POST",
        "/portal/procedures/{procedure_id}/diary",
        PATIENT_ONLY,
        body=lambda world: {"pain": "3"},
    ),
    Entry(
        "POST",
        "/portal/procedures/{procedure_id}/diary/last",
        PATIENT_ONLY,
        body=lambda world: {"entry_id": "0", "corrected_pain": "3"},
    ),
    Entry("GET", "/portal/procedures/{procedure_id}/chart", PATIENT_AND_CLINICIANS),
    Entry("GET", "/portal/procedures/{procedure_id}/symptoms", PATIENT_ONLY),
    Entry(
        "POST",
        "/portal/procedures/{procedure_id}/symptoms",
        PATIENT_ONLY,
        body=lambda world: {"hives": "yes"},
    ),
    Entry("GET", "/portal/procedures/{procedure_id}/aftercare", PATIENT_AND_CLINICIANS),
    Entry("GET", "/portal/symptom-reports/{symptom_report_id}", PATIENT_AND_CLINICIANS),
    Entry("GET", "/api/v1/portal/pathways/{pathway_id}/screening", PATIENT_AND_CLINICIANS),
    Entry(
        "POST",
        "/api/v1/portal/pathways/{pathway_id}/screening",
        PATIENT_ONLY,
        body=lambda world: _ANSWERS,
    ),
    Entry(
        "PUT",
        "/api/v1/pathways/{pathway_id}/planned-injection",
        CLINICIANS,
        body=lambda world: _PLAN,
    ),
    Entry("GET", "/api/v1/portal/pathways/{pathway_id}/consent", PATIENT_AND_CLINICIANS),
    Entry(
        "POST",
        "/api/v1/portal/pathways/{pathway_id}/consent",
        PATIENT_ONLY,
        body=lambda world: _AGREEMENT,
    ),
    Entry("GET", "/api/v1/portal/procedures/{procedure_id}/diary", PATIENT_AND_CLINICIANS),
    Entry(
        "POST",
        "/api/v1/portal/procedures/{procedure_id}/diary-entries",
        PATIENT_ONLY,
        body=lambda world: {"pain": 3},
    ),
    Entry(
        "PUT",
        "/api/v1/portal/procedures/{procedure_id}/diary-entries/last",
        PATIENT_ONLY,
        body=lambda world: {"entry_id": 0, "pain": 3},
    ),
    Entry("GET", "/api/v1/portal/procedures/{procedure_id}/chart.svg", PATIENT_AND_CLINICIANS),
    Entry(
        "POST",
        "/api/v1/portal/procedures/{procedure_id}/symptom-reports",
        PATIENT_ONLY,
        body=lambda world: {"hives": True},
    ),
    Entry("GET", "/api/v1/portal/procedures/{procedure_id}/aftercare", PATIENT_AND_CLINICIANS),
    Entry("GET", "/api/v1/portal/symptom-reports/{symptom_report_id}", PATIENT_AND_CLINICIANS),
]


# -- Printable documents (PDF): the patient's sheets, the clinician's diary report. -----------

_PRINTED = [
    ("/portal/pathways/{pathway_id}/documents/preparation.pdf", PATIENT_AND_CLINICIANS),
    ("/portal/procedures/{procedure_id}/documents/aftercare.pdf", PATIENT_AND_CLINICIANS),
    ("/portal/pathways/{pathway_id}/documents/consent.pdf", PATIENT_AND_CLINICIANS),
    ("/workspace/procedures/{procedure_id}/diary-report.pdf", CLINICIANS),
]
ENTRIES += [Entry("GET", path, expect) for path, expect in _PRINTED]
ENTRIES += [Entry("GET", "/api/v1" + path, expect) for path, expect in _PRINTED]


# -- Calendars, reminders and CSV files (interoperability). ------------------------------------

ENTRIES += [
    Entry("GET", "/appointments/{appointment_id}/calendar.ics", PATIENT_AND_STAFF),
    Entry("GET", "/api/v1/appointments/{appointment_id}/calendar.ics", PATIENT_AND_STAFF),
    Entry("GET", "/api/v1/patients/{patient_id}/calendar.ics", PATIENT_AND_CLINICIANS),
    Entry("GET", "/api/v1/patients/{patient_id}/reminder-preferences", PATIENT_AND_STAFF),
    Entry(
        "PUT",
        "/api/v1/patients/{patient_id}/reminder-preferences",
        PATIENT_ONLY,
        body=lambda world: {"email_opt_in": True, "detail": "standard"},
    ),
    Entry("GET", "/api/v1/patients/{patient_id}/reminders", PATIENT_AND_STAFF),
    Entry("GET", "/portal/procedures/{procedure_id}/diary.csv", PATIENT_AND_CLINICIANS),
    Entry("GET", "/workspace/procedures/{procedure_id}/diary.csv", PATIENT_AND_CLINICIANS),
    Entry("GET", "/workspace/procedures/{procedure_id}/diary-import", CLINICIANS),
    Entry("POST", "/workspace/procedures/{procedure_id}/diary-import", CLINICIANS),
    Entry("GET", "/api/v1/procedures/{procedure_id}/diary.csv", PATIENT_AND_CLINICIANS),
    Entry("POST", "/api/v1/procedures/{procedure_id}/diary.csv", CLINICIANS),
]


# -- FHIR R4: the export Bundle and the import (interoperability). ------------------------------

# /fhir/Questionnaire/{name}: a public form definition, no patient data.
NOT_PATIENT_SCOPED = NOT_PATIENT_SCOPED | {"name"}


def _fhir_bundle(world: World) -> dict[str, Any]:
    """A bundle about the target patient that pre-fills nothing: only their Patient."""
    patient = world.personas.patient.patient
    assert patient is not None
    person = {"resourceType": "Patient", "birthDate": patient.date_of_birth.isoformat()}
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": person}]}


ENTRIES += [
    Entry("GET", "/api/v1/patients/{patient_id}/fhir", PATIENT_AND_CLINICIANS),
    Entry(
        "POST",
        "/api/v1/patients/{patient_id}/fhir/import",
        PATIENT_AND_CLINICIANS,
        body=_fhir_bundle,
    ),
]


# -- Care pathways started and closed (clinicians); patients' portal logins (admins). --------

# A clinic admin of the patient's clinic only (accounts).
ADMINS = policy("admin")
# A second login for the target patient (who has one) is a 409, which counts as allowed.
_NEW_LOGIN = {"email": "new.login@example.org"}

ENTRIES += [
    Entry(
        "POST",
        "/workspace/patients/{patient_id}/pathways",
        CLINICIANS,
        body=lambda world: {"side": "right", "kind": "therapeutic"},
    ),
    Entry(
        "POST",
        "/workspace/pathways/{pathway_id}/close",
        CLINICIANS,
        body=lambda world: {f"reason_{world.pathway().id}": "matrix"},
    ),
    Entry(
        "POST",
        "/api/v1/workspace/patients/{patient_id}/pathways",
        CLINICIANS,
        body=lambda world: {"side": "right", "kind": "therapeutic"},
    ),
    Entry(
        "POST",
        "/api/v1/workspace/pathways/{pathway_id}/close",
        CLINICIANS,
        body=lambda world: {"reason": "matrix"},
    ),
    Entry("GET", "/admin/patients/{patient_id}/portal-login", ADMINS),
    Entry(
        "POST", "/admin/patients/{patient_id}/portal-login", ADMINS, body=lambda world: _NEW_LOGIN
    ),
    Entry(
        "POST",
        "/api/v1/admin/patients/{patient_id}/portal-login",
        ADMINS,
        body=lambda world: _NEW_LOGIN,
    ),
]
