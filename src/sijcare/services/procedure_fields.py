"""A PROCEDURE document as the core reads it when a clinician documents an injection,
and against what the patient agreed to: every problem at once, each with a message for
its field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Kind, PlannedProcedure, Procedure, Side
from sijcare.formats.common import parse_datetime, parse_enum
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


def plan_problems(
    document: Mapping[str, Any],
    plan: PlannedProcedure,
    agreed_at: datetime | None,
    now: datetime,
) -> list[FieldError]:
    """The injection against what the patient agreed to (`plan`, at `agreed_at`): its
    kind and side, and its time (not in the future, not before the patient agreed). A
    field the document does not give readably is left to the core's own checks."""
    problems = []
    if _readable(Kind, document.get("kind")) not in (None, plan.kind):
        problems.append(FieldError("kind", _AGREED_KIND[plan.kind]))
    if _readable(Side, document.get("side")) not in (None, plan.side):
        problems.append(FieldError("side", _AGREED_SIDE[plan.side]))
    at = _moment(document.get("performed_at"))
    if at is not None and at > now:
        problems.append(FieldError("performed_at", msg("The injection time is in the future.")))
    elif at is not None and agreed_at is not None and at < agreed_at:
        problems.append(
            FieldError(
                "performed_at",
                msg(
                    "The injection time is before the patient agreed to it. Check the date "
                    "and the time."
                ),
            )
        )
    return problems


# What the patient agreed to, named, so that the clinician sees which value is wrong.
_AGREED_KIND = {
    Kind.DIAGNOSTIC: msg("The patient agreed to a diagnostic block, not this kind."),
    Kind.THERAPEUTIC: msg("The patient agreed to a therapeutic injection, not this kind."),
}
_AGREED_SIDE = {
    Side.LEFT: msg("The patient agreed to the left side, not this one."),
    Side.RIGHT: msg("The patient agreed to the right side, not this one."),
    Side.BILATERAL: msg("The patient agreed to both sides, not this one."),
}


def _readable(enum: type[Kind] | type[Side], value: Any) -> Kind | Side | None:
    try:
        return parse_enum(enum, value, where="")
    except InputError:
        return None


def _moment(value: Any) -> datetime | None:
    try:
        return parse_datetime(value, where="")
    except InputError:
        return None
