"""Properties of the FHIR QuestionnaireResponse conversions: any answers read back the same.

The answers go to a response, through its JSON text (what a receiver gets), and back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from hypothesis import given
from hypothesis import strategies as st

from sijcare.interop.fhir import questionnaires, responses
from sijcare.interop.fhir.responses import Context

CONTEXT = Context(authored=datetime(2026, 3, 2, 18, 0, tzinfo=UTC))

# FHIR strings hold no control characters; a form's text has no blanks at either end.
words = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30
).filter(lambda s: s == s.strip() and s != "")
maybe_words = st.one_of(st.none(), words)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)).map(date.isoformat)
maybe = st.one_of(st.none(), st.booleans())
times = st.builds(
    lambda d, minutes: d.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat(),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.integers(-12 * 60, 14 * 60).map(lambda m: m - m % 15),
)
readings = st.floats(min_value=1, max_value=500, allow_nan=False).map(lambda x: round(x, 1))


def _one_of_each(keys: Any) -> Any:
    return st.sampled_from(sorted(keys))


@st.composite
def screening_answers(draw: st.DrawFn) -> dict[str, Any]:
    has_diabetes = draw(st.booleans())
    return {
        "current_infection": draw(st.booleans()),
        "fever_recent": draw(
            st.one_of(
                st.none(),
                st.fixed_dictionaries(
                    {"max_temperature": readings, "unit": st.sampled_from(["C", "F"]), "on": days}
                ),
            )
        ),
        "recent_illness": draw(
            st.one_of(
                st.none(),
                st.fixed_dictionaries(
                    {"description": words, "last_symptoms_on": st.one_of(st.none(), days)}
                ),
            )
        ),
        "immunocompromised": draw(st.booleans()),
        "possibly_pregnant": draw(st.booleans()),
        "diabetes": {"has": has_diabetes, "uses_insulin": draw(maybe) if has_diabetes else None},
        "kidney_function_impaired": draw(maybe),
        "medicines": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"name": words, "dose": maybe_words, "frequency": maybe_words}
                ),
                max_size=3,
            )
        ),
        "allergies": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "substance": words,
                        "kind": _one_of_each(questionnaires.ALLERGY_KINDS),
                        "reaction": maybe_words,
                    }
                ),
                max_size=3,
            )
        ),
        "past_reactions": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"to": _one_of_each(questionnaires.REACTION_TO), "description": words}
                ),
                max_size=2,
            )
        ),
        "driver_arranged": draw(st.booleans()),
    }


def _through_json(response: QuestionnaireResponse) -> QuestionnaireResponse:
    return QuestionnaireResponse.model_validate_json(response.model_dump_json(exclude_none=True))


@given(screening_answers())
def test_any_screening_answers_read_back_the_same(answers: dict[str, Any]) -> None:
    response = responses.screening_response(answers, CONTEXT)
    assert responses.screening_answers(_through_json(response)) == answers


legs = st.one_of(
    st.booleans(),
    st.fixed_dictionaries(
        {"since": st.one_of(st.none(), times), "started_after_it_had_gone": st.booleans()}
    ),
)


@st.composite
def symptoms(draw: st.DrawFn) -> dict[str, Any]:
    values: dict[str, Any] = {
        "pain": st.integers(0, 10),
        "pain_controlled_by_usual_medicines": st.booleans(),
        "leg_weakness": legs,
        "leg_numbness": legs,
        "temperature_c": readings,
        "temperature_f": readings,
        "blood_sugar_mg_dl": readings,
        "blood_sugar_mmol_l": readings,
        "note": words,
        **dict.fromkeys(questionnaires.SYMPTOM_FLAGS, st.booleans()),
    }
    chosen = draw(st.sets(st.sampled_from(sorted(values))))
    return {name: draw(values[name]) for name in chosen}


@given(symptoms())
def test_any_symptoms_read_back_the_same(report: dict[str, Any]) -> None:
    response = responses.symptoms_response(report, CONTEXT)
    assert responses.symptoms_of(_through_json(response)) == report


@given(times, st.integers(0, 10), maybe_words, maybe)
def test_any_diary_entry_reads_back_the_same(
    at: str, pain: int, note: str | None, activity: bool | None
) -> None:
    entry = {"recorded_at": at, "pain": pain, "note": note, "activity_done": activity}
    response = responses.diary_response(entry, CONTEXT)
    assert responses.diary_entry(_through_json(response)) == entry
