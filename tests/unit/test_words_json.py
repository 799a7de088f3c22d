"""A core sentence (`Words`) as JSON and back (`formats.words`): what is stored beside a
triage answer's English, for a page in the reader's language."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sijcare.domain.words import Clock, Day, DayStyle, Joined, Words, words
from sijcare.formats.words import words_from_json, words_or_english, words_to_json


def through_json(said: Words) -> Words:
    """`said` written, sent through JSON text (as a database stores it), and read back."""
    return words_from_json(json.loads(json.dumps(words_to_json(said))))


def test_a_sentence_with_numbers_keeps_its_values_and_format_specs() -> None:
    said = words(
        "Your blood sugar is {sugar:g} mg/dL, above {threshold:g}.", sugar=350.5, threshold=300.0
    )
    back = through_json(said)
    assert back == said
    assert str(back) == "Your blood sugar is 350.5 mg/dL, above 300."


def test_nested_words_days_clocks_and_joined_lists_come_back_the_same() -> None:
    when = words("{clock} on {day}", clock=Clock(time(1, 30)), day=Day(date(2026, 3, 3)))
    signs = Joined((Joined((words("Redness"), words("swelling")), ", "), words("and warmth")), " ")
    said = words(
        "{signs}: {when}, {weekday}, {month_day}; {count} times, {none}, {flag}.",
        signs=signs,
        when=when,
        weekday=Day(date(2026, 3, 2), DayStyle.WEEKDAY),
        month_day=Day(date(2026, 3, 2), DayStyle.MONTH_DAY),
        count=3,
        none=None,
        flag=True,
    )
    back = through_json(said)
    assert back == said
    assert str(back) == (
        "Redness, swelling and warmth: 1:30 am on Tuesday, March 3, Monday, March 2; "
        "3 times, None, True."
    )
    assert words_to_json(said)["params"]["when"] == {
        "type": "words",
        "text": "{clock} on {day}",
        "params": {
            "clock": {"type": "clock", "at": "01:30:00"},
            "day": {"type": "day", "day": "2026-03-03", "style": "full"},
        },
    }


def test_a_sentence_without_values_is_its_text() -> None:
    said = words("Let the clinic know when you can.")
    assert words_to_json(said) == {"text": "Let the clinic know when you can.", "params": {}}
    assert through_json(said) == said
    assert words_from_json({"text": "Let the clinic know when you can."}) == said


def test_a_value_no_page_could_write_is_refused_when_written() -> None:
    with pytest.raises(TypeError, match="datetime"):
        words_to_json(words("At {when}.", when=datetime(2026, 3, 2, 9, 0)))


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param(None, id="not-an-object"),
        pytest.param(["text"], id="a-list"),
        pytest.param({"params": {}}, id="no-text"),
        pytest.param({"text": 3}, id="text-not-a-string"),
        pytest.param({"text": "{a}", "params": ["a"]}, id="params-not-an-object"),
        pytest.param({"text": "{a}", "params": {"a": [1, 2]}}, id="a-list-value"),
        pytest.param({"text": "{a}", "params": {"a": {"at": "09:00"}}}, id="no-type"),
        pytest.param({"text": "{a}", "params": {"a": {"type": "moment"}}}, id="unknown-type"),
        pytest.param({"text": "{a}", "params": {"a": {"type": "clock"}}}, id="clock-without-time"),
        pytest.param({"text": "{a}", "params": {"a": {"type": "clock", "at": "9 am"}}}, id="bad-clock"),
        pytest.param({"text": "{a}", "params": {"a": {"type": "day", "day": "2026-02-30", "style": "full"}}}, id="bad-day"),
        pytest.param({"text": "{a}", "params": {"a": {"type": "day", "day": "2026-03-02", "style": "long"}}}, id="bad-style"),
        pytest.param({"text": "{a}", "params": {"a": {"type": "joined", "parts": "ab", "between": ""}}}, id="joined-parts-not-a-list"),
        pytest.param({"text": "{a}", "params": {"a": {"type": "words", "text": None}}}, id="nested-words-without-text"),
    ],
)  # fmt: skip
def test_words_that_cannot_be_read_are_a_value_error(stored: Any) -> None:
    with pytest.raises(ValueError, match="words"):
        words_from_json(stored)


_PLAIN = (
    st.text(max_size=8)
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.none()
)
_DAYS = st.builds(Day, st.dates(), st.sampled_from(DayStyle))
_CLOCKS = st.builds(Clock, st.times())
_NAMES = st.text(alphabet="abcdefghij_", min_size=1, max_size=6)


def _sentences(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Words]:
    return st.builds(
        lambda text, params: words(text, **params),
        st.text(max_size=20),
        st.dictionaries(_NAMES, values, max_size=3),
    )


_VALUES = st.recursive(
    _PLAIN | _DAYS | _CLOCKS,
    lambda inner: (
        _sentences(inner)
        | st.builds(Joined, st.lists(inner, max_size=3).map(tuple), st.text(max_size=3))
    ),
    max_leaves=12,
)


@given(_sentences(_VALUES))
def test_any_sentence_comes_back_the_same_through_json(said: Words) -> None:
    assert through_json(said) == said


def test_a_reader_takes_the_stored_words_only_when_they_read_as_the_english() -> None:
    said = words("Call {number} now.", number="911")
    stored = words_to_json(said)
    assert words_or_english("Call 911 now.", stored) == said
    assert words_or_english("Call 911 now.", None) == "Call 911 now."  # kept before words were
    assert words_or_english("Call 112 now.", stored) == "Call 112 now."  # another English
    assert words_or_english("Call 911 now.", {"text": "Call {other} now."}) == "Call 911 now."
    assert words_or_english("Call 911 now.", ["not", "words"]) == "Call 911 now."
