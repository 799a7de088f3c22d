"""The four forms of the pathway as FHIR Questionnaires (SDC style, versioned canonicals).

- `screening`: the patient's health questions before the injection (the patient's part
  of INTAKE.json: not the clinic's plan, not the clinicians' decisions);
- `consent`: the consent checklist (CONSENT.json: the plan version, one "I understand"
  per consent question, the signed and witnessed agreement);
- `diary`: one pain diary entry (a row of DIARY.csv), the pain item coded LOINC 72514-3;
- `symptoms`: the symptom check after the injection (the `symptoms` of REPORT.json).

Each link id is the field's path in those formats (`diabetes.uses_insulin`), so
`sijcare.interop.fhir.responses` converts answers both ways without loss. A definition
is identified by `url(name)` and `VERSION`; a response names `canonical(name)`
(`url|version`). A new question or a changed meaning needs a new version.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire

from sijcare.domain.consent import QUESTION_TEXT, Question
from sijcare.domain.relief import NRS_MAX, NRS_MIN
from sijcare.interop.fhir import codes
from sijcare.interop.fhir.common import Json, build, extension

VERSION = "1.0.0"
# The day this version was published: part of the definition, not of any export.
VERSION_DATE = "2026-11-11"
NAMES = ("screening", "consent", "diary", "symptoms")

UCUM_UNITS = {"C": ("Cel", "°C"), "F": ("[degF]", "°F")}
ALLERGY_KINDS = {
    "contrast": "X-ray dye (contrast)",
    "anesthetic": "Numbing medicine (local anesthetic)",
    "steroid": "Steroid",
    "medicine": "Another medicine",
    "food": "Food",
    "other": "Something else",
}
REACTION_TO = {
    "contrast": "X-ray dye (contrast)",
    "anesthetic": "Numbing medicine (local anesthetic)",
    "steroid": "Steroid",
    "injection": "An earlier injection",
    "other": "Something else",
}
# The true/false symptoms of REPORT.json (`sijcare.formats.report.FLAGS`), in form order.
SYMPTOM_FLAGS = {
    "trouble_breathing": "Trouble breathing",
    "face_or_throat_swelling": "Swelling of your face, lips, tongue or throat",
    "new_bladder_or_bowel_change": "A new problem holding or passing urine or stool",
    "saddle_numbness": "New numbness between your legs or around your bottom",
    "weakness_both_legs": "Weakness in both legs",
    "new_severe_back_pain": "New, bad back pain",
    "site_redness": "The needle spot is red",
    "site_swelling": "The needle spot is swollen",
    "site_warmth": "The needle spot feels warm or hot",
    "site_oozing": "Fluid is coming out of the needle spot",
    "soreness_at_site": "The needle spot is sore",
    "hives": "An itchy rash with raised bumps (hives)",
    "headache_worse_standing": "A headache that gets worse when you sit or stand up",
    "facial_flushing": "Your face is red and feels warm",
}


@dataclass(frozen=True)
class Item:
    """One question (or group) of a questionnaire; `link_id` is the field's path."""

    link_id: str
    text: str
    type: str  # group | boolean | decimal | integer | date | dateTime | string | text | choice
    required: bool = False
    repeats: bool = False
    items: tuple[Item, ...] = ()
    enable_when: tuple[tuple[str, str, Any], ...] = ()  # (question, operator, answer)
    options: Mapping[str, str] = field(default_factory=dict)  # code -> display
    option_system: str = ""  # a local code system, or "ucum" for units
    code: str = ""  # a fixed code of codes.toml
    min_value: int | None = None
    max_value: int | None = None
    unit: str = ""  # "C" or "F", for a temperature
    max_length: int | None = None
    hidden: bool = False

    def walk(self) -> Iterator[Item]:
        yield self
        for child in self.items:
            yield from child.walk()


def url(name: str) -> str:
    """The canonical address of questionnaire `name` (without the version)."""
    _known(name)
    return codes.canonical("Questionnaire", name)


def canonical(name: str) -> str:
    """The versioned canonical a response names: `url|version`."""
    return f"{url(name)}|{VERSION}"


def items(name: str) -> tuple[Item, ...]:
    _known(name)
    return _ITEMS[name]()


def item_index(name: str) -> dict[str, Item]:
    """Every item of questionnaire `name` by link id."""
    return {item.link_id: item for top in items(name) for item in top.walk()}


def questionnaire(name: str) -> Questionnaire:
    """The Questionnaire resource `name` (one of `NAMES`)."""
    title, description = _TITLES[name]
    return build(
        Questionnaire,
        {
            "resourceType": "Questionnaire",
            "id": name,
            "meta": {"profile": [codes.url("sdc-questionnaire")]},
            "url": url(name),
            "version": VERSION,
            "name": "Sijcare" + name.capitalize(),
            "title": title,
            "status": "active",
            "subjectType": ["Patient"],
            "date": VERSION_DATE,
            "publisher": "sijcare",
            "description": description,
            "item": [_definition(item) for item in items(name)],
        },
    )


