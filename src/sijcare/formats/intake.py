"""INTAKE.json: the screening answers before an SI joint injection.

One JSON object. Field names not listed here are refused (a misspelt question must not
pass silently). Every error names the field path, like ``medicines[2].name``.

Required:
- ``procedure``: the planned injection, without its time (the booking gives it):
  ``kind`` (diagnostic | therapeutic), ``side`` (left | right | bilateral),
  ``anesthetic_agent`` (a name in the anesthetics table), ``steroid_agent`` (null for a
  diagnostic block; a name in the steroids table for a therapeutic one), optional
  ``guidance`` (fluoroscopy | ct | ultrasound; default fluoroscopy),
  ``contrast_planned`` (default true) and ``sedation`` (none | minimal | moderate;
  default none).
- ``current_infection``, ``immunocompromised``, ``possibly_pregnant``,
  ``driver_arranged``: true or false.
- ``diabetes``: ``{"has": true|false, "uses_insulin": true|false|null}``.

Optional:
- ``fever_recent``: null, or ``{"max_temperature": 38.2, "unit": "C"|"F", "on":
  "YYYY-MM-DD"}``: the highest temperature measured recently and the day.
- ``recent_illness``: null, or ``{"description": "...", "last_symptoms_on":
  "YYYY-MM-DD"|null}`` (null: still unwell).
- ``kidney_function_impaired``: true, false or null (unknown; the default).
- ``medicines``: ``[{"name": "Eliquis 5 mg", "dose": "5 mg", "frequency": "twice a
  day"}]`` (dose and frequency optional text).
- ``allergies``: ``[{"substance": "...", "kind": "contrast|anesthetic|steroid|medicine|
  food|other", "reaction": "..."}]`` (reaction optional).
- ``past_reactions``: ``[{"to": "contrast|anesthetic|steroid|injection|other",
  "description": "..."}]`` (to contrast dye, anesthetics, steroids, earlier injections).
- ``clinician_decisions``: ``[{"medicine": "Eliquis 5 mg", "decision": "hold"|"continue",
  "confirmed_with_prescriber": true|false, "by": "Dr A. Rivera", "at": "<ISO 8601 with
  offset>", "regimen": null}]``. A hold becomes dates for the patient only when
  confirmed with the prescriber; ``regimen`` picks the row of a medicine with several
  (enoxaparin "prophylactic" or "treatment"; semaglutide "weekly" or "daily").

`intake_to_dict` writes the same format back, so an application can store the JSON,
add a decision (`sijcare.domain.intake.with_decision`) and store it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from sijcare.domain.errors import InputError
from sijcare.domain.intake import (
    Allergy,
    AllergyKind,
    ClinicianDecision,
    Diabetes,
    FeverReport,
    HoldDecision,
    Intake,
    MedicineEntry,
    PastReaction,
    ProcedurePlan,
    ReactionTo,
    RecentIllness,
    Temperature,
    TemperatureUnit,
)
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Guidance, Kind, Sedation, Side
from sijcare.domain.screening import check_intake
from sijcare.formats.common import (
    load_json_object,
    parse_bool,
    parse_datetime,
    parse_enum,
    parse_number,
    parse_text,
    require,
)

T = TypeVar("T")
Doc = Mapping[str, Any]

FIELDS = {
    "procedure", "current_infection", "fever_recent", "recent_illness", "immunocompromised",
    "possibly_pregnant", "diabetes", "kidney_function_impaired", "medicines", "allergies",
    "past_reactions", "driver_arranged", "clinician_decisions",
}  # fmt: skip
_PROCEDURE = {
    "kind", "side", "anesthetic_agent", "steroid_agent", "guidance", "contrast_planned",
    "sedation",
}  # fmt: skip
_NAME = 200
_TEXT = 500


def is_intake_field(where: str) -> bool:
    """Whether an error location names a field of INTAKE.json (not a clinic setting)."""
    return where.split(".")[0].split("[")[0] in FIELDS


def parse_intake_text(text: str, knowledge: Knowledge, *, what: str) -> Intake:
    """Parse INTAKE.json text; errors name `what` (the file) and the field path."""
    doc = load_json_object(text, what=what)
    try:
        return intake_from_dict(doc, knowledge)
    except InputError as exc:
        raise exc.within(what) from None


def intake_from_dict(doc: Doc, knowledge: Knowledge) -> Intake:
    """An `Intake` from a decoded JSON object, checked against the knowledge base."""
    _only(doc, FIELDS, "")
    intake = Intake(
        procedure=_object(doc, "procedure", _procedure),
        current_infection=_bool(doc, "current_infection"),
        immunocompromised=_bool(doc, "immunocompromised"),
        possibly_pregnant=_bool(doc, "possibly_pregnant"),
        diabetes=_object(doc, "diabetes", _diabetes),
        driver_arranged=_bool(doc, "driver_arranged"),
        medicines=_list(doc, "medicines", _medicine),
        allergies=_list(doc, "allergies", _allergy),
        past_reactions=_list(doc, "past_reactions", _past_reaction),
        fever_recent=_optional_object(doc, "fever_recent", _fever),
        recent_illness=_optional_object(doc, "recent_illness", _illness),
        kidney_function_impaired=_optional_bool(doc, "kidney_function_impaired", ""),
        clinician_decisions=_list(doc, "clinician_decisions", _decision),
    )
    check_intake(intake, knowledge)
    return intake


def intake_to_dict(intake: Intake) -> dict[str, Any]:
    """The INTAKE.json form of `intake` (round-trips through `intake_from_dict`)."""
    plan, fever, illness = intake.procedure, intake.fever_recent, intake.recent_illness
    return {
        "procedure": {
            "kind": plan.kind.value,
            "side": plan.side.value,
            "anesthetic_agent": plan.anesthetic_agent,
            "steroid_agent": plan.steroid_agent,
            "guidance": plan.guidance.value,
            "contrast_planned": plan.contrast_planned,
            "sedation": plan.sedation.value,
        },
        "current_infection": intake.current_infection,
        "fever_recent": None
        if fever is None
        else {
            "max_temperature": fever.max_temperature.value,
            "unit": fever.max_temperature.unit.value,
            "on": fever.on.isoformat(),
        },
        "recent_illness": None
        if illness is None
        else {
            "description": illness.description,
            "last_symptoms_on": None
            if illness.last_symptoms_on is None
            else illness.last_symptoms_on.isoformat(),
        },
        "immunocompromised": intake.immunocompromised,
        "possibly_pregnant": intake.possibly_pregnant,
        "diabetes": {"has": intake.diabetes.has, "uses_insulin": intake.diabetes.uses_insulin},
        "kidney_function_impaired": intake.kidney_function_impaired,
        "medicines": [
            {"name": m.name, "dose": m.dose, "frequency": m.frequency} for m in intake.medicines
        ],
        "allergies": [
            {"substance": a.substance, "kind": a.kind.value, "reaction": a.reaction}
            for a in intake.allergies
        ],
        "past_reactions": [
            {"to": r.to.value, "description": r.description} for r in intake.past_reactions
        ],
        "driver_arranged": intake.driver_arranged,
        "clinician_decisions": [
            {
                "medicine": d.medicine,
                "decision": d.decision.value,
                "confirmed_with_prescriber": d.confirmed_with_prescriber,
                "by": d.by,
                "at": d.at.isoformat(),
                "regimen": d.regimen,
            }
            for d in intake.clinician_decisions
        ],
    }


def _procedure(doc: Doc, p: str) -> ProcedurePlan:
    _only(doc, _PROCEDURE, p)
    return _located(
        p,
        ProcedurePlan,
        kind=parse_enum(Kind, require(doc, "kind", prefix=p), where=p + "kind"),
        side=parse_enum(Side, require(doc, "side", prefix=p), where=p + "side"),
        anesthetic_agent=_text(doc, "anesthetic_agent", p, _NAME),
        steroid_agent=_optional_text(doc, "steroid_agent", p, _NAME),
        guidance=parse_enum(Guidance, doc.get("guidance", "fluoroscopy"), where=p + "guidance"),
        contrast_planned=parse_bool(
            doc.get("contrast_planned", True), where=p + "contrast_planned"
        ),
        sedation=parse_enum(Sedation, doc.get("sedation", "none"), where=p + "sedation"),
    )


def _diabetes(doc: Doc, p: str) -> Diabetes:
    _only(doc, {"has", "uses_insulin"}, p)
    return _located(
        p,
        Diabetes,
        has=parse_bool(require(doc, "has", prefix=p), where=p + "has"),
        uses_insulin=_optional_bool(doc, "uses_insulin", p),
    )


def _fever(doc: Doc, p: str) -> FeverReport:
    _only(doc, {"max_temperature", "unit", "on"}, p)
    temperature = Temperature(
        value=parse_number(require(doc, "max_temperature", prefix=p), where=p + "max_temperature"),
        unit=parse_enum(TemperatureUnit, require(doc, "unit", prefix=p), where=p + "unit"),
    )
    return FeverReport(
        max_temperature=temperature, on=_date(require(doc, "on", prefix=p), p + "on")
    )


def _illness(doc: Doc, p: str) -> RecentIllness:
    _only(doc, {"description", "last_symptoms_on"}, p)
    last = doc.get("last_symptoms_on")
    return RecentIllness(
        description=_text(doc, "description", p, _TEXT),
        last_symptoms_on=None if last is None else _date(last, p + "last_symptoms_on"),
    )


def _medicine(doc: Doc, p: str) -> MedicineEntry:
    _only(doc, {"name", "dose", "frequency"}, p)
    return _located(
        p,
        MedicineEntry,
        name=_text(doc, "name", p, _NAME),
        dose=_optional_text(doc, "dose", p, _NAME),
        frequency=_optional_text(doc, "frequency", p, _NAME),
    )


def _allergy(doc: Doc, p: str) -> Allergy:
    _only(doc, {"substance", "kind", "reaction"}, p)
    return _located(
        p,
        Allergy,
        substance=_text(doc, "substance", p, _NAME),
        kind=parse_enum(AllergyKind, require(doc, "kind", prefix=p), where=p + "kind"),
        reaction=_optional_text(doc, "reaction", p, _TEXT),
    )


def _past_reaction(doc: Doc, p: str) -> PastReaction:
    _only(doc, {"to", "description"}, p)
    return _located(
        p,
        PastReaction,
        to=parse_enum(ReactionTo, require(doc, "to", prefix=p), where=p + "to"),
        description=_text(doc, "description", p, _TEXT),
    )


def _decision(doc: Doc, p: str) -> ClinicianDecision:
    _only(doc, {"medicine", "decision", "confirmed_with_prescriber", "by", "at", "regimen"}, p)
    return _located(
        p,
        ClinicianDecision,
        medicine=_text(doc, "medicine", p, _NAME),
        decision=parse_enum(HoldDecision, require(doc, "decision", prefix=p), where=p + "decision"),
        confirmed_with_prescriber=parse_bool(
            require(doc, "confirmed_with_prescriber", prefix=p),
            where=p + "confirmed_with_prescriber",
        ),
        by=_text(doc, "by", p, _NAME),
        at=parse_datetime(require(doc, "at", prefix=p), where=p + "at"),
        regimen=_optional_text(doc, "regimen", p, _NAME),
    )


def _located(prefix: str, factory: Callable[..., T], **fields: Any) -> T:
    """`factory(**fields)`, with a validation error's field placed under `prefix`."""
    try:
        return factory(**fields)
    except InputError as exc:
        raise InputError(prefix + exc.where, exc.message) from None


