"""QuestionnaireResponses of the four questionnaires, to and from sijcare's own formats.

Both ways without loss: `screening_answers(screening_response(a, ...)) == a` for the
patient's INTAKE.json answers `a` (and likewise for the consent record, a diary entry
and the symptoms of a report). Reading a response checks that it names one of our
questionnaires at this version, that each answer has the item's type, and that required
answers are there; a problem raises `InputError` naming the link id.

Forms (see `sijcare.interop.fhir.questionnaires`):
- screening: INTAKE.json without `procedure` and `clinician_decisions`;
- consent: CONSENT.json `{plan_version, confirmations: [{question, confirmed_at}],
  agreement}`; a question confirmed twice keeps its first time (the earliest counts);
- diary: `{recorded_at, pain, note, activity_done}` (a DIARY.csv row; note and
  activity_done may be null);
- symptoms: the `symptoms` object of REPORT.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from sijcare.domain.consent import Question
from sijcare.domain.errors import InputError
from sijcare.interop.fhir import codes
from sijcare.interop.fhir import questionnaires as forms
from sijcare.interop.fhir.common import Json, build, extension, instant
from sijcare.interop.fhir.questionnaires import Item

Rows = dict[str, list[dict[str, Any]]]
_VALUE = {
    "boolean": "valueBoolean",
    "decimal": "valueDecimal",
    "integer": "valueInteger",
    "date": "valueDate",
    "dateTime": "valueDateTime",
    "string": "valueString",
    "text": "valueString",
    "choice": "valueCoding",
}
_REPEATING = ("medicines", "allergies", "past_reactions")
_LEGS = ("leg_weakness", "leg_numbness")
_MEASURES = ("temperature_c", "temperature_f", "blood_sugar_mg_dl", "blood_sugar_mmol_l")


@dataclass(frozen=True)
class Answer:
    """An answer with extensions of its own (the time a consent answer was confirmed)."""

    value: Any
    extension: tuple[Json, ...] = ()


@dataclass(frozen=True)
class Context:
    """Where a response sits: its id, who it is about and who answered, and when."""

    authored: datetime
    id: str | None = None
    subject: Json | None = None
    author: Json | None = None
    status: str = "completed"


# -- writing ----------------------------------------------------------------------------


def screening_response(answers: Mapping[str, Any], context: Context) -> QuestionnaireResponse:
    """The screening response of the patient's INTAKE.json answers."""
    values: dict[str, Any] = {
        name: answers.get(name)
        for name in (
            "current_infection",
            "immunocompromised",
            "possibly_pregnant",
            "driver_arranged",
            "kidney_function_impaired",
        )
    }
    diabetes = answers.get("diabetes") or {}
    values["diabetes.has"] = diabetes.get("has")
    values["diabetes.uses_insulin"] = diabetes.get("uses_insulin")
    illness = answers.get("recent_illness")
    values["recent_illness.had"] = illness is not None
    if illness is not None:
        last = illness.get("last_symptoms_on")
        values["recent_illness.description"] = illness.get("description")
        values["recent_illness.still_ill"] = last is None
        values["recent_illness.last_symptoms_on"] = last
    fever = answers.get("fever_recent")
    if fever is not None:
        values["fever_recent.max_temperature"] = fever.get("max_temperature")
        values["fever_recent.unit"] = fever.get("unit")
        values["fever_recent.on"] = fever.get("on")
    rows = {
        group: [{f"{group}.{k}": v for k, v in row.items()} for row in answers.get(group) or ()]
        for group in _REPEATING
    }
    return _response("screening", values, rows, context)


def consent_response(record: Mapping[str, Any], context: Context) -> QuestionnaireResponse:
    """The consent checklist of a CONSENT.json record."""
    values: dict[str, Any] = {"plan_version": record.get("plan_version")}
    for confirmation in record.get("confirmations") or ():
        link = f"confirm.{confirmation['question']}"
        if link not in values:
            stamp = extension("answered-at", valueDateTime=confirmation["confirmed_at"])
            values[link] = Answer(True, (stamp,))
    agreement = record.get("agreement")
    if agreement:
        for key in ("signed_by", "signed_at", "witnessed_by"):
            values[f"agreement.{key}"] = agreement.get(key)
    return _response("consent", values, {}, context)


def diary_response(entry: Mapping[str, Any], context: Context) -> QuestionnaireResponse:
    """The response of one diary entry `{recorded_at, pain, note, activity_done}`."""
    values = {key: entry.get(key) for key in ("recorded_at", "pain", "activity_done", "note")}
    return _response("diary", values, {}, context)


def symptoms_response(symptoms: Mapping[str, Any], context: Context) -> QuestionnaireResponse:
    """The symptom check of REPORT.json `symptoms`."""
    values = {k: v for k, v in symptoms.items() if k not in _LEGS}
    for name in _LEGS:
        if name not in symptoms:
            continue
        leg = symptoms[name]
        values[f"{name}.present"] = bool(leg)
        if isinstance(leg, Mapping):
            values[f"{name}.since"] = leg.get("since")
            values[f"{name}.started_after_it_had_gone"] = bool(
                leg.get("started_after_it_had_gone", False)
            )
    return _response("symptoms", values, {}, context)