def unknown(name: str) -> OperationOutcome:
    """The answer to a request for a questionnaire that does not exist."""
    return build(
        OperationOutcome,
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": "not-found",
                    "diagnostics": f"No questionnaire {name!r}; known: {', '.join(NAMES)}.",
                }
            ],
        },
    )


def _known(name: str) -> None:
    if name not in NAMES:
        raise KeyError(f"no questionnaire {name!r} (known: {', '.join(NAMES)})")


def _definition(item: Item) -> Json:
    out: Json = {
        "linkId": item.link_id,
        "text": item.text,
        "type": item.type,
        "required": item.required or None,
        "repeats": item.repeats or None,
        "maxLength": item.max_length,
        "code": [codes.coding(item.code)] if item.code else [],
        "enableWhen": [_condition(q, op, answer) for q, op, answer in item.enable_when],
        "enableBehavior": "all" if len(item.enable_when) > 1 else None,
        "answerOption": [{"valueCoding": _option(item, code)} for code in item.options],
        "extension": _extensions(item),
        "item": [_definition(child) for child in item.items],
    }
    return out


def _option(item: Item, code: str) -> Json:
    if item.option_system == "ucum":
        ucum, display = UCUM_UNITS[code]
        return {"system": codes.system("ucum"), "code": ucum, "display": display}
    return codes.local(item.option_system, code, item.options[code])


def _condition(question: str, operator: str, answer: Any) -> Json:
    """An enableWhen; every condition here compares a true/false answer (or `exists`)."""
    return {"question": question, "operator": operator, "answerBoolean": answer}


def _extensions(item: Item) -> list[Json]:
    out = []
    if item.min_value is not None:
        out.append(extension("min-value", valueInteger=item.min_value))
    if item.max_value is not None:
        out.append(extension("max-value", valueInteger=item.max_value))
    if item.unit:
        ucum, display = UCUM_UNITS[item.unit]
        coding = {"system": codes.system("ucum"), "code": ucum, "display": display}
        out.append(extension("questionnaire-unit", valueCoding=coding))
    if item.hidden:
        out.append(extension("hidden", valueBoolean=True))
    return out


def _yes(question: str) -> tuple[tuple[str, str, Any], ...]:
    return ((question, "=", True),)


def _screening() -> tuple[Item, ...]:
    temperature_given = (("fever_recent.max_temperature", "exists", True),)
    return (
        Item(
            "now",
            "How you are now",
            "group",
            items=(
                Item("current_infection", "Do you have an infection now?", "boolean", True),
                Item("recent_illness.had", "Have you been ill in the last few weeks?", "boolean"),
                Item(
                    "recent_illness.description",
                    "What was the illness?",
                    "string",
                    True,
                    enable_when=_yes("recent_illness.had"),
                    max_length=500,
                ),
                Item(
                    "recent_illness.still_ill",
                    "Are you still ill?",
                    "boolean",
                    True,
                    enable_when=_yes("recent_illness.had"),
                ),
                Item(
                    "recent_illness.last_symptoms_on",
                    "The last day you felt ill",
                    "date",
                    True,
                    enable_when=(("recent_illness.still_ill", "=", False),),
                ),
                Item(
                    "fever_recent.max_temperature",
                    "If you took your temperature lately, the highest one",
                    "decimal",
                ),
                Item(
                    "fever_recent.unit",
                    "Unit",
                    "choice",
                    True,
                    enable_when=temperature_given,
                    options={"C": "°C", "F": "°F"},
                    option_system="ucum",
                ),
                Item(
                    "fever_recent.on",
                    "The day you took it",
                    "date",
                    True,
                    enable_when=temperature_given,
                ),
            ),
        ),
        Item(
            "health",
            "Your health",
            "group",
            items=(
                Item("immunocompromised", "Do you have a weak immune system?", "boolean", True),
                Item("possibly_pregnant", "Could you be pregnant?", "boolean", True),
                Item("diabetes.has", "Do you have diabetes?", "boolean", True),
                Item(
                    "diabetes.uses_insulin",
                    "Do you use insulin?",
                    "boolean",
                    enable_when=_yes("diabetes.has"),
                ),
                Item(
                    "kidney_function_impaired",
                    "Has a doctor told you that your kidneys do not work well? "
                    "(No answer means you do not know.)",
                    "boolean",
                ),
            ),
        ),
        Item(
            "medicines",
            "A medicine you take",
            "group",
            repeats=True,
            items=(
                Item("medicines.name", "Name", "string", True, max_length=200),
                Item("medicines.dose", "How much", "string", max_length=200),
                Item("medicines.frequency", "How often", "string", max_length=200),
            ),
        ),
        Item(
            "allergies",
            "Something you are allergic to",
            "group",
            repeats=True,
            items=(
                Item(
                    "allergies.substance",
                    "What you are allergic to",
                    "string",
                    True,
                    max_length=200,
                ),
                Item(
                    "allergies.kind",
                    "What kind of thing is it?",
                    "choice",
                    True,
                    options=ALLERGY_KINDS,
                    option_system="allergy-kind",
                ),
                Item("allergies.reaction", "What happened", "string", max_length=500),
            ),
        ),
        Item(
            "past_reactions",
            "A bad reaction you had before",
            "group",
            repeats=True,
            items=(
                Item(
                    "past_reactions.to",
                    "What was it a reaction to?",
                    "choice",
                    True,
                    options=REACTION_TO,
                    option_system="reaction-to",
                ),
                Item("past_reactions.description", "What happened", "string", True, max_length=500),
            ),
        ),
        Item(
            "driver_arranged",
            "Will an adult drive you home after the injection?",
            "boolean",
            True,
        ),
    )


