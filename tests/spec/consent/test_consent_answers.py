"""The consent questions, each answered for this patient's planned injection.

Rules: twelve questions in a fixed order (name, reason, results, risks and benefits,
side effects, when and where, who, without it, alternatives, getting results, who to
call, cost); each answer is about this plan: its kind (diagnostic = numbing medicine
only, therapeutic = with a steroid), side, agents (the numbing window: lidocaine 4 h,
bupivacaine 8 h), guidance and dye, the local time and place, the doctor and their
training, and the clinic's cost note. The doctor and the place must be known.

Rows: what is planned, the question, a phrase its answer must contain.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from factories.consent import CONTEXT, DIAGNOSTIC, THERAPEUTIC
from sijcare.domain.consent import ConsentContext, Question, answer_questions, plan_version
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Guidance, PlannedProcedure


def answer(plan: PlannedProcedure, question: Question, knowledge: Knowledge) -> str:
    answered = answer_questions(plan, CONTEXT, knowledge)
    return " ".join(next(a for a in answered.answers if a.question is question).answer)


ANSWERS = [
    pytest.param(DIAGNOSTIC, Question.NAME, "test (diagnostic) SI joint injection, on your left side", id="name-diagnostic"),
    pytest.param(THERAPEUTIC, Question.NAME, "treatment (therapeutic) SI joint injection, on both sides", id="name-therapeutic-bilateral"),
    pytest.param(DIAGNOSTIC, Question.NAME, "The medicine is lidocaine (a numbing medicine).", id="agent-diagnostic"),
    pytest.param(THERAPEUTIC, Question.NAME, "bupivacaine (a numbing medicine) and triamcinolone (a steroid)", id="agents-therapeutic"),
    pytest.param(DIAGNOSTIC, Question.NAME, "X-rays guide the needle. A little dye", id="fluoroscopy-with-dye"),
    pytest.param(replace(DIAGNOSTIC, guidance=Guidance.ULTRASOUND, contrast_planned=False), Question.NAME, "Ultrasound guides the needle. No dye will be used.", id="ultrasound-no-dye"),
    pytest.param(replace(DIAGNOSTIC, guidance=Guidance.CT), Question.NAME, "A CT scanner guides", id="ct"),
    pytest.param(DIAGNOSTIC, Question.REASON, "find out if your pain comes from this joint", id="reason-diagnostic"),
    pytest.param(THERAPEUTIC, Question.REASON, "ease pain", id="reason-therapeutic"),
    pytest.param(DIAGNOSTIC, Question.RESULTS, "for the next 4 hours", id="results-lidocaine-window"),
    pytest.param(replace(DIAGNOSTIC, anesthetic_agent="bupivacaine"), Question.RESULTS, "for the next 8 hours", id="results-bupivacaine-window"),
    pytest.param(DIAGNOSTIC, Question.RESULTS, "drops by 75% or more, the test is positive", id="results-positive-threshold"),
    pytest.param(THERAPEUTIC, Question.RESULTS, "starts to work in 2 to 7 days", id="results-steroid-onset"),
    pytest.param(THERAPEUTIC, Question.RISKS_AND_BENEFITS, "often for 4 weeks or more", id="benefit-therapeutic"),
    pytest.param(DIAGNOSTIC, Question.RISKS_AND_BENEFITS, "about 1 in 1,000 people", id="risk-infection"),
    pytest.param(DIAGNOSTIC, Question.RISKS_AND_BENEFITS, "about 2 in 100 people (2.1 %)", id="risk-fainting"),
    pytest.param(DIAGNOSTIC, Question.SIDE_EFFECTS, "numb or weak for up to 4 hours", id="side-effect-leg-lidocaine"),
    pytest.param(THERAPEUTIC, Question.SIDE_EFFECTS, "red and warm for up to 2 days", id="side-effect-flushing"),
    pytest.param(THERAPEUTIC, Question.SIDE_EFFECTS, "blood sugar may go up for about 2 days", id="side-effect-sugar"),
    pytest.param(DIAGNOSTIC, Question.WHEN_AND_WHERE, "On Monday, March 2, at 9:00 am, at the Pain Clinic, 2nd floor.", id="when-where"),
    pytest.param(replace(DIAGNOSTIC, scheduled_at=datetime.fromisoformat("2026-07-01T16:30:00+00:00")), Question.WHEN_AND_WHERE, "Wednesday, July 1, at 9:30 am", id="when-summer-time"),
    pytest.param(DIAGNOSTIC, Question.WHEN_AND_WHERE, "about 30 minutes. Someone must drive you home.", id="observation-and-driver"),
    pytest.param(DIAGNOSTIC, Question.WHO, "Dr. Ana Ruiz will do the injection. She is a doctor trained in pain medicine.", id="who"),
    pytest.param(DIAGNOSTIC, Question.WITHOUT_IT, "would know less about where your pain comes from", id="without-diagnostic"),
    pytest.param(THERAPEUTIC, Question.WITHOUT_IT, "would not get the relief", id="without-therapeutic"),
    pytest.param(DIAGNOSTIC, Question.ALTERNATIVES, "Physical therapy.", id="alternatives"),
    pytest.param(DIAGNOSTIC, Question.GETTING_RESULTS, "first hours after the injection", id="results-diagnostic"),
    pytest.param(THERAPEUTIC, Question.GETTING_RESULTS, "about 14, 42 and 90 days after", id="results-therapeutic-milestones"),
    pytest.param(DIAGNOSTIC, Question.GETTING_RESULTS, "at your next visit", id="results-how"),
    pytest.param(DIAGNOSTIC, Question.WHO_TO_CALL, "+1 310-555-0100. It is open every day from 6:00 am to 9:00 pm.", id="who-to-call"),
    pytest.param(DIAGNOSTIC, Question.WHO_TO_CALL, "In an emergency, call 911.", id="emergency"),
    pytest.param(DIAGNOSTIC, Question.COST, "You may owe a copay.", id="cost"),
]  # fmt: skip


@pytest.mark.parametrize(("plan", "question", "phrase"), ANSWERS)
def test_answer_is_about_this_plan(
    knowledge: Knowledge, plan: PlannedProcedure, question: Question, phrase: str
) -> None:
    assert phrase in answer(plan, question, knowledge)


def test_every_question_answered_in_order(knowledge: Knowledge) -> None:
    answered = answer_questions(THERAPEUTIC, CONTEXT, knowledge)
    assert [a.question for a in answered.answers] == list(Question)
    assert len(answered.answers) == 12
    for a in answered.answers:
        assert a.text.endswith("?")
        assert a.answer and all(p.strip() for p in a.answer)
    assert answered.plan_version == plan_version(THERAPEUTIC)
    assert answered.provenance.rules["diagnostic.positive_threshold_percent"] == 75


def test_a_diagnostic_plan_does_not_mention_a_steroid_side_effect(knowledge: Knowledge) -> None:
    assert "steroid" not in answer(DIAGNOSTIC, Question.SIDE_EFFECTS, knowledge)


def test_doctor_and_place_may_come_from_the_context(knowledge: Knowledge) -> None:
    plan = replace(DIAGNOSTIC, physician=None, location=None)
    context = replace(CONTEXT, physician_name="Dr. Lee", location="Room 4")
    answered = answer_questions(plan, context, knowledge)
    text = " ".join(p for a in answered.answers for p in a.answer)
    assert "Dr. Lee will do the injection." in text
    assert "at Room 4." in text


@pytest.mark.parametrize(
    ("plan", "where"),
    [
        pytest.param(replace(DIAGNOSTIC, physician=None), "physician", id="no-doctor"),
        pytest.param(replace(DIAGNOSTIC, location="  "), "location", id="no-place"),
        pytest.param(replace(DIAGNOSTIC, anesthetic_agent="novocaine"), "anesthetic_agent", id="unknown-anesthetic"),
        pytest.param(replace(THERAPEUTIC, steroid_agent="cortisol"), "steroid_agent", id="unknown-steroid"),
    ],
)  # fmt: skip
def test_answers_need_a_known_plan(
    knowledge: Knowledge, plan: PlannedProcedure, where: str
) -> None:
    with pytest.raises(InputError) as exc:
        answer_questions(plan, CONTEXT, knowledge)
    assert exc.value.where == where


@pytest.mark.parametrize("field", ["physician_qualifications", "cost_note", "results_how"])
def test_context_needs_each_answer(field: str) -> None:
    values: dict[str, Any] = {
        "physician_qualifications": "Trained.",
        "cost_note": "Covered.",
        "results_how": "At the visit.",
    }
    with pytest.raises(InputError) as exc:
        ConsentContext(**{**values, field: " "})
    assert exc.value.where == field
