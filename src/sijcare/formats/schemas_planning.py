"""JSON Schemas of the files before an injection: INTAKE.json, PLAN.json and CONSENT.json.

All three parsers refuse a field they do not know, so every object here is closed.
"""

from __future__ import annotations

from sijcare.domain.consent import Question
from sijcare.domain.intake import AllergyKind, HoldDecision, ReactionTo, TemperatureUnit
from sijcare.domain.procedure import Guidance, Kind, Sedation, Side
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

# The longest texts the parsers accept, in characters.
_NAME = 200
_TEXT = 500
_PLAN_AGENT = 500
_CONSENT_TEXT = 1000
_PLAN_VERSION = 64

_KIND = choice(Kind, "diagnostic: anesthetic only; therapeutic: with a steroid")
_SIDE = choice(Side, "The joint to inject")
_GUIDANCE = choice(Guidance, "The imaging to use (default fluoroscopy)")
_CONTRAST_PLANNED = flag("Whether contrast dye is planned (default true)")
_SEDATION = choice(Sedation, "Sedation planned (default none); moderate brings fasting rules")


def _steroid_rules(blank_is_none: bool) -> tuple[Schema, ...]:
    """A therapeutic injection names a steroid; a diagnostic block has none.

    `blank_is_none`: the parser reads a blank name as no steroid (PLAN.json does).
    """
    none: Schema = (
        {"not": {"type": "string", "pattern": NOT_BLANK}} if blank_is_none else {"type": "null"}
    )
    return (
        when(
            "kind",
            equals(Kind.THERAPEUTIC.value),
            {
                "required": ["steroid_agent"],
                "properties": {"steroid_agent": {"type": "string", "pattern": NOT_BLANK}},
            },
            "A therapeutic injection needs a steroid.",
        ),
        when(
            "kind",
            equals(Kind.DIAGNOSTIC.value),
            {"properties": {"steroid_agent": none}},
            "A diagnostic block has no steroid.",
        ),
    )


_PLANNED_INJECTION = obj(
    "The planned injection, without its time (the booking gives it)",
    {
        "kind": _KIND,
        "side": _SIDE,
        "anesthetic_agent": filled_text(_NAME, "A name in the knowledge table `anesthetics`"),
        "steroid_agent": nullable(text(_NAME, "A name in the knowledge table `steroids`")),
        "guidance": _GUIDANCE,
        "contrast_planned": _CONTRAST_PLANNED,
        "sedation": _SEDATION,
    },
    required=("kind", "side", "anesthetic_agent"),
    closed=True,
    rules=_steroid_rules(blank_is_none=False),
)

_FEVER = obj(
    "The highest temperature measured recently, and the day. A temperature outside the "
    "accepted range of the knowledge base (`triage.temperature_c_accepted`) is refused.",
    {
        "max_temperature": {"description": "The temperature", "type": "number"},
        "unit": choice(TemperatureUnit, "C (Celsius) or F (Fahrenheit)"),
        "on": date_field("The day it was measured"),
    },
    required=("max_temperature", "unit", "on"),
    closed=True,
)

_ILLNESS = obj(
    "An illness before the procedure",
    {
        "description": filled_text(_TEXT, "What it was"),
        "last_symptoms_on": nullable(date_field("The last day with symptoms; null: still unwell")),
    },
    required=("description",),
    closed=True,
)

_DIABETES = obj(
    "Diabetes",
    {
        "has": flag("Whether the patient has diabetes"),
        "uses_insulin": nullable(flag("Whether they use insulin; null: not answered")),
    },
    required=("has",),
    closed=True,
    rules=(
        when(
            "has",
            equals(False),
            {"properties": {"uses_insulin": {"not": equals(True)}}},
            "Insulin without diabetes is a contradiction.",
        ),
    ),
)

_MEDICINE = obj(
    "A medicine as the patient wrote it",
    {
        "name": filled_text(_NAME, "The name, which may carry the dose (Eliquis 5 mg)"),
        "dose": nullable(text(_NAME, "The dose")),
        "frequency": nullable(text(_NAME, "How often")),
    },
    required=("name",),
    closed=True,
)

_ALLERGY = obj(
    "An allergy",
    {
        "substance": filled_text(_NAME, "What the patient is allergic to"),
        "kind": choice(AllergyKind, "What kind of substance it is"),
        "reaction": nullable(text(_TEXT, "What happened")),
    },
    required=("substance", "kind"),
    closed=True,
)

