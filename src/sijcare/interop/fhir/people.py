"""People and places: Patient, Organization (the clinic), Location, Practitioner, and the
driver home as a RelatedPerson."""

from __future__ import annotations

from fhir.resources.R4B.location import Location
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.relatedperson import RelatedPerson

from sijcare.interop.fhir import codes
from sijcare.interop.fhir.common import Ids, build, instant, local_cc
from sijcare.interop.fhir.records import (
    ClinicRecord,
    DriverRecord,
    LocationRecord,
    PatientRecord,
    PractitionerRecord,
)


def patient_identifier_system() -> str:
    """The identifier system of a patient's public id (the id in sijcare's addresses)."""
    return codes.canonical("NamingSystem", "patient-public-id")


def patient_resource(ids: Ids, patient: PatientRecord, clinic: ClinicRecord) -> Patient:
    return build(
        Patient,
        {
            "id": ids.id("Patient", ids.scope),
            "identifier": [{"system": patient_identifier_system(), "value": patient.public_id}],
            "active": True,
            "name": [{"text": patient.name}],
            "birthDate": patient.date_of_birth.isoformat(),
            "telecom": [{"system": "phone", "value": patient.phone}] if patient.phone else [],
            "managingOrganization": ids.ref("Organization", clinic.key, clinic.name),
        },
    )


def organization_resource(ids: Ids, clinic: ClinicRecord) -> Organization:
    return build(
        Organization,
        {"id": ids.id("Organization", clinic.key), "active": True, "name": clinic.name},
    )


def location_resource(ids: Ids, location: LocationRecord, clinic: ClinicRecord) -> Location:
    return build(
        Location,
        {
            "id": ids.id("Location", location.key),
            "status": "active",
            "name": location.name,
            "address": {"text": location.address} if location.address.strip() else None,
            "managingOrganization": ids.ref("Organization", clinic.key, clinic.name),
        },
    )


def practitioner_resource(ids: Ids, practitioner: PractitionerRecord) -> Practitioner:
    """A practitioner; each qualification line of the directory becomes one qualification."""
    return build(
        Practitioner,
        {
            "id": ids.id("Practitioner", practitioner.key),
            "active": True,
            "name": [{"text": practitioner.name}],
            "qualification": [
                {"code": {"text": line}} for line in practitioner.qualifications if line.strip()
            ],
        },
    )


def driver_resource(ids: Ids, driver: DriverRecord) -> RelatedPerson:
    """The adult who drives the patient home after the injection (no account of their own)."""
    return build(
        RelatedPerson,
        {
            "id": ids.id("RelatedPerson", driver.key),
            "active": True,
            "patient": ids.patient,
            "relationship": [
                local_cc("related-person", "driver-home", text="Driver home after the procedure"),
                {"text": driver.relationship} if driver.relationship.strip() else None,
            ],
            "name": [{"text": driver.name}],
            "telecom": [{"system": "phone", "value": driver.phone}] if driver.phone else [],
            "period": {"start": instant(driver.recorded_at)},
        },
    )