def _only(doc: Doc, allowed: Iterable[str], p: str) -> None:
    unknown = sorted(set(doc) - set(allowed))
    if unknown:
        raise InputError(
            p + unknown[0], f"is not a field here (known: {', '.join(sorted(allowed))})"
        )


def _object(doc: Doc, key: str, parse: Callable[[Doc, str], T]) -> T:
    value = require(doc, key)
    if not isinstance(value, dict):
        raise InputError(key, "must be a JSON object")
    return parse(value, f"{key}.")


def _optional_object(doc: Doc, key: str, parse: Callable[[Doc, str], T]) -> T | None:
    return None if doc.get(key) is None else _object(doc, key, parse)


def _list(doc: Doc, key: str, parse: Callable[[Doc, str], T]) -> tuple[T, ...]:
    items = doc.get(key, [])
    if not isinstance(items, list):
        raise InputError(key, "must be a list")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(f"{key}[{i}]", "must be a JSON object")
        out.append(parse(item, f"{key}[{i}]."))
    return tuple(out)


def _bool(doc: Doc, key: str) -> bool:
    return parse_bool(require(doc, key), where=key)


def _optional_bool(doc: Doc, key: str, p: str) -> bool | None:
    value = doc.get(key)
    return None if value is None else parse_bool(value, where=p + key)


def _text(doc: Doc, key: str, p: str, max_length: int) -> str:
    value = parse_text(require(doc, key, prefix=p), where=p + key, max_length=max_length)
    if not value.strip():
        raise InputError(p + key, "is required")
    return value


def _optional_text(doc: Doc, key: str, p: str, max_length: int) -> str | None:
    value = doc.get(key)
    return None if value is None else parse_text(value, where=p + key, max_length=max_length)


def _date(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise InputError(where, "must be a date like 2026-03-05")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(where, f"{value!r} is not a date like 2026-03-05") from None