def _response(
    name: str, values: Mapping[str, Any], rows: Rows, context: Context
) -> QuestionnaireResponse:
    index = forms.item_index(name)
    unknown = sorted(set(values) - set(index))
    if unknown:
        raise InputError(unknown[0], f"is not a question of the {name} questionnaire")
    return build(
        QuestionnaireResponse,
        {
            "resourceType": "QuestionnaireResponse",
            "id": context.id,
            "meta": {"profile": [codes.url("sdc-response")]},
            "questionnaire": forms.canonical(name),
            "status": context.status,
            "subject": context.subject,
            "authored": instant(context.authored),
            "author": context.author,
            "source": context.author,
            "item": [out for item in forms.items(name) for out in _render(item, values, rows)],
        },
    )


def _render(item: Item, values: Mapping[str, Any], rows: Rows) -> list[Json]:
    if item.type == "group" and item.repeats:
        return [
            {"linkId": item.link_id, "text": item.text, "item": _children(item, row, rows)}
            for row in rows.get(item.link_id, ())
        ]
    if item.type == "group":
        children = _children(item, values, rows)
        return [{"linkId": item.link_id, "text": item.text, "item": children}] if children else []
    value = values.get(item.link_id)
    if value is None:
        return []
    answer = value if isinstance(value, Answer) else Answer(value)
    if answer.value is None:
        return []
    rendered = {_VALUE[item.type]: _encode(item, answer.value), "extension": list(answer.extension)}
    return [{"linkId": item.link_id, "text": item.text, "answer": [rendered]}]


def _children(item: Item, values: Mapping[str, Any], rows: Rows) -> list[Json]:
    return [out for child in item.items for out in _render(child, values, rows)]


def _encode(item: Item, value: Any) -> Any:
    if item.type != "choice":
        return value
    if item.option_system == "ucum":
        ucum, display = forms.UCUM_UNITS[value]
        return {"system": codes.system("ucum"), "code": ucum, "display": display}
    if value not in item.options:
        raise InputError(item.link_id, f"{value!r} is not one of: {', '.join(item.options)}")
    return codes.local(item.option_system, value, item.options[value])


# -- reading ----------------------------------------------------------------------------


@dataclass
class _Read:
    """The answers of a response: single answers by link id, and the repeated groups."""

    values: dict[str, Any]
    extensions: dict[str, list[Json]]
    rows: Rows
    authored: datetime | None

    def get(self, link: str) -> Any:
        return self.values.get(link)

    def need(self, link: str) -> Any:
        if self.values.get(link) is None:
            raise InputError(link, "is required")
        return self.values[link]


def screening_answers(response: QuestionnaireResponse) -> dict[str, Any]:
    """The patient's INTAKE.json answers of a screening response."""
    read = _read("screening", response)
    illness = None
    if read.get("recent_illness.had"):
        still = read.need("recent_illness.still_ill")
        illness = {
            "description": read.need("recent_illness.description"),
            "last_symptoms_on": None if still else read.need("recent_illness.last_symptoms_on"),
        }
    fever = None
    if read.get("fever_recent.max_temperature") is not None:
        fever = {
            "max_temperature": read.need("fever_recent.max_temperature"),
            "unit": read.need("fever_recent.unit"),
            "on": read.need("fever_recent.on"),
        }
    return {
        "current_infection": read.need("current_infection"),
        "fever_recent": fever,
        "recent_illness": illness,
        "immunocompromised": read.need("immunocompromised"),
        "possibly_pregnant": read.need("possibly_pregnant"),
        "diabetes": {
            "has": read.need("diabetes.has"),
            "uses_insulin": read.get("diabetes.uses_insulin"),
        },
        "kidney_function_impaired": read.get("kidney_function_impaired"),
        **{group: _rows(read, group) for group in _REPEATING},
        "driver_arranged": read.need("driver_arranged"),
    }


def consent_record(response: QuestionnaireResponse) -> dict[str, Any]:
    """The CONSENT.json record of a consent checklist response."""
    read = _read("consent", response)
    confirmations = []
    for question in Question:
        link = f"confirm.{question.value}"
        if read.get(link):
            stamps = [
                e["valueDateTime"] for e in read.extensions.get(link, ()) if "valueDateTime" in e
            ]
            at = datetime.fromisoformat(stamps[0]).isoformat() if stamps else _authored(read, link)
            confirmations.append({"question": question.value, "confirmed_at": at})
    agreement = None
    if read.get("agreement.signed_by") is not None:
        agreement = {
            k: read.need(f"agreement.{k}") for k in ("signed_by", "signed_at", "witnessed_by")
        }
    return {
        "plan_version": read.need("plan_version"),
        "confirmations": confirmations,
        "agreement": agreement,
    }


def diary_entry(response: QuestionnaireResponse) -> dict[str, Any]:
    """The diary entry `{recorded_at, pain, note, activity_done}` of a diary response."""
    read = _read("diary", response)
    return {
        "recorded_at": read.need("recorded_at"),
        "pain": read.need("pain"),
        "note": read.get("note"),
        "activity_done": read.get("activity_done"),
    }


