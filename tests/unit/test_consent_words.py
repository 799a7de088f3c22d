"""The consent answers' sentences kept for translation (`domain.consent_words`, ADR 0007).

Each question and each paragraph of its answer is kept as `Words` beside its English
(`Answer.text`, `Answer.answer`), and `str()` of it is that English byte for byte:
ENGLISH holds the answers the core gave before its sentences were kept as `Words`, for
plans that between them say every sentence (each kind, side, guidance, with and without
dye or a steroid), with the values that fill them in (figures from the knowledge with
their format specs, the day and the clock time, the names as written).

The clinical content is the spec's (tests/spec/consent); these rows only pin the English.
The same sentences are then written in Spanish, whole, with the same figures.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from factories.consent import CONTEXT, DIAGNOSTIC, THERAPEUTIC
from factories.words import sentences_of, texts_in
from sijcare.domain import consent_words
from sijcare.domain.consent import (
    QUESTION_TEXT,
    AnsweredQuestions,
    Question,
    answer_questions,
)
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Guidance, Side
from sijcare.domain.words import Words
from sijcare.formats.jsonout import to_jsonable
from sijcare.services import consent as consent_service
from sijcare.web import i18n

DX = DIAGNOSTIC
TX = replace(
    THERAPEUTIC,
    scheduled_at=datetime.fromisoformat("2026-07-01T20:05:00+00:00"),  # 1:05 pm in LA
)
PLANS = {
    "dx": DX,
    "tx": TX,
    "dx-right-ultrasound": replace(
        DX,
        side=Side.RIGHT,
        guidance=Guidance.ULTRASOUND,
        contrast_planned=False,
        anesthetic_agent="bupivacaine",
    ),
    "tx-ct-no-dye": replace(
        TX,
        side=Side.RIGHT,
        guidance=Guidance.CT,
        contrast_planned=False,
        anesthetic_agent="ropivacaine",
        steroid_agent="dexamethasone",
    ),
}


def answered(knowledge: Knowledge, plan: str) -> AnsweredQuestions:
    return answer_questions(PLANS[plan], CONTEXT, knowledge)


# Every answer of "dx", and those of the other plans that differ from it.
ENGLISH = [
    pytest.param("dx", Question.NAME, (
        "A test (diagnostic) SI joint injection, on your left side.",
        "The medicine is lidocaine (a numbing medicine). X-rays guide the needle. A little dye shows that the needle is in the joint.",
    ), id="dx-name"),
    pytest.param("dx", Question.REASON, (
        "To find out if your pain comes from this joint. If the numbing medicine eases your pain for a few hours, the joint is likely the cause.",
    ), id="dx-reason"),
    pytest.param("dx", Question.RESULTS, (
        "You rate your pain in a diary for the next 4 hours. That is how long lidocaine works.",
        "If your pain drops by 75% or more, the test is positive. That means the joint is likely the source of your pain. If it does not, the pain may come from somewhere else.",
    ), id="dx-results"),
    pytest.param("dx", Question.RISKS_AND_BENEFITS, (
        "The benefit: it can show if this joint causes your pain.",
        "It does not help everyone. The risks, and how often they happen:",
        "An infection of the skin where the needle went in: about 1 in 1,000 people.",
        "A bad allergy to one of the medicines: about 1 in 40,000 people.",
        "Feeling faint, or fainting, during or just after the shot: about 2 in 100 people (2.1 %).",
        "Soreness where the needle went in: about 13 in 100 people (12.9 %).",
        "More pain than usual for a few days: about 5 in 100 people (5.3 %).",
        "A red, warm face (flushing) or sweating: about 2 in 100 people (2.3 %).",
        "Numbness or weakness in the leg for a few hours: about 6 in 100 people (6.3 %).",
    ), id="dx-risks-and-benefits"),
    pytest.param("dx", Question.SIDE_EFFECTS, (
        "Soreness where the needle went in.",
        "Your usual pain may come back as the numbing medicine wears off.",
        "Your leg may feel numb or weak for up to 4 hours. Do not walk alone or drive.",
    ), id="dx-side-effects"),
    pytest.param("dx", Question.WHEN_AND_WHERE, (
        "On Monday, March 2, at 9:00 am, at the Pain Clinic, 2nd floor.",
        "After the injection, we watch you for about 30 minutes. Someone must drive you home.",
    ), id="dx-when-and-where"),
    pytest.param("dx", Question.WHO, (
        "Dr. Ana Ruiz will do the injection. She is a doctor trained in pain medicine.",
    ), id="dx-who"),
    pytest.param("dx", Question.WITHOUT_IT, (
        "Your pain would likely go on as it is now. You can choose this or another treatment later.",
        "Your doctor would know less about where your pain comes from.",
    ), id="dx-without-it"),
    pytest.param("dx", Question.ALTERNATIVES, (
        "You can choose any of these instead:",
        "Physical therapy. A therapist shows you how to move and stretch at home.",
        "Pain pills, such as ones that also calm swelling.",
        "Hands-on care that moves and stretches the joint.",
        "A treatment that uses heat to quiet the small nerves of the joint.",
        "Surgery to join the bones, for a few people whose pain does not get better.",
        "Waiting to see how your pain goes, with no new treatment.",
    ), id="dx-alternatives"),
    pytest.param("dx", Question.GETTING_RESULTS, (
        "Your diary from the first hours after the injection gives the answer.",
        "We go over your diary with you at your next visit.",
    ), id="dx-getting-results"),
    pytest.param("dx", Question.WHO_TO_CALL, (
        "Call the clinic help line at +1 310-555-0100. It is open every day from 6:00 am to 9:00 pm.",
        "At other times, call +1 310-555-0199 for the doctor on call. In an emergency, call 911.",
    ), id="dx-who-to-call"),
    pytest.param("dx", Question.COST, (
        "Your plan usually pays for it. You may owe a copay.",
    ), id="dx-cost"),
    pytest.param("tx", Question.NAME, (
        "A treatment (therapeutic) SI joint injection, on both sides.",
        "The medicines are bupivacaine (a numbing medicine) and triamcinolone (a steroid). X-rays guide the needle. A little dye shows that the needle is in the joint.",
    ), id="tx-name"),
    pytest.param("tx", Question.REASON, (
        "To ease pain that comes from this joint. The steroid calms swelling in the joint.",
    ), id="tx-reason"),
    pytest.param("tx", Question.RESULTS, (
        "The numbing medicine may ease your pain for a few hours. Then the pain may come back.",
        "The steroid often starts to work in 2 to 7 days. Your pain diary shows how much it helps and for how long.",
    ), id="tx-results"),
    pytest.param("tx", Question.RISKS_AND_BENEFITS, (
        "The benefit: it can ease your pain, often for 4 weeks or more.",
        "It does not help everyone. The risks, and how often they happen:",
        "An infection of the skin where the needle went in: about 1 in 1,000 people.",
        "A bad allergy to one of the medicines: about 1 in 40,000 people.",
        "Feeling faint, or fainting, during or just after the shot: about 2 in 100 people (2.1 %).",
        "Soreness where the needle went in: about 13 in 100 people (12.9 %).",
        "More pain than usual for a few days: about 5 in 100 people (5.3 %).",
        "A red, warm face (flushing) or sweating: about 2 in 100 people (2.3 %).",
        "Numbness or weakness in the leg for a few hours: about 6 in 100 people (6.3 %).",
    ), id="tx-risks-and-benefits"),
    pytest.param("tx", Question.SIDE_EFFECTS, (
        "Soreness where the needle went in.",
        "Your usual pain may come back as the numbing medicine wears off.",
        "Your leg may feel numb or weak for up to 8 hours. Do not walk alone or drive.",
        "Your face may be red and warm for up to 2 days.",
        "Your blood sugar may go up for about 2 days. If you have diabetes, check it more often.",
        "Your pain may flare up for a few days before the steroid starts to work.",
    ), id="tx-side-effects"),
    pytest.param("tx", Question.WHEN_AND_WHERE, (
        "On Wednesday, July 1, at 1:05 pm, at the Pain Clinic, 2nd floor.",
        "After the injection, we watch you for about 30 minutes. Someone must drive you home.",
    ), id="tx-when-and-where"),
    pytest.param("tx", Question.WITHOUT_IT, (
        "Your pain would likely go on as it is now. You can choose this or another treatment later.",
        "You would not get the relief the steroid may give.",
    ), id="tx-without-it"),
    pytest.param("tx", Question.GETTING_RESULTS, (
        "We look at your pain diary about 14, 42 and 90 days after the injection.",
        "We go over your diary with you at your next visit.",
    ), id="tx-getting-results"),
    pytest.param("dx-right-ultrasound", Question.NAME, (
        "A test (diagnostic) SI joint injection, on your right side.",
        "The medicine is bupivacaine (a numbing medicine). Ultrasound guides the needle. No dye will be used.",
    ), id="dx-right-ultrasound-name"),
    pytest.param("dx-right-ultrasound", Question.RESULTS, (
        "You rate your pain in a diary for the next 8 hours. That is how long bupivacaine works.",
        "If your pain drops by 75% or more, the test is positive. That means the joint is likely the source of your pain. If it does not, the pain may come from somewhere else.",
    ), id="dx-right-ultrasound-results"),
    pytest.param("dx-right-ultrasound", Question.SIDE_EFFECTS, (
        "Soreness where the needle went in.",
        "Your usual pain may come back as the numbing medicine wears off.",
        "Your leg may feel numb or weak for up to 8 hours. Do not walk alone or drive.",
    ), id="dx-right-ultrasound-side-effects"),
    pytest.param("tx-ct-no-dye", Question.NAME, (
        "A treatment (therapeutic) SI joint injection, on your right side.",
        "The medicines are ropivacaine (a numbing medicine) and dexamethasone (a steroid). A CT scanner guides the needle. No dye will be used.",
    ), id="tx-ct-no-dye-name"),
    pytest.param("tx-ct-no-dye", Question.REASON, (
        "To ease pain that comes from this joint. The steroid calms swelling in the joint.",
    ), id="tx-ct-no-dye-reason"),
    pytest.param("tx-ct-no-dye", Question.RESULTS, (
        "The numbing medicine may ease your pain for a few hours. Then the pain may come back.",
        "The steroid often starts to work in 2 to 7 days. Your pain diary shows how much it helps and for how long.",
    ), id="tx-ct-no-dye-results"),
    pytest.param("tx-ct-no-dye", Question.RISKS_AND_BENEFITS, (
        "The benefit: it can ease your pain, often for 4 weeks or more.",
        "It does not help everyone. The risks, and how often they happen:",
        "An infection of the skin where the needle went in: about 1 in 1,000 people.",
        "A bad allergy to one of the medicines: about 1 in 40,000 people.",
        "Feeling faint, or fainting, during or just after the shot: about 2 in 100 people (2.1 %).",
        "Soreness where the needle went in: about 13 in 100 people (12.9 %).",
        "More pain than usual for a few days: about 5 in 100 people (5.3 %).",
        "A red, warm face (flushing) or sweating: about 2 in 100 people (2.3 %).",
        "Numbness or weakness in the leg for a few hours: about 6 in 100 people (6.3 %).",
    ), id="tx-ct-no-dye-risks-and-benefits"),
    pytest.param("tx-ct-no-dye", Question.SIDE_EFFECTS, (
        "Soreness where the needle went in.",
        "Your usual pain may come back as the numbing medicine wears off.",
        "Your leg may feel numb or weak for up to 8 hours. Do not walk alone or drive.",
        "Your face may be red and warm for up to 2 days.",
        "Your blood sugar may go up for about 2 days. If you have diabetes, check it more often.",
        "Your pain may flare up for a few days before the steroid starts to work.",
    ), id="tx-ct-no-dye-side-effects"),
    pytest.param("tx-ct-no-dye", Question.WHEN_AND_WHERE, (
        "On Wednesday, July 1, at 1:05 pm, at the Pain Clinic, 2nd floor.",
        "After the injection, we watch you for about 30 minutes. Someone must drive you home.",
    ), id="tx-ct-no-dye-when-and-where"),
    pytest.param("tx-ct-no-dye", Question.WITHOUT_IT, (
        "Your pain would likely go on as it is now. You can choose this or another treatment later.",
        "You would not get the relief the steroid may give.",
    ), id="tx-ct-no-dye-without-it"),
    pytest.param("tx-ct-no-dye", Question.GETTING_RESULTS, (
        "We look at your pain diary about 14, 42 and 90 days after the injection.",
        "We go over your diary with you at your next visit.",
    ), id="tx-ct-no-dye-getting-results"),
]  # fmt: skip


@pytest.mark.parametrize(("plan", "question", "english"), ENGLISH)
def test_each_answer_reads_as_it_always_did(
    knowledge: Knowledge, plan: str, question: Question, english: tuple[str, ...]
) -> None:
    [answer] = [a for a in answered(knowledge, plan).answers if a.question is question]
    assert answer.answer == english
    assert tuple(str(paragraph) for paragraph in answer.answer_words) == english


def test_the_table_has_every_answer_of_the_first_plan() -> None:
    assert [param.values[1] for param in ENGLISH if param.values[0] == "dx"] == list(Question)


QUESTIONS = {
    Question.NAME: "What is the procedure called?",
    Question.REASON: "Why are you having it?",
    Question.RESULTS: "What results can you expect, and what do they mean?",
    Question.RISKS_AND_BENEFITS: "What are the risks and the benefits?",
    Question.SIDE_EFFECTS: "What side effects or problems could happen?",
    Question.WHEN_AND_WHERE: "When and where will it be done?",
    Question.WHO: "Who will do it, and what training do they have?",
    Question.WITHOUT_IT: "What would happen if you did not have it?",
    Question.ALTERNATIVES: "What other choices do you have?",
    Question.GETTING_RESULTS: "When and how will you get the results?",
    Question.WHO_TO_CALL: "Who do you call with questions or problems?",
    Question.COST: "How much will you have to pay?",
}


def test_the_questions_read_as_they_always_did(knowledge: Knowledge) -> None:
    assert QUESTION_TEXT == QUESTIONS
    for answer in answered(knowledge, "dx").answers:
        assert answer.text == str(answer.text_words) == QUESTIONS[answer.question]


@pytest.mark.parametrize("plan", PLANS)
def test_every_answer_is_its_words(knowledge: Knowledge, plan: str) -> None:
    for answer in answered(knowledge, plan).answers:
        assert answer.text == str(answer.text_words)
        assert answer.answer == tuple(str(paragraph) for paragraph in answer.answer_words)


def test_the_plans_say_every_sentence_of_the_consent(knowledge: Knowledge) -> None:
    said: set[str] = set()
    for plan in PLANS:
        for answer in answered(knowledge, plan).answers:
            said |= texts_in(answer.text_words).union(*(texts_in(p) for p in answer.answer_words))
    assert sentences_of(consent_words) <= said


def test_the_json_of_the_answers_keeps_its_shape_without_the_words(knowledge: Knowledge) -> None:
    answers = to_jsonable(answered(knowledge, "tx"))["answers"]
    assert all(set(answer) == {"question", "text", "answer"} for answer in answers)


# The product's own notes on cost and results (a clinic's own are shown as written).
PRODUCT_CONTEXT = replace(
    CONTEXT, cost_note=consent_service.COST_NOTE, results_how=consent_service.RESULTS_HOW
)


def spanish(said: Words) -> str:
    return said.render(i18n.translations("es"), i18n.speller("es"))


@pytest.mark.parametrize("plan", PLANS)
def test_every_sentence_is_written_in_spanish(knowledge: Knowledge, plan: str) -> None:
    for answer in answer_questions(PLANS[plan], PRODUCT_CONTEXT, knowledge).answers:
        for said in (answer.text_words, *answer.answer_words):
            assert i18n.in_catalogue(said, "es"), said.text
            written = spanish(said)
            assert written != str(said) and "{" not in written


def test_a_clinics_own_note_is_not_in_the_catalogue(knowledge: Knowledge) -> None:
    [cost] = [a for a in answered(knowledge, "dx").answers if a.question is Question.COST]
    assert not i18n.in_catalogue(cost.answer_words[0], "es")
    assert spanish(cost.answer_words[0]) == CONTEXT.cost_note


@pytest.mark.parametrize(
    ("plan", "question", "spanish_text"),
    [
        ("dx", Question.NAME, "Una inyección de prueba (diagnóstica) en la articulación sacroilíaca, en el lado izquierdo."),
        ("tx", Question.NAME, "Las medicinas son bupivacaine (una medicina que adormece) y triamcinolone (un esteroide). Los rayos X"),
        ("dx-right-ultrasound", Question.NAME, "en el lado derecho."),
        ("tx-ct-no-dye", Question.NAME, "Un escáner de tomografía (CT) guía la aguja. No se usará tinte."),
        ("dx", Question.RESULTS, "durante las próximas 4 horas. Es el tiempo que dura el efecto de lidocaine."),
        ("dx-right-ultrasound", Question.RESULTS, "durante las próximas 8 horas."),
        ("dx", Question.RESULTS, "Si su dolor baja un 75% o más, la prueba es positiva."),
        ("tx", Question.RESULTS, "El esteroide suele empezar a hacer efecto en 2 a 7 días."),
        ("tx", Question.RISKS_AND_BENEFITS, "muchas veces por 4 semanas o más."),
        ("dx", Question.RISKS_AND_BENEFITS, "alrededor de 1 de cada 1,000 personas."),
        ("dx", Question.RISKS_AND_BENEFITS, "alrededor de 2 de cada 100 personas (2.1 %)."),
        ("dx", Question.SIDE_EFFECTS, "hasta por 4 horas. No camine sin ayuda ni maneje."),
        ("tx", Question.SIDE_EFFECTS, "roja y caliente hasta por 2 días."),
        ("tx", Question.SIDE_EFFECTS, "puede subir por unos 2 días."),
        ("dx", Question.WHEN_AND_WHERE, "Día: lunes, 2 de marzo. Hora: 9:00. Lugar: the Pain Clinic, 2nd floor."),
        ("tx", Question.WHEN_AND_WHERE, "Día: miércoles, 1 de julio. Hora: 13:05."),
        ("dx", Question.WHEN_AND_WHERE, "le observamos unos 30 minutos."),
        ("dx", Question.WHO, "Dr. Ana Ruiz le pondrá la inyección. She is a doctor trained in pain medicine."),
        ("tx", Question.GETTING_RESULTS, "unos 14, 42 y 90 días después de la inyección."),
        ("dx", Question.WHO_TO_CALL, "al +1 310-555-0100. Atiende todos los días de 6:00 a 21:00."),
        ("dx", Question.WHO_TO_CALL, "En una emergencia, llame al 911."),
    ],
)  # fmt: skip
def test_spanish_fills_in_the_figures_the_day_the_time_and_the_names(
    knowledge: Knowledge, plan: str, question: Question, spanish_text: str
) -> None:
    [answer] = [a for a in answered(knowledge, plan).answers if a.question is question]
    assert spanish_text in " ".join(spanish(p) for p in answer.answer_words)
