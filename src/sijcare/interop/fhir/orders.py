"""The order and the bookings: ServiceRequest (the planned injection) and Appointment.

The ServiceRequest is the pathway: opened by a clinician for one side and kind, with the
planned medicines, guidance, contrast and sedation as order details once planned. Its
code is CPT 27096 (code only) and its body site the SI joint with the side as a
laterality qualifier. It is completed once the injection is documented, revoked when the
pathway was closed without one. An Appointment is booked, cancelled, fulfilled (the
patient came) or noshow (the patient did not come).
"""

from __future__ import annotations

from datetime import datetime

from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.servicerequest import ServiceRequest

from sijcare.interop.fhir.common import Ids, Json, build, cc, instant, laterality, local_cc, named
from sijcare.interop.fhir.records import AppointmentRecord, Document, PathwayRecord

_APPOINTMENT_STATUS = {
    "booked": "booked",
    "cancelled": "cancelled",
    "completed": "fulfilled",
    "no_show": "noshow",
}
# A procedure booking where the injection is (or was) given: not a cancelled or missed one.
_KEPT = frozenset({"booked", "completed"})
_KIND_CATEGORY = {"diagnostic": "diagnostic-procedure", "therapeutic": "therapeutic-procedure"}
_KIND_WORDS = {
    "diagnostic": "Diagnostic SI joint block",
    "therapeutic": "Therapeutic SI joint injection",
}
_SIDE_WORDS = {"left": "left side", "right": "right side", "bilateral": "both sides"}


def procedure_text(kind: str, side: str) -> str:
    """The procedure in plain words, like "Diagnostic SI joint block, left side"."""
    return f"{_KIND_WORDS[kind]}, {_SIDE_WORDS[side]}"


def procedure_code(kind: str, side: str) -> Json:
    """CPT 27096 (no descriptor: it is licensed) with our own words as the text."""
    return named("si-joint-injection", text=procedure_text(kind, side))


def category(kind: str) -> Json:
    return named(_KIND_CATEGORY[kind])


def service_request_resource(ids: Ids, pathway: PathwayRecord) -> ServiceRequest:
    procedure_at = _procedure_time(pathway)
    return build(
        ServiceRequest,
        {
            "id": ids.id("ServiceRequest", pathway.key),
            "status": _order_status(pathway),
            "intent": "order",
            "category": [category(pathway.kind)],
            "code": procedure_code(pathway.kind, pathway.side),
            "orderDetail": _details(pathway.plan),
            "subject": ids.patient,
            "occurrenceDateTime": None if procedure_at is None else instant(procedure_at),
            "authoredOn": instant(pathway.opened_at),
            "requester": ids.agent(pathway.opened_by),
            "bodySite": [laterality(pathway.side)],
        },
    )


def _order_status(pathway: PathwayRecord) -> str:
    if pathway.procedure is not None:
        return "completed"
    return "revoked" if pathway.status == "closed" else "active"


def _procedure_time(pathway: PathwayRecord) -> datetime | None:
    booked = [
        a.starts_at for a in pathway.appointments if a.kind == "procedure" and a.status in _KEPT
    ]
    return max(booked) if booked else None


def _details(plan: Document | None) -> list[Json]:
    """The planned injection's details, in words (INTAKE.json `procedure`)."""
    if plan is None:
        return []
    details = [cc(text=f"Numbing medicine: {plan['anesthetic_agent']}")]
    if plan.get("steroid_agent"):
        details.append(cc(text=f"Steroid: {plan['steroid_agent']}"))
    details.append(cc(text=f"Image guidance: {plan.get('guidance', 'fluoroscopy')}"))
    contrast = plan.get("contrast_planned", True)
    details.append(cc(text="Contrast planned" if contrast else "No contrast"))
    details.append(cc(text=f"Sedation: {plan.get('sedation', 'none')}"))
    return details


def appointment_resource(
    ids: Ids, pathway: PathwayRecord | None, appointment: AppointmentRecord, supporting: list[Json]
) -> Appointment:
    """A booking; a procedure booking of a pathway is based on its ServiceRequest and
    supported by the screening answers and the consent (`supporting`)."""
    participants = [
        {"actor": ids.patient, "required": "required", "status": "accepted"},
        {
            "actor": ids.ref("Practitioner", appointment.practitioner_key),
            "required": "required",
            "status": "accepted",
        },
    ]
    if appointment.mode == "in_person":
        participants.append(
            {
                "actor": ids.ref("Location", appointment.location_key),
                "required": "required",
                "status": "accepted",
            }
        )
    is_procedure = appointment.kind == "procedure" and pathway is not None
    return build(
        Appointment,
        {
            "id": ids.id("Appointment", appointment.key),
            "status": _APPOINTMENT_STATUS[appointment.status],
            "cancelationReason": {"text": appointment.cancel_reason}
            if appointment.status == "cancelled" and appointment.cancel_reason
            else None,
            "appointmentType": local_cc(
                "appointment-kind", appointment.kind, text=appointment.kind.replace("_", " ")
            ),
            "serviceType": [{"text": f"{appointment.mode.replace('_', ' ')} visit"}],
            "start": instant(appointment.starts_at),
            "end": instant(appointment.ends_at),
            "created": instant(appointment.created_at),
            "comment": appointment.note,
            "basedOn": [ids.ref("ServiceRequest", pathway.key)] if is_procedure and pathway else [],
            "supportingInformation": supporting if is_procedure else [],
            "participant": participants,
        },
    )
