"""The print partials as the portal's and the workspace's pages include them (the same
content on the page and in the PDF)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from markupsafe import escape

from sijcare.domain.consent import ConsentContext, answer_questions
from sijcare.domain.instructions import preparation_instructions
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Kind, PlannedProcedure, Side
from sijcare.services.diary_review import EntryRow
from sijcare.web.templating import Templates

AT = datetime(2026, 3, 9, 18, 0, tzinfo=UTC)
ZONE = "America/Los_Angeles"


def _plan() -> PlannedProcedure:
    return PlannedProcedure(
        scheduled_at=AT,
        kind=Kind.DIAGNOSTIC,
        side=Side.LEFT,
        anesthetic_agent="lidocaine",
        physician="Dr. Casey Clinician",
        location="Westside Main",
    )


def _render(source: str, **context: object) -> str:
    return Templates().environment("en").from_string(source).render(context)


def test_instruction_sections_list_every_item_under_its_title(knowledge: Knowledge) -> None:
    instructions = preparation_instructions(_plan(), [], knowledge, ZONE)
    html = _render(
        '{% import "print/_instructions.html" as guide %}'
        "{{ guide.sections(instructions, level=3) }}",
        instructions=instructions,
    )
    for section in instructions.sections:
        assert f'<h3 id="section-{section.code}">{escape(section.title)}</h3>' in html
        for item in section.items:
            assert f"<li>{escape(item.text)}</li>" in html


def test_consent_answers_take_what_the_page_adds_after_each_answer(knowledge: Knowledge) -> None:
    context = ConsentContext("Board certified.", "It depends on your plan.", "At a visit.")
    questions = answer_questions(_plan(), context, knowledge)
    html = _render(
        '{% import "print/_consent.html" as consent %}'
        "{% call(a) consent.answers(answers) %}<i>confirm {{ a.question.value }}</i>{% endcall %}",
        answers=questions.answers,
    )
    for number, answer in enumerate(questions.answers, start=1):
        assert f"{number}. {escape(answer.text)}</h2>" in html
        assert f"<i>confirm {answer.question.value}</i>" in html
    plain = _render(
        '{% import "print/_consent.html" as consent %}{{ consent.answers(answers) }}',
        answers=questions.answers,
    )
    assert "<i>" not in plain and plain.count("<section") == len(questions.answers)


def test_diary_table_shows_each_entry_and_optionally_what_the_reading_used() -> None:
    entries = [
        EntryRow(1, AT, 2, 71.4, "", None),
        EntryRow(2, AT + timedelta(hours=1), 5, 28.6, "walked", True),
    ]
    source = (
        '{% import "print/_diary.html" as diary with context %}'
        "{{ diary.entries_table(entries, used=used) }}"
    )
    html = _render(source, entries=entries, used={1}, zone=ZONE)
    assert "Diary entries (2)" in html and "Used in the reading" in html
    assert "Monday, March 9, 2026" in html and "walked" in html
    page = _render(source, entries=entries, used=None, zone=ZONE)
    assert "Used in the reading" not in page and page.count("<tr>") == 3