def symptoms_of(response: QuestionnaireResponse) -> dict[str, Any]:
    """The REPORT.json `symptoms` of a symptom check response."""
    read = _read("symptoms", response)
    simple = (
        "pain",
        "pain_controlled_by_usual_medicines",
        *forms.SYMPTOM_FLAGS,
        *_MEASURES,
        "note",
    )
    out = {name: read.values[name] for name in simple if read.get(name) is not None}
    for name in _LEGS:
        present = read.get(f"{name}.present")
        if present is None:
            continue
        since = read.get(f"{name}.since")
        gone = read.get(f"{name}.started_after_it_had_gone")
        if not present or (since is None and gone is None):
            out[name] = bool(present)
        else:
            out[name] = {"since": since, "started_after_it_had_gone": bool(gone)}
    return out


def _authored(read: _Read, link: str) -> str:
    if read.authored is None:
        raise InputError(link, "has no time of its own and the response has no authored time")
    return read.authored.isoformat()


def _rows(read: _Read, group: str) -> list[dict[str, Any]]:
    index = forms.item_index("screening")
    out = []
    for row in read.rows.get(group, ()):
        fields = {}
        for child in index[group].items:
            key = child.link_id.removeprefix(group + ".")
            value = row.get(child.link_id)
            if value is None and child.required:
                raise InputError(child.link_id, "is required")
            fields[key] = value
        out.append(fields)
    return out


def _read(name: str, response: QuestionnaireResponse) -> _Read:
    doc = json.loads(response.model_dump_json(exclude_none=True))
    wanted = forms.canonical(name)
    if doc.get("questionnaire") != wanted:
        raise InputError("questionnaire", f"is {doc.get('questionnaire')!r}, expected {wanted!r}")
    if doc.get("status") not in ("completed", "amended"):
        raise InputError("status", f"is {doc.get('status')!r}: only completed answers are read")
    authored = doc.get("authored")
    read = _Read({}, {}, {}, None if authored is None else datetime.fromisoformat(authored))
    _collect(doc.get("item", []), forms.item_index(name), read.values, read)
    return read


def _collect(
    nodes: list[Json], index: Mapping[str, Item], values: dict[str, Any], read: _Read
) -> None:
    """Put the answers of `nodes` into `values`, and each repeated group's into a new row."""
    for node in nodes:
        link = str(node.get("linkId", ""))
        item = index.get(link)
        if item is None:
            raise InputError(link or "item", "is not a question of this questionnaire")
        if item.type == "group" and item.repeats:
            row: dict[str, Any] = {}
            _collect(node.get("item", []), index, row, read)
            read.rows.setdefault(link, []).append(row)
        elif item.type == "group":
            _collect(node.get("item", []), index, values, read)
        else:
            values[link] = _answer(item, node.get("answer", []))
            read.extensions[link] = [
                e for a in node.get("answer", []) for e in a.get("extension", [])
            ]


def _answer(item: Item, answers: list[Json]) -> Any:
    if not answers:
        return None
    if len(answers) > 1:
        raise InputError(item.link_id, "has more than one answer")
    key = _VALUE[item.type]
    if key not in answers[0]:
        raise InputError(item.link_id, f"expects a {item.type} answer ({key})")
    return _DECODE.get(item.type, _same)(item, answers[0][key])


def _same(_item: Item, value: Any) -> Any:
    return value


def _integer(item: Item, value: Any) -> int:
    low, high = item.min_value, item.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        raise InputError(item.link_id, f"{value} is outside {low} to {high}")
    return int(value)


def _text(item: Item, value: Any) -> str:
    if item.max_length is not None and len(str(value)) > item.max_length:
        raise InputError(item.link_id, f"is longer than {item.max_length} characters")
    return str(value)


def _decimal(item: Item, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(item.link_id, "expects a number")
    return float(value)


def _date(item: Item, value: Any) -> str:
    return date.fromisoformat(str(value)).isoformat()


def _datetime(item: Item, value: Any) -> str:
    parsed = datetime.fromisoformat(str(value))
    if parsed.utcoffset() is None:
        raise InputError(item.link_id, "needs a time with a UTC offset")
    return parsed.isoformat()


def _choice(item: Item, value: Any) -> str:
    code = value.get("code") if isinstance(value, Mapping) else None
    if item.option_system == "ucum":
        by_ucum = {ucum: unit for unit, (ucum, _display) in forms.UCUM_UNITS.items()}
        if value.get("system") == codes.system("ucum") and code in by_ucum:
            return by_ucum[code]
    elif value.get("system") == codes.system(item.option_system) and code in item.options:
        return str(code)
    raise InputError(item.link_id, f"{code!r} is not one of the answer options")


_DECODE: dict[str, Callable[[Item, Any], Any]] = {
    "integer": _integer,
    "string": _text,
    "text": _text,
    "decimal": _decimal,
    "date": _date,
    "dateTime": _datetime,
    "choice": _choice,
}
