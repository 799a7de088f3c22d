"""JSON Schemas of the files about a performed injection: PROCEDURE.json, a DIARY.csv row,
REPORT.json and HISTORY.json.

REPORT and HISTORY carry PROCEDURE.json objects; their schemas hold the PROCEDURE schema
under `$defs`. The parser refuses unknown fields in a procedure; HISTORY adds `diary` and
`functional_gain` to it, so HISTORY refers to the open form and closes it with
`unevaluatedProperties`.
"""

from __future__ import annotations

from sijcare.domain.procedure import Guidance, Kind, Sedation, Side
from sijcare.domain.relief import NRS_MAX, NRS_MIN
from sijcare.formats import diary, history, report
from sijcare.formats.schemas_common import (
    NOT_BLANK,
    Schema,
    array,
    choice,
    date_field,
    datetime_field,
    equals,
    filled_text,
    flag,
    nullable,
    obj,
    text,
    when,
)

# The shipped plausibility bounds (knowledge rules procedure.*; typing slips, not dosing
# advice). A clinic may set others; tests/unit/test_schemas.py ties these to the rules.
_MAX_CONCENTRATION_PERCENT = 10
_MAX_VOLUME_ML = 20
_MAX_STEROID_MG = 200
_AGENT_LENGTH = 60
_NAME_LENGTH = 200
_REPORT_NOTE_LENGTH = 2000


def pain(description: str) -> Schema:
    """A pain score on the 0-10 numeric rating scale (a JSON whole number)."""
    return {
        "description": f"{description} (0 = no pain, 10 = worst pain imaginable)",
        "type": "integer",
        "minimum": NRS_MIN,
        "maximum": NRS_MAX,
    }


def _positive(maximum: int, description: str) -> Schema:
    return {
        "description": description,
        "type": "number",
        "exclusiveMinimum": 0,
        "maximum": maximum,
    }


_ANESTHETIC = obj(
    "The numbing medicine (local anesthetic)",
    {
        "agent": filled_text(_AGENT_LENGTH, "A name in the knowledge table `anesthetics`"),
        "concentration_percent": _positive(_MAX_CONCENTRATION_PERCENT, "Strength in %"),
        "volume_ml": _positive(_MAX_VOLUME_ML, "Volume in mL"),
    },
    required=("agent", "concentration_percent", "volume_ml"),
    closed=False,
)
_STEROID = obj(
    "The steroid of a therapeutic injection; null for a diagnostic block",
    {
        "agent": filled_text(_AGENT_LENGTH, "A name in the knowledge table `steroids`"),
        "dose_mg": _positive(_MAX_STEROID_MG, "Dose in mg"),
    },
    required=("agent", "dose_mg"),
    closed=False,
)
_CONTRAST = obj(
    "Contrast dye used to confirm the needle is in the joint, or why none was used",
    {
        "used": flag("Whether contrast dye was used"),
        "agent": nullable(text(_NAME_LENGTH, "The contrast agent")),
        "reason_not_used": nullable(text(_NAME_LENGTH, "Why no contrast was used")),
    },
    required=("used",),
    closed=False,
    rules=(
        when(
            "used",
            equals(False),
            {
                "required": ["reason_not_used"],
                "properties": {"reason_not_used": {"type": "string", "pattern": NOT_BLANK}},
            },
            "Without contrast, say why.",
        ),
    ),
)

_PROCEDURE_OPEN = obj(
    "One SI joint injection as performed. Agent names must be in the knowledge tables; "
    "observation_end and discharged_at may not be before the injection, and discharge "
    "may not be before the end of observation.",
    {
        "performed_at": datetime_field("The time of the injection"),
        "kind": choice(Kind, "diagnostic: anesthetic only; therapeutic: with a steroid"),
        "side": choice(Side, "The joint injected"),
        "anesthetic": _ANESTHETIC,
        "steroid": nullable(_STEROID),
        "baseline_pain": pain("The usual pain just before the injection"),
        "guidance": choice(Guidance, "The imaging used (default fluoroscopy)"),
        "contrast": nullable(_CONTRAST),
        "sedation": choice(Sedation, "Sedation given (default none)"),
        "physician": nullable(text(_NAME_LENGTH, "Who performed the injection")),
        "observation_end": nullable(datetime_field("When the observation after it ended")),
        "discharged_at": nullable(datetime_field("When the patient went home")),
        "driver_present": nullable(flag("Whether an adult driver took the patient home")),
    },
    required=("performed_at", "kind", "side", "anesthetic", "steroid", "baseline_pain"),
    closed=False,
    rules=(
        when(
            "kind",
            equals(Kind.THERAPEUTIC.value),
            {"required": ["steroid"], "properties": {"steroid": {"type": "object"}}},
            "A therapeutic injection has a steroid.",
        ),
        when(
            "kind",
            equals(Kind.DIAGNOSTIC.value),
            {"properties": {"steroid": {"type": "null"}}},
            "A diagnostic block has no steroid.",
        ),
        when(
            "discharged_at",
            {"type": "string"},
            {"properties": {"driver_present": {"not": equals(False)}}},
            "Discharge needs the driver present.",
        ),
    ),
)

