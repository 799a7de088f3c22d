"""The audit log of a patient's records as AuditEvents (only when asked for).

Type DICOM 110110 (Patient Record); subtype sijcare's action name (`diary.record`); the
action C/R/U/D/E by the action's verb; the agent the user who acted (a practitioner or
the patient of the bundle, else their role and number); the entities the patient and
the record acted on. Addresses and browser hashes are left out: they are the staff's
and the patient's own data, not part of the clinical record.
"""

from __future__ import annotations

from fhir.resources.R4B.auditevent import AuditEvent

from sijcare.interop.fhir import codes
from sijcare.interop.fhir.common import Ids, Json, build, instant
from sijcare.interop.fhir.records import AuditRecord, ClinicRecord

# The FHIR action of each verb sijcare's action names end with; any other is E (execute).
ACTIONS = {
    **dict.fromkeys(("view", "list", "form", "review_view", "export", "correct_unchanged"), "R"),
    **dict.fromkeys(
        ("create", "record", "submit", "agree", "document", "book", "register", "open", "import"),
        "C",
    ),
    **dict.fromkeys(
        (
            "update",
            "plan",
            "witness",
            "sign_off",
            "move",
            "cancel",
            "close",
            "decide",
            "acknowledge",
            "review",
            "attendance",
            "correct",
        ),
        "U",
    ),
    "delete": "D",
}


def action_code(action: str) -> str:
    """C, R, U, D or E for an action name like `diary.record`."""
    return ACTIONS.get(action.rpartition(".")[2], "E")


def audit_event(ids: Ids, record: AuditRecord, clinic: ClinicRecord) -> AuditEvent:
    who = ids.agent(record.actor) or {"display": f"{record.actor_role} user"}
    return build(
        AuditEvent,
        {
            "id": ids.id("AuditEvent", record.key),
            "type": codes.coding("patient-record"),
            "subtype": [codes.local("audit-action", record.action)],
            "action": action_code(record.action),
            "recorded": instant(record.at),
            "outcome": "0",
            "agent": [{"who": who, "requestor": True, "role": [{"text": record.actor_role}]}],
            "source": {
                "site": "sijcare",
                "observer": ids.ref("Organization", clinic.key, clinic.name),
            },
            "entity": [{"what": ids.patient}, *_target(record)],
        },
    )


def _target(record: AuditRecord) -> list[Json]:
    if not record.target_type:
        return []
    value = f"{record.target_type}/{record.target_id}" if record.target_id else record.target_type
    return [
        {
            "what": {
                "identifier": {"system": codes.canonical("NamingSystem", "record"), "value": value},
                "display": value,
            }
        }
    ]
