"""A PROCEDURE document as the core reads it when a clinician documents an injection:
every problem at once, each with a message for its field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Procedure
from sijcare.formats.procedure import document_problems, procedure_from_dict
from sijcare.services.errors import FieldError, Invalid, Message, msg

# Messages for the core's field errors when documenting (`InputError.where`); `detail` is
# the core's own explanation.
FIELD_MESSAGES: dict[str, Message] = {
    "performed_at": msg("Enter the date and time of the injection."),
    "kind": msg("Choose diagnostic or therapeutic."),
    "side": msg("Choose the side."),
    "baseline_pain": msg("Enter the pain score just before the injection, from 0 to 10."),
    "anesthetic": msg("Enter the anesthetic."),
    "anesthetic.agent": msg("Choose an anesthetic from the list."),
    "anesthetic.concentration_percent": msg("Check the concentration: {detail}."),
    "anesthetic.volume_ml": msg("Check the volume: {detail}."),
    "steroid": msg("Check the steroid: {detail}."),
    "steroid.agent": msg("Choose a steroid from the list."),
    "steroid.dose_mg": msg("Check the steroid dose: {detail}."),
    "guidance": msg("Choose the image guidance."),
    "contrast.used": msg("Say whether contrast was used."),
    "contrast.reason_not_used": msg("Say why no contrast was used."),
    "sedation": msg("Choose the sedation."),
    "physician": msg("Enter the performing physician."),
    "observation_end": msg("The end of observation {detail}."),
    "discharged_at": msg("The discharge time {detail}."),
    "driver_present": msg("Discharge needs the driver present."),
}


def parse_procedure(
    document: Mapping[str, Any], knowledge: Knowledge, form_errors: Sequence[FieldError] = ()
) -> Procedure:
    """The core's `Procedure` of PROCEDURE.json, or `Invalid` with every problem at once:
    `form_errors` (fields a form could not read) first, then the core's, one per field."""
    try:
        procedure = procedure_from_dict(document, knowledge)
    except InputError as exc:
        problems = document_problems(document, knowledge) or [exc]
    else:
        if not form_errors:
            return procedure
        problems = []
    errors = list(form_errors)
    named = {e.field for e in errors}
    for problem in problems:
        if problem.where in named:
            continue
        named.add(problem.where)
        message = FIELD_MESSAGES.get(problem.where, msg("Check this value: {detail}."))
        errors.append(FieldError(problem.where, msg(message.text, detail=problem.message)))
    raise Invalid(errors)
