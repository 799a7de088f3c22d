"""Sentences with a count (`plural_words`, `plural_msg`): the form for 1 and for other
counts, in English and in Spanish, through the same render path as any sentence."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from sijcare.domain import consent_words, triage_words
from sijcare.domain.diary_schedule import DiaryPrompt, PromptPurpose
from sijcare.domain.instruction_parts import days
from sijcare.domain.words import Words, plural_count, plural_words, words
from sijcare.formats.words import words_from_json, words_to_json
from sijcare.services.errors import plural_msg
from sijcare.services.reminder_texts import prompt_label
from sijcare.web import i18n
from sijcare.web.templating import Templates

SPANISH = i18n.translations("es")


def spanish(said: Words) -> str:
    return said.render(SPANISH, i18n.speller("es"))


@pytest.mark.parametrize(
    ("count", "english", "es"),
    [
        (1, "1 day", "1 día"),
        (2, "2 days", "2 días"),
        (0, "0 days", "0 días"),
    ],
)
def test_a_count_chooses_the_form_in_each_language(count: int, english: str, es: str) -> None:
    said = days(count)
    assert str(said) == english
    assert spanish(said) == es


@pytest.mark.parametrize(
    ("hours", "english", "es"),
    [
        (1, "for up to 1 hour.", "hasta por 1 hora."),
        (1.0, "for up to 1 hour.", "hasta por 1 hora."),
        (1.5, "for up to 1.5 hours.", "hasta por 1.5 horas."),
        (2, "for up to 2 hours.", "hasta por 2 horas."),
    ],
)
def test_a_figure_from_the_knowledge_files_is_plural_unless_exactly_one(
    hours: float, english: str, es: str
) -> None:
    said = consent_words.LEG.filled(hours=hours)
    assert english in str(said)
    assert es in spanish(said)


def test_a_sentence_in_a_sentence_takes_its_own_count() -> None:
    said = words("{check} ({when})", check=words("Day {day}", day=1), when=days(1))
    assert str(said) == "Day 1 (1 day)"
    assert spanish(said) == "Día 1 (1 día)"


def test_a_triage_answer_with_a_clinic_threshold_of_one_day() -> None:
    said = triage_words.reason_words("flushing_lasting", days=1)
    assert str(said).startswith("Flushing of your face has lasted more than 1 day.")
    assert spanish(said).startswith("Tiene la cara roja y caliente desde hace más de 1 día.")
    assert i18n.in_catalogue(said, "es")


def test_a_service_message_with_a_count() -> None:
    for minutes, english, es in (
        (1, "in 1 minute.", "en 1 minuto."),
        (15, "in 15 minutes.", "en 15 minutos."),
    ):
        said = plural_msg(
            "Too many failed sign-in attempts. Try again in {minutes} minute.",
            "Too many failed sign-in attempts. Try again in {minutes} minutes.",
            "minutes",
            minutes=minutes,
        )
        assert said.render().endswith(english)
        assert said.render(SPANISH).endswith(es)


@pytest.mark.parametrize(
    ("minutes", "english", "es"),
    [
        (1, "1 minute after the injection", "1 minuto después de la inyección"),
        (30, "30 minutes after the injection", "30 minutos después de la inyección"),
        (60, "1 hour after the injection", "1 hora después de la inyección"),
        (90, "1.5 hours after the injection", "1.5 horas después de la inyección"),
        (120, "2 hours after the injection", "2 horas después de la inyección"),
    ],
)
def test_a_reminders_diary_time(minutes: int, english: str, es: str) -> None:
    prompt = _prompt(minutes)
    assert prompt_label(prompt).render() == english
    assert prompt_label(prompt).render(SPANISH) == es


def test_the_core_labels_a_diary_time_of_one_minute_in_the_singular() -> None:
    assert str(_prompt(1).time_after) == "1 minute"
    assert spanish(_prompt(1).time_after) == "1 minuto"


def test_the_message_filter_of_the_templates_chooses_the_form() -> None:
    template = "{{ said|message }}"
    for locale, expected in (("en", "1 minute"), ("es", "1 minuto")):
        env = Templates().environment(locale)
        assert env.from_string(template).render(said=_prompt(1).time_after) == expected


def test_a_lookup_of_texts_alone_takes_englishs_form() -> None:
    # A plain gettext knows no plural entries: it is given the English of the count's form.
    seen: list[str] = []

    def look_up(text: str) -> str:
        seen.append(text)
        return text

    assert days(2).render(look_up) == "2 days"
    assert seen == ["{count} days"]


def test_a_sentence_with_a_count_is_kept_with_both_forms() -> None:
    said = consent_words.FLUSHING.filled(days=1)
    back = words_from_json(json.loads(json.dumps(words_to_json(said))))
    assert back == said
    assert str(back) == "Your face may be red and warm for up to 1 day."
    assert words_to_json(words("No count")) == {"text": "No count", "params": {}}


def test_a_plural_without_the_name_of_its_count_is_not_read() -> None:
    with pytest.raises(ValueError, match="plural"):
        words_from_json({"text": "{n} day", "params": {"n": 1}, "plural": "{n} days"})


def test_a_count_must_be_a_number() -> None:
    assert plural_count(3) == 3 and plural_count(1.0) == 1 and plural_count(0.5) == 2
    with pytest.raises(TypeError):
        plural_words("{n} day", "{n} days", "n", n="1").render()


def _prompt(minutes: int) -> DiaryPrompt:
    due = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    return DiaryPrompt(due, PromptPurpose.ANESTHETIC_WINDOW, "", 0, after_minutes=minutes)
