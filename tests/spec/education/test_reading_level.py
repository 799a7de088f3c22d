"""Patient-facing text reads at grade 8 or below (Flesch-Kincaid).

Checked: every paragraph and bullet of the leaflet; every consent answer, for both
kinds of injection; every triage message a patient can see (each reason code, what to
do, and the contact sentence). The grade comes from `readability_helpers.grade`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from readability_helpers import grade, sentence_count, syllables

from sijcare.domain.consent import ConsentContext, answer_questions
from sijcare.domain.contact import who_to_call
from sijcare.domain.education import compose_leaflet
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import (
    Anesthetic,
    Kind,
    PlannedProcedure,
    Procedure,
    Side,
    Steroid,
)
from sijcare.domain.symptoms import LegSymptom, SymptomReport
from sijcare.domain.triage import triage

MAX_GRADE = 8
T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 09:00 in Los Angeles

# Reports that together produce every reason code: (injection kind, hours, symptoms).
REPORTS = [
    ("diagnostic", 1, {"trouble_breathing": True, "face_or_throat_swelling": True}),
    ("diagnostic", 1, {"new_bladder_or_bowel_change": True, "saddle_numbness": True}),
    ("diagnostic", 1, {"weakness_both_legs": True, "hives": True, "pain": 9}),
    ("diagnostic", 2, {"leg_weakness": LegSymptom(), "leg_numbness": LegSymptom()}),
    ("diagnostic", 5, {"leg_weakness": LegSymptom(), "leg_numbness": LegSymptom()}),
    ("diagnostic", 3, {"leg_weakness": LegSymptom(started_after_it_had_gone=True)}),
    ("diagnostic", 3, {"leg_numbness": LegSymptom(started_after_it_had_gone=True)}),
    ("diagnostic", 3, {"facial_flushing": True, "pain": 3, "blood_sugar_mg_dl": 60}),
    ("diagnostic", 3, {}),
    ("therapeutic", 30, {"temperature_c": 38.4, "new_severe_back_pain": True, "leg_numbness": LegSymptom()}),
    ("therapeutic", 30, {"site_redness": True, "site_oozing": True, "headache_worse_standing": True}),
    ("therapeutic", 30, {"pain_controlled_by_usual_medicines": False, "blood_sugar_mg_dl": 350}),
    ("therapeutic", 30, {"pain": 8, "facial_flushing": True, "soreness_at_site": True, "blood_sugar_mg_dl": 200}),
    ("therapeutic", 100, {"pain": 8, "facial_flushing": True, "soreness_at_site": True, "blood_sugar_mg_dl": 200}),
    ("therapeutic", 2, {"pain": 7}),
]  # fmt: skip

ALL_CODES = {
    "trouble_breathing",
    "face_or_throat_swelling",
    "new_bladder_or_bowel_change",
    "saddle_numbness",
    "weakness_both_legs",
    "fever_back_pain_and_leg_signs",
    "fever",
    "new_severe_back_pain",
    "site_infection_signs",
    "headache_worse_standing",
    "hives",
    "leg_weakness_in_window",
    "leg_numbness_in_window",
    "leg_weakness_past_window",
    "leg_numbness_past_window",
    "leg_weakness_new",
    "leg_numbness_new",
    "severe_pain",
    "pain_not_controlled",
    "pain_flare",
    "pain_above_baseline",
    "pain_not_above_baseline",
    "blood_sugar_above_threshold",
    "blood_sugar_low",
    "blood_sugar_rise_expected",
    "blood_sugar_after_expected_rise",
    "facial_flushing",
    "flushing_lasting",
    "flushing_without_steroid",
    "site_soreness",
    "site_soreness_lasting",
    "no_warning_signs",
}


def _procedure(kind: str) -> Procedure:
    therapeutic = kind == "therapeutic"
    return Procedure(
        performed_at=T0,
        kind=Kind(kind),
        side=Side.RIGHT,
        anesthetic=Anesthetic("lidocaine", 2.0, 2.0),
        steroid=Steroid("triamcinolone", 40.0) if therapeutic else None,
        baseline_pain=6,
    )


def _triage_texts(knowledge: Knowledge) -> Iterator[tuple[str, str]]:
    for kind, hours, symptoms in REPORTS:
        report = SymptomReport(reported_at=T0 + timedelta(hours=hours), **symptoms)
        result = triage(_procedure(kind), report, knowledge)
        yield from ((reason.code, reason.message) for reason in result.reasons)
        yield from ((f"what_to_do:{result.disposition}", step) for step in result.what_to_do)


def _leaflet_texts(knowledge: Knowledge) -> Iterator[tuple[str, str]]:
    for section in compose_leaflet(knowledge).sections:
        yield from ((section.code, str(p)) for p in section.paragraphs)
        yield from ((section.code, str(b.text)) for b in section.bullets)


def _consent_texts(knowledge: Knowledge) -> Iterator[tuple[str, str]]:
    context = ConsentContext(
        physician_qualifications="She is a doctor trained in pain medicine.",
        cost_note="Your plan usually pays for it. You may owe a copay.",
        results_how="We go over your diary with you at your next visit.",
        physician_name="Dr. Ana Ruiz",
        location="the Pain Clinic",
    )
    for kind, steroid in (("diagnostic", None), ("therapeutic", "triamcinolone")):
        plan = PlannedProcedure(T0, Kind(kind), Side.LEFT, "lidocaine", steroid)
        for answer in answer_questions(plan, context, knowledge).answers:
            yield (answer.question.value, answer.text)
            yield from ((answer.question.value, paragraph) for paragraph in answer.answer)


def _contact_texts(knowledge: Knowledge) -> Iterator[tuple[str, str]]:
    for hour, emergency in ((12, False), (23, False), (12, True)):
        at = datetime(2026, 3, 2, hour, 0, tzinfo=UTC) + timedelta(hours=8)
        yield ("contact", who_to_call(at, knowledge, emergency=emergency).message)


def test_the_triage_reports_cover_every_reason_code(knowledge: Knowledge) -> None:
    assert {code for code, _ in _triage_texts(knowledge) if ":" not in code} == ALL_CODES


@pytest.mark.parametrize(
    "texts",
    [_leaflet_texts, _consent_texts, _triage_texts, _contact_texts],
    ids=lambda f: f.__name__.strip("_"),
)
def test_patient_text_is_at_most_grade_8(
    knowledge: Knowledge, texts: Callable[[Knowledge], Iterator[tuple[str, str]]]
) -> None:
    too_hard = [
        f"{where}: grade {grade(text):.1f}: {text}"
        for where, text in texts(knowledge)
        if grade(text) > MAX_GRADE
    ]
    assert too_hard == []


@pytest.mark.parametrize(
    ("word", "count"),
    [("cat", 1), ("needle", 2), ("medicine", 3), ("injection", 3), ("the", 1), ("1,000", 1)],
)
def test_syllable_heuristic(word: str, count: int) -> None:
    assert syllables(word) == count


def test_grade_of_known_texts() -> None:
    # 6 words, 6 syllables, 1 sentence: 0.39 x 6 + 11.8 x 1 - 15.59 = -1.45
    assert grade("The cat sat on the mat.") == pytest.approx(-1.45)
    hard = (
        "Intra-articular corticosteroid administration necessitates fluoroscopic "
        "visualization, contrast confirmation and comprehensive documentation."
    )
    assert grade(hard) > 16
    assert sentence_count("It is 2.1 % of them. Call 911 now!") == 2
