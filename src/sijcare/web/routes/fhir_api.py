"""FHIR R4 over HTTP: a patient's pathway as a Bundle, the import, and our Questionnaires.

- `GET /api/v1/patients/{patient_id}/fhir` answers `application/fhir+json`: the whole
  pathway as a Bundle (`?audit=true` adds the audit log as AuditEvents; `?payer=` picks
  the payer profile of the next step). The patient and the clinicians of their clinic.
- `POST /api/v1/patients/{patient_id}/fhir/import` takes a Bundle (JSON) and answers what
  it pre-fills in the screening answers and what was not understood; nothing is stored.
- `GET /fhir/Questionnaire/{name}`: the public definitions (screening, consent, diary,
  symptoms), with no sign-in.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from sijcare.interop.fhir import questionnaires
from sijcare.interop.fhir.bundle import to_json
from sijcare.interop.fhir.fhir_import import ImportNote
from sijcare.services import fhir
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.limits import PAYER_ID_MAX_LENGTH, PatientId, bounded_body

router = APIRouter(tags=["fhir"])

FHIR_JSON = "application/fhir+json"
_BUNDLE = {FHIR_JSON: {"schema": {"type": "object", "description": "A FHIR R4 Bundle"}}}


class NoteOut(BaseModel):
    entry: str = Field(description="The bundle entry, like `entry[3] MedicationStatement`")
    field: str = Field(description="The screening answer it filled (INTAKE.json path), or empty")
    text: str

    @classmethod
    def of(cls, note: ImportNote) -> NoteOut:
        return cls(entry=note.entry, field=note.field, text=note.text)


class ImportOut(BaseModel):
    patient_id: str
    prefill: dict[str, Any] = Field(description="Screening answers in INTAKE.json form")
    taken: list[NoteOut]
    skipped: list[NoteOut]
    not_understood: list[NoteOut]


@router.get(
    "/api/v1/patients/{patient_id}/fhir",
    response_class=Response,
    responses={
        200: {"content": _BUNDLE, "description": "A FHIR R4 Bundle"},
        **errors(401, 403, 404, 422),
    },
)
def export_patient(
    patient_id: PatientId,
    ctx: SignedIn,
    audit: bool = False,
    payer: Annotated[str | None, Query(max_length=PAYER_ID_MAX_LENGTH)] = None,
) -> Response:
    """The patient's whole pathway as a FHIR R4 Bundle (type collection)."""
    bundle = fhir.export_patient(
        ctx.db,
        actor=ctx.me,
        public_id=patient_id,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
        include_audit=audit,
        payer=payer,
    )
    return Response(to_json(bundle), media_type=FHIR_JSON)


@router.post(
    "/api/v1/patients/{patient_id}/fhir/import",
    response_model=ImportOut,
    responses=errors(401, 403, 404, 422),
    openapi_extra={"requestBody": {"required": True, "content": _BUNDLE}},
)
async def import_bundle(patient_id: PatientId, request: Request, ctx: SignedIn) -> ImportOut:
    """What a FHIR Bundle (Patient, MedicationStatement, AllergyIntolerance, Condition)
    pre-fills in the patient's screening answers; nothing is stored. A bundle past the
    service's limit is read only that far, then refused."""
    text = await bounded_body(request, fhir.MAX_BUNDLE_BYTES)
    outcome = fhir.import_bundle(ctx.db, actor=ctx.me, public_id=patient_id, text=text, now=ctx.now)
    return ImportOut(
        patient_id=outcome.patient_public_id,
        prefill=outcome.prefill,
        taken=[NoteOut.of(n) for n in outcome.taken],
        skipped=[NoteOut.of(n) for n in outcome.skipped],
        not_understood=[NoteOut.of(n) for n in outcome.not_understood],
    )


# A FHIR endpoint, not part of the JSON API: documented in docs/interoperability.md.
@router.get("/fhir/Questionnaire/{name}", response_class=Response, include_in_schema=False)
def questionnaire(name: str) -> Response:
    """One of the published questionnaires: screening, consent, diary or symptoms."""
    if name not in questionnaires.NAMES:
        return Response(
            to_json(questionnaires.unknown(name)), status_code=404, media_type=FHIR_JSON
        )
    return Response(to_json(questionnaires.questionnaire(name)), media_type=FHIR_JSON)
