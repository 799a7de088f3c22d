"""REPORT.json: what a patient reports after the injection, for triage.

An object with three keys:

- `procedure`: the PROCEDURE.json object of the injection (see `formats.procedure`);
- `reported_at`: ISO 8601 date-time with a UTC offset (not before the injection);
- `symptoms`: an object; every key is optional and a symptom left out was not reported:
  `pain` (0-10), `pain_controlled_by_usual_medicines` (true | false | null),
  `leg_weakness` and `leg_numbness` (false | true | {"since": date-time,
  "started_after_it_had_gone": bool}), `temperature_c` or `temperature_f`,
  `blood_sugar_mg_dl` or `blood_sugar_mmol_l`, `note` (text), and the true/false
  symptoms in `FLAGS`.

Unknown keys are refused, so a misspelt symptom is never silently dropped. Errors name
the path, like `symptoms.temperature_c`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Procedure
from sijcare.domain.symptoms import LegSymptom, SymptomReport, check_report
from sijcare.formats.common import (
    load_json_object,
    parse_bool,
    parse_datetime,
    parse_int,
    parse_number,
    parse_text,
    require,
)
from sijcare.formats.procedure import procedure_from_dict

FLAGS = (
    "weakness_both_legs",
    "site_redness",
    "site_swelling",
    "site_warmth",
    "site_oozing",
    "hives",
    "trouble_breathing",
    "face_or_throat_swelling",
    "headache_worse_standing",
    "new_bladder_or_bowel_change",
    "saddle_numbness",
    "new_severe_back_pain",
    "facial_flushing",
    "soreness_at_site",
)
_MEASURES = ("temperature_c", "temperature_f", "blood_sugar_mg_dl", "blood_sugar_mmol_l")
_OTHER = ("pain", "pain_controlled_by_usual_medicines", "leg_weakness", "leg_numbness", "note")
SYMPTOM_KEYS = frozenset((*FLAGS, *_MEASURES, *_OTHER))
_TOP_KEYS = frozenset(("procedure", "reported_at", "symptoms"))
_LEG_KEYS = frozenset(("since", "started_after_it_had_gone"))

# Unit conversions (physics, not clinical choices): glucose has a molar mass of
# 180.16 g/mol, so 1 mmol/L is 18.016 mg/dL.
MG_DL_PER_MMOL_L = 18.016


def parse_report_text(
    text: str, knowledge: Knowledge, *, what: str
) -> tuple[Procedure, SymptomReport]:
    """Parse REPORT.json text; errors name `what` (the file) and the field."""
    doc = load_json_object(text, what=what)
    try:
        return report_from_dict(doc, knowledge)
    except InputError as exc:
        raise exc.within(what) from None


def report_from_dict(
    doc: Mapping[str, Any], knowledge: Knowledge
) -> tuple[Procedure, SymptomReport]:
    """The injection and the symptom report of a decoded REPORT.json object."""
    _refuse_unknown(doc, _TOP_KEYS, prefix="")
    procedure_doc = require(doc, "procedure")
    if not isinstance(procedure_doc, dict):
        raise InputError("procedure", "must be an object (the PROCEDURE.json fields)")
    procedure = procedure_from_dict(procedure_doc, knowledge, prefix="procedure.")
    reported_at = parse_datetime(require(doc, "reported_at"), where="reported_at")
    symptoms = doc.get("symptoms", {})
    if not isinstance(symptoms, dict):
        raise InputError("symptoms", "must be an object of symptom = value")
    report = _symptom_report(symptoms, reported_at)
    try:
        check_report(procedure, report, knowledge)
    except InputError as exc:
        raise _located(exc, symptoms) from None
    return procedure, report


def _symptom_report(doc: Mapping[str, Any], reported_at: Any) -> SymptomReport:
    _refuse_unknown(doc, SYMPTOM_KEYS, prefix="symptoms.")
    p = "symptoms."
    flags = {name: parse_bool(doc[name], where=p + name) for name in FLAGS if name in doc}
    try:
        return SymptomReport(
            reported_at=reported_at,
            pain=None
            if doc.get("pain") is None
            else parse_int(doc["pain"], where=p + "pain", low=0, high=10),
            pain_controlled_by_usual_medicines=_optional_bool(
                doc, "pain_controlled_by_usual_medicines"
            ),
            leg_weakness=_leg(doc.get("leg_weakness"), p + "leg_weakness"),
            leg_numbness=_leg(doc.get("leg_numbness"), p + "leg_numbness"),
            temperature_c=_temperature_c(doc),
            blood_sugar_mg_dl=_blood_sugar_mg_dl(doc),
            note=None
            if doc.get("note") is None
            else parse_text(doc["note"], where=p + "note", max_length=2000),
            **flags,
        )
    except InputError as exc:
        if exc.where.startswith(p):
            raise
        raise InputError(p + exc.where, exc.message) from None


def _refuse_unknown(doc: Mapping[str, Any], known: frozenset[str], *, prefix: str) -> None:
    unknown = sorted(set(doc) - known)
    if unknown:
        raise InputError(
            prefix + unknown[0], f"is not a known field (known: {', '.join(sorted(known))})"
        )


def _optional_bool(doc: Mapping[str, Any], key: str) -> bool | None:
    value = doc.get(key)
    return None if value is None else parse_bool(value, where=f"symptoms.{key}")


def _leg(value: Any, where: str) -> LegSymptom | None:
    """false/null: not present; true: present, no details; an object: present, with details."""
    if value is None or value is False:
        return None
    if value is True:
        return LegSymptom()
    if not isinstance(value, dict):
        raise InputError(where, "must be true, false or {since, started_after_it_had_gone}")
    _refuse_unknown(value, _LEG_KEYS, prefix=where + ".")
    since = value.get("since")
    gone = value.get("started_after_it_had_gone", False)
    return LegSymptom(
        since=None if since is None else parse_datetime(since, where=where + ".since"),
        started_after_it_had_gone=parse_bool(gone, where=where + ".started_after_it_had_gone"),
    )


def _temperature_c(doc: Mapping[str, Any]) -> float | None:
    celsius, fahrenheit = doc.get("temperature_c"), doc.get("temperature_f")
    if celsius is not None and fahrenheit is not None:
        raise InputError("symptoms.temperature_f", "give temperature_c or temperature_f, not both")
    if fahrenheit is not None:
        # Rounded to 0.01 °C so that 100.4 °F is exactly 38.0 °C.
        return round((parse_number(fahrenheit, where="symptoms.temperature_f") - 32) * 5 / 9, 2)
    return None if celsius is None else parse_number(celsius, where="symptoms.temperature_c")


def _blood_sugar_mg_dl(doc: Mapping[str, Any]) -> float | None:
    mg_dl, mmol_l = doc.get("blood_sugar_mg_dl"), doc.get("blood_sugar_mmol_l")
    if mg_dl is not None and mmol_l is not None:
        raise InputError(
            "symptoms.blood_sugar_mmol_l", "give blood_sugar_mg_dl or blood_sugar_mmol_l, not both"
        )
    if mmol_l is not None:
        value = parse_number(mmol_l, where="symptoms.blood_sugar_mmol_l")
        return round(value * MG_DL_PER_MMOL_L, 1)
    return None if mg_dl is None else parse_number(mg_dl, where="symptoms.blood_sugar_mg_dl")


def _located(exc: InputError, doc: Mapping[str, Any]) -> InputError:
    """A range error located at the field the patient filled in, in its unit."""
    if exc.where == "reported_at":
        return exc
    if exc.where == "temperature_c" and doc.get("temperature_f") is not None:
        return InputError("symptoms.temperature_f", f"{doc['temperature_f']} °F ({exc.message})")
    if exc.where == "blood_sugar_mg_dl" and doc.get("blood_sugar_mmol_l") is not None:
        return InputError(
            "symptoms.blood_sugar_mmol_l", f"{doc['blood_sugar_mmol_l']} mmol/L ({exc.message})"
        )
    return InputError("symptoms." + exc.where, exc.message)


def report_to_dict(procedure_doc: Mapping[str, Any], report: SymptomReport) -> dict[str, Any]:
    """The REPORT.json form of `report` about the injection `procedure_doc` (PROCEDURE.json)."""
    symptoms: dict[str, Any] = {
        name: getattr(report, name) for name in FLAGS if getattr(report, name)
    }
    for name in (
        "pain",
        "pain_controlled_by_usual_medicines",
        "temperature_c",
        "blood_sugar_mg_dl",
        "note",
    ):
        if getattr(report, name) is not None:
            symptoms[name] = getattr(report, name)
    for name in ("leg_weakness", "leg_numbness"):
        leg: LegSymptom | None = getattr(report, name)
        if leg is not None:
            symptoms[name] = {
                "since": None if leg.since is None else leg.since.isoformat(),
                "started_after_it_had_gone": leg.started_after_it_had_gone,
            }
    return {
        "procedure": dict(procedure_doc),
        "reported_at": report.reported_at.isoformat(),
        "symptoms": symptoms,
    }
