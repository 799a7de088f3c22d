"""The injection as done and the consent to it: Procedure, MedicationAdministration, Consent.

Procedure: category SNOMED diagnostic or therapeutic procedure, code CPT 27096 (code
only), body site the SI joint with the side as a laterality qualifier, based on the
pathway's ServiceRequest. One MedicationAdministration per agent (anesthetic, steroid,
contrast), each part of the Procedure; contrast not used is `not-done` with the reason.

Consent: scope treatment, category LOINC 59284-0, the patient's agreement with the
consent checklist (a QuestionnaireResponse) as its source and the witness in the core
extension `consent-Witness`. Active when the core finds it complete for the current
plan; proposed while it waits for a witness; inactive once the plan changed after it.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.procedure import Procedure

from sijcare.interop.fhir.common import (
    Ids,
    Json,
    build,
    extension,
    instant,
    laterality,
    named,
    quantity,
)
from sijcare.interop.fhir.orders import category, procedure_code
from sijcare.interop.fhir.records import ConsentEntry, PathwayRecord, ProcedureEntry

_ROUTE = {"text": "Intra-articular (into the SI joint)"}


def procedure_ref(ids: Ids, entry: ProcedureEntry) -> Json:
    return ids.ref("Procedure", entry.key)


def _performer(ids: Ids, entry: ProcedureEntry) -> Json | None:
    if entry.performer_key:
        return ids.ref("Practitioner", entry.performer_key, entry.data.get("physician"))
    name = entry.data.get("physician")
    return {"display": name} if name else None


def procedure_resource(ids: Ids, pathway: PathwayRecord, entry: ProcedureEntry) -> Procedure:
    data = entry.data
    performer = _performer(ids, entry)
    return build(
        Procedure,
        {
            "id": ids.id("Procedure", entry.key),
            "basedOn": [ids.ref("ServiceRequest", pathway.key)],
            "status": "completed",
            "category": category(data["kind"]),
            "code": procedure_code(data["kind"], data["side"]),
            "subject": ids.patient,
            "performedDateTime": data["performed_at"],
            "recorder": ids.agent(entry.documented_by),
            "performer": [{"actor": performer}] if performer else [],
            "location": ids.ref("Location", entry.location_key) if entry.location_key else None,
            "bodySite": [laterality(data["side"])],
            "note": [{"text": text} for text in _notes(data)],
        },
    )


def _notes(data: Any) -> list[str]:
    """The procedure's details in words: guidance, sedation, observation and discharge."""
    notes = [
        f"Image guidance: {data.get('guidance', 'fluoroscopy')}.",
        f"Sedation: {data.get('sedation', 'none')}.",
        f"Pain just before the injection (baseline): {data['baseline_pain']} out of 10.",
    ]
    if data.get("observation_end"):
        notes.append(f"Observed until {data['observation_end']}.")
    if data.get("discharged_at"):
        notes.append(f"Discharged at {data['discharged_at']}.")
    if data.get("driver_present") is not None:
        present = "present" if data["driver_present"] else "not present"
        notes.append(f"Driver home {present} at discharge.")
    return notes


def administrations(ids: Ids, entry: ProcedureEntry) -> list[MedicationAdministration]:
    """The anesthetic, the steroid and the contrast of the injection, as documented."""
    data = entry.data
    anesthetic = data["anesthetic"]
    strength = f"{anesthetic['agent']} {anesthetic['concentration_percent']:g}%"
    out = [
        _given(
            ids,
            entry,
            "anesthetic",
            strength,
            {
                "text": f"{anesthetic['volume_ml']:g} mL of {strength}",
                "route": _ROUTE,
                "dose": quantity(anesthetic["volume_ml"], "mL", "mL"),
            },
        )
    ]
    steroid = data.get("steroid")
    if steroid:
        dose = {
            "text": f"{steroid['dose_mg']:g} mg of {steroid['agent']}",
            "route": _ROUTE,
            "dose": quantity(steroid["dose_mg"], "mg", "mg"),
        }
        out.append(_given(ids, entry, "steroid", steroid["agent"], dose))
    contrast = data.get("contrast")
    if contrast:
        out.append(_contrast(ids, entry, contrast))
    return out


def _given(
    ids: Ids, entry: ProcedureEntry, key: str, medicine: str, dosage: Json, **extra: Any
) -> MedicationAdministration:
    performer = _performer(ids, entry)
    return build(
        MedicationAdministration,
        {
            "id": ids.id("MedicationAdministration", f"{entry.key}/{key}"),
            "partOf": [procedure_ref(ids, entry)],
            "status": "completed",
            "medicationCodeableConcept": {"text": medicine},
            "subject": ids.patient,
            "effectiveDateTime": entry.data["performed_at"],
            "performer": [{"actor": performer}] if performer else [],
            "dosage": dosage,
            **extra,
        },
    )


def _contrast(ids: Ids, entry: ProcedureEntry, contrast: Any) -> MedicationAdministration:
    """The contrast dye given to confirm the needle's place, or `not-done` with the reason."""
    agent = contrast.get("agent") or "Contrast dye"
    if contrast.get("used"):
        return _given(ids, entry, "contrast", agent, {"route": _ROUTE})
    reason = [{"text": contrast.get("reason_not_used")}]
    return _given(ids, entry, "contrast", agent, {}, status="not-done", statusReason=reason)


def consent_resource(
    ids: Ids, pathway: PathwayRecord, consent: ConsentEntry, organization: Json
) -> Consent:
    status = (
        "active"
        if consent.complete
        else ("proposed" if consent.witnessed_at is None else "inactive")
    )
    witness = ids.agent(consent.witnessed_by)
    return build(
        Consent,
        {
            "id": ids.id("Consent", consent.key),
            "extension": [extension("consent-witness", valueReference=witness)] if witness else [],
            "status": status,
            "scope": named("consent-treatment"),
            "category": [named("patient-consent")],
            "patient": ids.patient,
            "dateTime": instant(consent.agreed_at),
            "performer": [ids.patient],
            "organization": [organization],
            "sourceReference": ids.ref("QuestionnaireResponse", f"consent/{consent.key}"),
            "policyRule": {
                "text": "Informed consent to the planned injection, after the answers to the "
                "twelve consent questions were read and confirmed"
            },
            "provision": {
                "type": "permit",
                "period": {"start": instant(consent.agreed_at)},
                "code": [procedure_code(pathway.kind, pathway.side)],
            },
        },
    )
