"""The four Questionnaires (SDC style, versioned canonicals) and their responses, both ways.

Round trip: sijcare's form of the answers -> QuestionnaireResponse -> JSON text -> read
back gives the same answers. Reading a response checks the questionnaire, the status,
the link ids, the answer types, the required answers and the ranges.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from interop.fhir_checks import as_json
from interop.sample_export import ANSWERS
from sijcare.domain.consent import Question
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.formats.intake import intake_from_dict, intake_to_dict
from sijcare.formats.report import SYMPTOM_KEYS
from sijcare.interop.fhir import questionnaires, responses
from sijcare.interop.fhir.responses import Context

AUTHORED = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
CONTEXT = Context(authored=AUTHORED, subject={"reference": "urn:uuid:1"})


def _sent(response: QuestionnaireResponse) -> QuestionnaireResponse:
    """The response as a receiver gets it: through its JSON text."""
    return QuestionnaireResponse.model_validate_json(response.model_dump_json(exclude_none=True))


# -- the definitions ----------------------------------------------------------------------


@pytest.mark.parametrize("name", questionnaires.NAMES)
def test_each_questionnaire_validates_with_a_versioned_canonical(name: str) -> None:
    doc = as_json(questionnaires.questionnaire(name))
    Questionnaire.model_validate(doc)
    assert doc["url"] == questionnaires.url(name)
    assert doc["url"].endswith(f"/Questionnaire/{name}")
    assert doc["version"] == questionnaires.VERSION
    assert questionnaires.canonical(name) == f"{doc['url']}|{doc['version']}"
    assert doc["status"] == "active"
    assert doc["meta"]["profile"] == [
        "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire"
    ]


@pytest.mark.parametrize("name", questionnaires.NAMES)
def test_link_ids_are_unique_and_conditions_name_questions_of_the_form(name: str) -> None:
    items = [item for top in questionnaires.items(name) for item in top.walk()]
    links = [item.link_id for item in items]
    assert len(links) == len(set(links))
    for item in items:
        for question, _operator, _answer in item.enable_when:
            assert question in links and question != item.link_id


@pytest.mark.parametrize("name", ["diary", "symptoms"])
def test_pain_is_the_coded_0_to_10_scale(name: str) -> None:
    [pain] = [
        i for i in as_json(questionnaires.questionnaire(name))["item"] if i["linkId"] == "pain"
    ]
    assert pain["type"] == "integer"
    assert pain["code"][0]["system"] == "http://loinc.org"
    assert pain["code"][0]["code"] == "72514-3"
    bounds = {e["url"].rsplit("/", 1)[1]: e["valueInteger"] for e in pain["extension"]}
    assert bounds == {"minValue": 0, "maxValue": 10}


def test_consent_has_one_confirmation_per_consent_question() -> None:
    links = questionnaires.item_index("consent")
    assert {f"confirm.{q.value}" for q in Question} <= set(links)


def test_screening_asks_every_question_the_patient_answers() -> None:
    links = questionnaires.item_index("screening")
    asked = {link.split(".")[0] for link in links} - {"now", "health"}
    assert asked == set(ANSWERS)


def test_symptoms_asks_every_symptom_of_a_report() -> None:
    links = questionnaires.item_index("symptoms")
    assert {link.split(".")[0] for link in links} == SYMPTOM_KEYS


def test_unknown_questionnaire_is_refused() -> None:
    with pytest.raises(KeyError):
        questionnaires.questionnaire("intake")
    outcome = as_json(questionnaires.unknown("intake"))
    assert outcome["issue"][0]["code"] == "not-found"


# -- round trips ------------------------------------------------------------------------------

SCREENINGS = [
    pytest.param(ANSWERS, id="full"),
    pytest.param(
        {
            **ANSWERS,
            "recent_illness": {"description": "flu", "last_symptoms_on": None},
            "fever_recent": {"max_temperature": 100.9, "unit": "F", "on": "2026-02-28"},
            "diabetes": {"has": False, "uses_insulin": None},
            "kidney_function_impaired": False,
            "medicines": [{"name": "Ozempic", "dose": None, "frequency": "weekly"}],
            "allergies": [],
            "past_reactions": [],
            "driver_arranged": False,
        },
        id="still-ill-fever-in-f",
    ),
    pytest.param(
        {
            **ANSWERS,
            "recent_illness": None,
            "medicines": [],
            "allergies": [
                {"substance": "latex", "kind": "other", "reaction": None},
                {"substance": "peanuts", "kind": "food", "reaction": "swelling"},
            ],
            "past_reactions": [{"to": "injection", "description": "fainted"}],
        },
        id="nothing-recent-two-allergies",
    ),
]


@pytest.mark.parametrize("answers", SCREENINGS)
def test_screening_round_trips(answers: dict[str, Any], knowledge: Knowledge) -> None:
    response = responses.screening_response(answers, CONTEXT)
    assert response.questionnaire == questionnaires.canonical("screening")
    assert responses.screening_answers(_sent(response)) == answers


def test_screening_round_trip_of_the_core_form_reads_in_the_core(knowledge: Knowledge) -> None:
    plan = {"kind": "diagnostic", "side": "left", "anesthetic_agent": "lidocaine"}
    stored = intake_to_dict(intake_from_dict({**ANSWERS, "procedure": plan}, knowledge))
    patient_part = {
        k: v for k, v in stored.items() if k not in ("procedure", "clinician_decisions")
    }
    back = responses.screening_answers(_sent(responses.screening_response(stored, CONTEXT)))
    assert back == patient_part
    assert intake_to_dict(intake_from_dict({**back, "procedure": plan}, knowledge)) == stored


CONSENTS = [
    pytest.param(
        {
            "plan_version": "0123456789abcdef",
            "confirmations": [
                {"question": q.value, "confirmed_at": f"2026-03-01T10:{i:02d}:00-08:00"}
                for i, q in enumerate(Question)
            ],
            "agreement": {
                "signed_by": "Pat Patient",
                "signed_at": "2026-03-01T10:30:00-08:00",
                "witnessed_by": "Dr. Casey Clinician",
            },
        },
        id="complete",
    ),
    pytest.param(
        {
            "plan_version": "0123456789abcdef",
            "confirmations": [{"question": "name", "confirmed_at": "2026-03-01T10:00:00+00:00"}],
            "agreement": None,
        },
        id="one-answer-no-agreement",
    ),
]


@pytest.mark.parametrize("record", CONSENTS)
def test_consent_round_trips(record: dict[str, Any]) -> None:
    assert responses.consent_record(_sent(responses.consent_response(record, CONTEXT))) == record


def test_a_question_confirmed_twice_keeps_its_first_time() -> None:
    record = {
        "plan_version": "v1",
        "confirmations": [
            {"question": "cost", "confirmed_at": "2026-03-01T10:00:00+00:00"},
            {"question": "cost", "confirmed_at": "2026-03-01T11:00:00+00:00"},
        ],
        "agreement": None,
    }
    back = responses.consent_record(responses.consent_response(record, CONTEXT))
    assert back["confirmations"] == record["confirmations"][:1]


DIARY = [
    pytest.param(
        {
            "recorded_at": "2026-03-02T13:30:00-08:00",
            "pain": 0,
            "note": None,
            "activity_done": None,
        },
        id="score-only",
    ),
    pytest.param(
        {
            "recorded_at": "2026-03-02T13:30:00-08:00",
            "pain": 10,
            "note": "bad",
            "activity_done": False,
        },
        id="everything",
    ),
]


@pytest.mark.parametrize("entry", DIARY)
def test_diary_entry_round_trips(entry: dict[str, Any]) -> None:
    assert responses.diary_entry(_sent(responses.diary_response(entry, CONTEXT))) == entry


SYMPTOMS = [
    pytest.param({}, id="nothing"),
    pytest.param({"pain": 9, "pain_controlled_by_usual_medicines": False}, id="pain"),
    pytest.param({"leg_weakness": True, "leg_numbness": False}, id="legs-yes-no"),
    pytest.param(
        {
            "leg_weakness": {
                "since": "2026-03-02T14:00:00-08:00",
                "started_after_it_had_gone": True,
            },
            "leg_numbness": {"since": None, "started_after_it_had_gone": False},
        },
        id="legs-with-details",
    ),
    pytest.param(
        {"temperature_f": 100.4, "blood_sugar_mmol_l": 17.2, "hives": True, "site_redness": False},
        id="readings-and-flags",
    ),
    pytest.param({"temperature_c": 38.6, "blood_sugar_mg_dl": 310, "note": "shaky"}, id="metric"),
]


@pytest.mark.parametrize("symptoms", SYMPTOMS)
def test_symptoms_round_trip(symptoms: dict[str, Any]) -> None:
    assert responses.symptoms_of(_sent(responses.symptoms_response(symptoms, CONTEXT))) == symptoms


# -- reading refuses what it cannot trust -----------------------------------------------------


def _screening_json(**changes: Any) -> dict[str, Any]:
    doc = as_json(responses.screening_response(ANSWERS, CONTEXT))
    return doc | changes


def _with_answer(doc: dict[str, Any], link: str, answer: list[dict[str, Any]]) -> dict[str, Any]:
    def edit(items: list[dict[str, Any]]) -> None:
        for item in items:
            if item["linkId"] == link:
                item["answer"] = answer
            edit(item.get("item", []))

    edit(doc["item"])
    return doc


def _without(doc: dict[str, Any], link: str) -> dict[str, Any]:
    def drop(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**item, "item": drop(item["item"])} if "item" in item else item
            for item in items
            if item["linkId"] != link
        ]

    doc["item"] = drop(doc["item"])
    return doc


BAD = [
    pytest.param(
        lambda: _screening_json(questionnaire=questionnaires.url("screening") + "|0.9.0"),
        "questionnaire",
        id="another-version",
    ),
    pytest.param(
        lambda: _screening_json(questionnaire=questionnaires.canonical("diary")),
        "questionnaire",
        id="another-questionnaire",
    ),
    pytest.param(lambda: _screening_json(status="in-progress"), "status", id="not-completed"),
    pytest.param(
        lambda: _screening_json(item=[{"linkId": "smoker", "answer": [{"valueBoolean": True}]}]),
        "smoker",
        id="unknown-question",
    ),
    pytest.param(
        lambda: _with_answer(_screening_json(), "current_infection", [{"valueString": "no"}]),
        "current_infection",
        id="wrong-type",
    ),
    pytest.param(
        lambda: _with_answer(
            _screening_json(), "driver_arranged", [{"valueBoolean": True}, {"valueBoolean": False}]
        ),
        "driver_arranged",
        id="two-answers",
    ),
    pytest.param(
        lambda: _without(_screening_json(), "current_infection"),
        "current_infection",
        id="required-missing",
    ),
    pytest.param(
        lambda: _without(_screening_json(), "medicines.name"),
        "medicines.name",
        id="required-missing-in-a-row",
    ),
    pytest.param(
        lambda: _with_answer(
            _screening_json(),
            "allergies.kind",
            [{"valueCoding": {"system": "http://snomed.info/sct", "code": "contrast"}}],
        ),
        "allergies.kind",
        id="answer-of-another-code-system",
    ),
]


@pytest.mark.parametrize(("make", "where"), BAD)
def test_a_screening_response_that_cannot_be_trusted_is_refused(
    make: Callable[[], dict[str, Any]], where: str
) -> None:
    response = QuestionnaireResponse.model_validate(make())
    with pytest.raises(InputError) as refused:
        responses.screening_answers(response)
    assert refused.value.where == where


@pytest.mark.parametrize("pain", [-1, 11])
def test_a_pain_score_outside_0_to_10_is_refused(pain: int) -> None:
    entry = {
        "recorded_at": "2026-03-02T13:30:00-08:00",
        "pain": 3,
        "note": None,
        "activity_done": None,
    }
    doc = _with_answer(
        as_json(responses.diary_response(entry, CONTEXT)), "pain", [{"valueInteger": pain}]
    )
    with pytest.raises(InputError) as refused:
        responses.diary_entry(QuestionnaireResponse.model_validate(doc))
    assert refused.value.where == "pain"


def test_a_note_longer_than_the_form_allows_is_refused() -> None:
    entry = {
        "recorded_at": "2026-03-02T13:30:00-08:00",
        "pain": 3,
        "note": "x" * 1001,
        "activity_done": None,
    }
    with pytest.raises(InputError) as refused:
        responses.diary_entry(responses.diary_response(entry, CONTEXT))
    assert refused.value.where == "note"


def test_writing_an_answer_the_form_does_not_ask_is_refused() -> None:
    with pytest.raises(InputError) as refused:
        responses.symptoms_response({"sneezing": True}, CONTEXT)
    assert refused.value.where == "sneezing"
    with pytest.raises(InputError) as refused:
        responses.screening_response(
            {**ANSWERS, "allergies": [{"substance": "x", "kind": "dust"}]}, CONTEXT
        )
    assert refused.value.where == "allergies.kind"


def test_a_confirmation_without_a_time_takes_the_response_time() -> None:
    record = {"plan_version": "v1", "confirmations": [], "agreement": None}
    doc = as_json(responses.consent_response(record, CONTEXT))
    doc["item"].append(
        {
            "linkId": "confirmations",
            "item": [{"linkId": "confirm.cost", "answer": [{"valueBoolean": True}]}],
        }
    )
    back = responses.consent_record(QuestionnaireResponse.model_validate(doc))
    assert back["confirmations"] == [{"question": "cost", "confirmed_at": AUTHORED.isoformat()}]


def test_responses_name_subject_author_and_time() -> None:
    context = Context(
        authored=AUTHORED, id="abc", subject={"reference": "urn:uuid:1"}, author={"display": "Pat"}
    )
    doc = json.loads(responses.diary_response(DIARY[0].values[0], context).model_dump_json())
    assert (doc["id"], doc["subject"], doc["author"], doc["authored"]) == (
        "abc",
        {"reference": "urn:uuid:1"},
        {"display": "Pat"},
        "2026-03-02T18:00:00Z",
    )