_PAST_REACTION = obj(
    "A reaction to an earlier procedure or its medicines",
    {
        "to": choice(ReactionTo, "What the reaction was to"),
        "description": filled_text(_TEXT, "What happened"),
    },
    required=("to", "description"),
    closed=True,
)

_DECISION = obj(
    "A clinician's decision to hold or continue a listed blood thinner or GLP-1 medicine",
    {
        "medicine": filled_text(_NAME, "A listed medicine, as written or by its generic name"),
        "decision": choice(HoldDecision, "Hold it before the procedure, or continue it"),
        "confirmed_with_prescriber": flag("A hold gives dates only once confirmed"),
        "by": filled_text(_NAME, "The clinician who decided"),
        "at": datetime_field("When they decided"),
        "regimen": nullable(text(_NAME, "The row of a medicine with several (treatment, weekly)")),
    },
    required=("medicine", "decision", "confirmed_with_prescriber", "by", "at"),
    closed=True,
)

INTAKE = obj(
    "The screening answers before an SI joint injection",
    {
        "procedure": _PLANNED_INJECTION,
        "current_infection": flag("An infection now"),
        "fever_recent": nullable(_FEVER),
        "recent_illness": nullable(_ILLNESS),
        "immunocompromised": flag("A weakened immune system"),
        "possibly_pregnant": flag("Could be pregnant"),
        "diabetes": _DIABETES,
        "kidney_function_impaired": nullable(flag("Kidney problems; null: unknown")),
        "medicines": array("The medicines the patient takes (default none)", _MEDICINE),
        "allergies": array("The patient's allergies (default none)", _ALLERGY),
        "past_reactions": array("Reactions to earlier procedures (default none)", _PAST_REACTION),
        "driver_arranged": flag("An adult will drive the patient home"),
        "clinician_decisions": array("Decisions about holding medicines (default none)", _DECISION),
    },
    required=(
        "procedure",
        "current_infection",
        "immunocompromised",
        "possibly_pregnant",
        "diabetes",
        "driver_arranged",
    ),
    closed=True,
)

_CONSENT_CONTEXT = obj(
    "What the consent answers need beyond the plan",
    {
        "physician_qualifications": filled_text(_CONSENT_TEXT, "The doctor's training"),
        "cost_note": filled_text(_CONSENT_TEXT, "What the patient may pay"),
        "results_how": filled_text(_CONSENT_TEXT, "How the patient gets the results"),
        "physician_name": nullable(text(_NAME, "Used when the plan names no physician")),
        "location": nullable(text(_NAME, "Used when the plan names no location")),
    },
    required=("physician_qualifications", "cost_note", "results_how"),
    closed=True,
)

PLAN = obj(
    "A booked injection and what the consent questions need",
    {
        "scheduled_at": datetime_field("The booked time"),
        "kind": _KIND,
        "side": _SIDE,
        "anesthetic_agent": filled_text(_PLAN_AGENT, "A name in the knowledge table `anesthetics`"),
        "steroid_agent": nullable(text(_NAME, "A name in the knowledge table `steroids`")),
        "guidance": _GUIDANCE,
        "contrast_planned": _CONTRAST_PLANNED,
        "sedation": _SEDATION,
        "physician": nullable(text(_NAME, "Who will do the injection")),
        "location": nullable(text(_NAME, "Where")),
        "consent": _CONSENT_CONTEXT,
    },
    required=("scheduled_at", "kind", "side", "anesthetic_agent", "consent"),
    closed=True,
    rules=_steroid_rules(blank_is_none=True),
)

_CONFIRMATION = obj(
    "The patient confirmed they understood one answer",
    {
        "question": choice(Question, "The consent question"),
        "confirmed_at": datetime_field("When they confirmed"),
    },
    required=("question", "confirmed_at"),
    closed=True,
)

_AGREEMENT = obj(
    "The signed agreement; the witness may not be the person signing",
    {
        "signed_by": filled_text(_CONSENT_TEXT, "Who signed"),
        "signed_at": datetime_field("When they signed"),
        "witnessed_by": filled_text(_CONSENT_TEXT, "Who witnessed the signature"),
    },
    required=("signed_by", "signed_at", "witnessed_by"),
    closed=True,
)

CONSENT = obj(
    "A consent record: the answers the patient confirmed and their signed agreement",
    {
        "plan_version": filled_text(
            _PLAN_VERSION, "The plan version from `sijcare consent questions`"
        ),
        "confirmations": array("The confirmed answers (default none)", _CONFIRMATION),
        "agreement": nullable(_AGREEMENT),
    },
    required=("plan_version",),
    closed=True,
)