def _consent() -> tuple[Item, ...]:
    return (
        Item(
            "plan_version",
            "The version of the plan these answers are about",
            "string",
            True,
            hidden=True,
        ),
        Item(
            "confirmations",
            "Tick each answer you understand",
            "group",
            items=tuple(
                Item(
                    f"confirm.{q.value}",
                    f"I understand the answer to: {QUESTION_TEXT[q]}",
                    "boolean",
                )
                for q in Question
            ),
        ),
        Item(
            "agreement",
            "Agreement",
            "group",
            items=(
                Item("agreement.signed_by", "Signed by", "string", True, max_length=200),
                Item("agreement.signed_at", "Signed at", "dateTime", True),
                Item("agreement.witnessed_by", "Witnessed by", "string", True, max_length=200),
            ),
        ),
    )


def _diary() -> tuple[Item, ...]:
    return (
        Item("recorded_at", "When you felt this pain", "dateTime", True),
        Item(
            "pain",
            "How bad is your pain right now? 0 means no pain, 10 the worst pain you can imagine.",
            "integer",
            True,
            code="pain-nrs",
            min_value=NRS_MIN,
            max_value=NRS_MAX,
        ),
        Item("activity_done", "Could you do the activity that usually hurts?", "boolean"),
        Item("note", "Anything else you want to tell us", "text", max_length=1000),
    )


def _symptoms() -> tuple[Item, ...]:
    leg = {"leg_weakness": "weak", "leg_numbness": "numb"}
    return (
        Item(
            "pain",
            "How bad is your pain right now? 0 means no pain, 10 the worst pain you can imagine.",
            "integer",
            code="pain-nrs",
            min_value=NRS_MIN,
            max_value=NRS_MAX,
        ),
        Item("pain_controlled_by_usual_medicines", "Do your usual pain medicines help?", "boolean"),
        *(
            Item(
                name,
                f"Does one of your legs feel {word}?",
                "group",
                items=(
                    Item(f"{name}.present", f"One of my legs feels {word}", "boolean", True),
                    Item(
                        f"{name}.since",
                        "Since when",
                        "dateTime",
                        enable_when=_yes(f"{name}.present"),
                    ),
                    Item(
                        f"{name}.started_after_it_had_gone",
                        f"It was back to normal, and now it is {word} again",
                        "boolean",
                        enable_when=_yes(f"{name}.present"),
                    ),
                ),
            )
            for name, word in leg.items()
        ),
        *(Item(name, text, "boolean") for name, text in SYMPTOM_FLAGS.items()),
        Item("temperature_c", "Your temperature in °C", "decimal", unit="C"),
        Item("temperature_f", "Your temperature in °F", "decimal", unit="F"),
        Item("blood_sugar_mg_dl", "Your latest blood sugar in mg/dL", "decimal"),
        Item("blood_sugar_mmol_l", "Your latest blood sugar in mmol/L", "decimal"),
        Item("note", "Anything else you want to tell us", "text", max_length=2000),
    )


_ITEMS = {"screening": _screening, "consent": _consent, "diary": _diary, "symptoms": _symptoms}
_TITLES = {
    "screening": (
        "Health questions before your SI joint injection",
        "The patient's answers before the injection: infection, illness and fever, immune "
        "system, pregnancy, diabetes, kidneys, medicines, allergies, past reactions, driver home.",
    ),
    "consent": (
        "Consent checklist for an SI joint injection",
        "One confirmation per consent question for one version of the plan, then the signed "
        "and witnessed agreement.",
    ),
    "diary": (
        "Pain diary entry after an SI joint injection",
        "One pain score (0-10 numeric rating scale) at a time, with the usual painful activity "
        "and a note.",
    ),
    "symptoms": (
        "How you feel after your SI joint injection",
        "The symptom check after the injection: pain, legs, the needle spot, warning signs, "
        "temperature and blood sugar.",
    ),
}