PROCEDURE = {**_PROCEDURE_OPEN, "additionalProperties": False}

# A CSV cell holds text: the parser reads "7", " 7 " and "007" as 7 (at most 6 digits).
_PAIN_TEXT = r"^\s*(-0{1,6}|0{0,5}[0-9]|0{0,4}10)\s*$"
_YES_NO_TEXT = r"^\s*([Yy][Ee][Ss]|[Nn][Oo])?\s*$"

DIARY_ROW = obj(
    "One row of DIARY.csv as column name -> the text in the cell. The header line names "
    f"the columns ({', '.join(diary.REQUIRED)}, optionally {', '.join(diary.OPTIONAL)}; "
    "any order, any letter case). Two rows may not have the same time, and no row may be "
    "before the injection.",
    {
        "recorded_at": datetime_field("When the score was recorded"),
        "pain": {
            "description": f"The pain score, a whole number from {NRS_MIN} to {NRS_MAX}",
            "type": "string",
            "pattern": _PAIN_TEXT,
        },
        "note": text(diary.NOTE_MAX_LENGTH, "Free text (empty: no note)"),
        "activity_done": {
            "description": "Could the patient do the activity that usually hurts? "
            "yes | no (empty: not answered)",
            "type": "string",
            "pattern": _YES_NO_TEXT,
        },
    },
    required=diary.REQUIRED,
    closed=True,
)

_PROCEDURE_REF = "#/$defs/procedure"


def _leg_symptom(description: str) -> Schema:
    return {
        "description": f"{description}: false or null (not present), true (present), or "
        "an object with details",
        "type": ["boolean", "null", "object"],
        "properties": {
            "since": nullable(datetime_field("When it started")),
            "started_after_it_had_gone": flag("It had gone after the injection and came back"),
        },
        "additionalProperties": False,
    }


def _reading(description: str) -> Schema:
    return nullable({"description": description, "type": "number"})


def _one_of_units(first: str, second: str) -> Schema:
    return {
        "$comment": f"Give {first} or {second}, not both.",
        "not": {
            "required": [first, second],
            "properties": {first: {"type": "number"}, second: {"type": "number"}},
        },
    }


_SYMPTOMS = obj(
    "What the patient reports; a symptom left out was not reported. Temperatures and "
    "blood sugars outside the accepted ranges of the knowledge base "
    "(`triage.temperature_c_accepted`, `triage.glucose_mg_dl_accepted`) are refused.",
    {
        **{name: flag(name.replace("_", " ").capitalize()) for name in report.FLAGS},
        "pain": nullable(pain("The pain now")),
        "pain_controlled_by_usual_medicines": nullable(
            flag("Whether the usual pain medicines control the pain")
        ),
        "leg_weakness": _leg_symptom("Weakness in a leg"),
        "leg_numbness": _leg_symptom("Numbness in a leg"),
        "temperature_c": _reading("Body temperature in °C"),
        "temperature_f": _reading("Body temperature in °F"),
        "blood_sugar_mg_dl": _reading("Blood sugar in mg/dL"),
        "blood_sugar_mmol_l": _reading("Blood sugar in mmol/L"),
        "note": nullable(text(_REPORT_NOTE_LENGTH, "The patient's own words")),
    },
    closed=True,
    rules=(
        _one_of_units("temperature_c", "temperature_f"),
        _one_of_units("blood_sugar_mg_dl", "blood_sugar_mmol_l"),
    ),
)

REPORT = {
    **obj(
        "What a patient reports after the injection, for triage",
        {
            "procedure": {"description": "The injection (PROCEDURE.json)", "$ref": _PROCEDURE_REF},
            "reported_at": datetime_field("When the patient reported (not before the injection)"),
            "symptoms": _SYMPTOMS,
        },
        required=("procedure", "reported_at"),
        closed=True,
    ),
    "$defs": {"procedure": PROCEDURE},
}

_DIARY_ENTRY = obj(
    "One pain score",
    {
        "recorded_at": datetime_field("When it was recorded (not before the injection)"),
        "pain": pain("The pain score"),
        "note": nullable(text(history.NOTE_MAX_LENGTH, "Free text")),
        "activity_done": nullable(flag("Could the patient do the activity that usually hurts?")),
    },
    required=("recorded_at", "pain"),
    closed=True,
)

HISTORY = {
    **obj(
        "A patient's SI joint procedures with their pain diaries",
        {
            "patient_has_contrast_allergy": nullable(
                flag("Whether the patient is allergic to contrast dye")
            ),
            "today": nullable(date_field("The day to plan for")),
            "procedures": array(
                "The procedures, in time order",
                {
                    "description": "A PROCEDURE.json object with its diary",
                    "$ref": "#/$defs/procedure_fields",
                    "unevaluatedProperties": False,
                    "properties": {
                        "functional_gain": nullable(
                            flag("The clinician documented better function after it")
                        ),
                        "diary": array(
                            "The pain scores after it; two may not have the same time",
                            _DIARY_ENTRY,
                        ),
                    },
                },
                min_items=1,
            ),
        },
        required=("procedures",),
        closed=True,
    ),
    "$defs": {"procedure_fields": _PROCEDURE_OPEN},
}
