"""The triage answer's sentences kept for translation (`domain.triage_words`, ADR 0007).

Each is kept as `Words` beside its English (`Reason.message`, `TriageResult.what_to_do`),
and `str()` of it is that English byte for byte: CASES holds, for every reason code, the
English the answer gave before its sentences were kept as `Words`, with the values that
fill them in (numbers with their format specs, a clock time alone or with its day, the
site's signs listed). The same sentences are then written in Spanish, whole.

The clinical decisions are the spec's (tests/spec/triage); these rows only pick reports
that give each sentence.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Anesthetic, Kind, Procedure, Side, Steroid
from sijcare.domain.symptoms import LegSymptom, SymptomReport
from sijcare.domain.triage import TriageResult, triage
from sijcare.domain.triage_words import REASONS
from sijcare.formats.jsonout import to_jsonable
from sijcare.web import i18n

LA = ZoneInfo("America/Los_Angeles")
INJECTED_AT = "2026-03-02T09:00:00-08:00"  # a Monday
LEG = LegSymptom()
AGAIN = LegSymptom(started_after_it_had_gone=True)
INJECTIONS = {
    "lido-dx": ("diagnostic", "lidocaine", None),
    "bupi-dx": ("diagnostic", "bupivacaine", None),
    "bupi-tx": ("therapeutic", "bupivacaine", "triamcinolone"),
}


def case(
    name: str,
    injection: str,
    hours: float,
    symptoms: dict[str, Any],
    code: str,
    english: str,
    at: str = INJECTED_AT,
) -> Any:
    """A report `hours` after an injection at `at`, giving reason `code` with `english`."""
    return pytest.param(injection, at, hours, symptoms, code, english, id=name)


def answer(
    knowledge: Knowledge, injection: str, injected_at: str, report: SymptomReport
) -> TriageResult:
    kind, agent, steroid = INJECTIONS[injection]
    procedure = Procedure(
        performed_at=datetime.fromisoformat(injected_at),
        kind=Kind(kind),
        side=Side.RIGHT,
        anesthetic=Anesthetic(agent, 2.0, 2.0),
        steroid=None if steroid is None else Steroid(steroid, 40.0),
        baseline_pain=6,
    )
    return triage(procedure, report, knowledge)


def reported(injected_at: str, hours: float, symptoms: dict[str, Any]) -> SymptomReport:
    at = datetime.fromisoformat(injected_at).astimezone(UTC) + timedelta(hours=hours)
    return SymptomReport(reported_at=at.astimezone(LA), **symptoms)


CASES = [
    case("breathing", "lido-dx", 2, {"trouble_breathing": True}, "trouble_breathing",
         "Trouble breathing can be a serious allergic reaction. You need help right away."),
    case("face-swelling", "lido-dx", 2, {"face_or_throat_swelling": True}, "face_or_throat_swelling",
         "Swelling of your face, lips or throat can be a serious allergic reaction. You need help right away."),
    case("bladder-bowel", "lido-dx", 30, {"new_bladder_or_bowel_change": True}, "new_bladder_or_bowel_change",
         "You have a new problem holding or passing urine or stool. It can mean pressure on the nerves in your back. You need help right away."),
    case("saddle", "lido-dx", 30, {"saddle_numbness": True}, "saddle_numbness",
         "You have new numbness between your legs or around your bottom. It can mean pressure on the nerves in your back. You need help right away."),
    case("both-legs", "lido-dx", 1, {"weakness_both_legs": True}, "weakness_both_legs",
         "You have weakness in both legs. It can mean pressure on the nerves in your back. You need help right away."),
    case("fever-back-leg", "bupi-tx", 60, {"temperature_c": 38.0, "new_severe_back_pain": True, "leg_numbness": LEG}, "fever_back_pain_and_leg_signs",
         "A fever with new, bad back pain and a weak or numb leg can mean a serious infection near the spine. You need help right away."),
    case("fever-38.0", "bupi-tx", 30, {"temperature_c": 38.0}, "fever",
         "Your temperature is 38.0 °C (100.4 °F). A fever after the injection can be a sign of infection."),
    case("fever-39.25", "bupi-tx", 30, {"temperature_c": 39.25}, "fever",
         "Your temperature is 39.2 °C (102.7 °F). A fever after the injection can be a sign of infection."),
    case("back-pain", "bupi-tx", 30, {"new_severe_back_pain": True}, "new_severe_back_pain",
         "New, bad back pain after the injection needs a doctor to check it."),
    case("headache", "bupi-tx", 30, {"headache_worse_standing": True}, "headache_worse_standing",
         "A headache that gets worse when you stand up needs a doctor to check it."),
    case("redness", "bupi-tx", 48, {"site_redness": True}, "site_infection_signs",
         "Redness where the needle went in can be a sign of infection."),
    case("oozing", "bupi-tx", 48, {"site_oozing": True}, "site_infection_signs",
         "Oozing where the needle went in can be a sign of infection."),
    case("redness-oozing", "bupi-tx", 48, {"site_redness": True, "site_oozing": True}, "site_infection_signs",
         "Redness and oozing where the needle went in can be a sign of infection."),
    case("redness-swelling", "bupi-tx", 48, {"site_redness": True, "site_swelling": True}, "site_infection_signs",
         "Redness and swelling where the needle went in can be a sign of infection."),
    case("swelling-warmth", "bupi-tx", 48, {"site_swelling": True, "site_warmth": True}, "site_infection_signs",
         "Swelling and warmth where the needle went in can be a sign of infection."),
    case("three-signs", "bupi-tx", 48, {"site_redness": True, "site_swelling": True, "site_warmth": True}, "site_infection_signs",
         "Redness, swelling and warmth where the needle went in can be a sign of infection."),
    case("four-signs", "bupi-tx", 48, {"site_redness": True, "site_swelling": True, "site_warmth": True, "site_oozing": True}, "site_infection_signs",
         "Redness, swelling, warmth and oozing where the needle went in can be a sign of infection."),
    case("hives", "lido-dx", 2, {"hives": True}, "hives",
         "An itchy rash with raised bumps (hives) can be a mild allergic reaction. Tell the clinic today. If your breathing gets hard or your face swells, get emergency help."),
    case("weak-in-window", "lido-dx", 2, {"leg_weakness": LEG}, "leg_weakness_in_window",
         "Some leg weakness can happen while the numbing medicine works. It should wear off by about 1:00 pm. Until then, do not walk alone or drive."),
    case("numb-in-window", "bupi-dx", 5, {"leg_numbness": LEG}, "leg_numbness_in_window",
         "Some leg numbness can happen while the numbing medicine works. It should wear off by about 5:00 pm. Until then, do not walk alone or drive."),
    case("numb-in-window-past-midnight", "bupi-dx", 2, {"leg_numbness": LEG}, "leg_numbness_in_window",
         "Some leg numbness can happen while the numbing medicine works. It should wear off by about 5:00 am on Tuesday, March 3. Until then, do not walk alone or drive.",
         at="2026-03-02T21:00:00-08:00"),
    case("weak-past-window", "lido-dx", 5, {"leg_weakness": LEG}, "leg_weakness_past_window",
         "Your leg weakness has lasted past 1:00 pm, when the numbing medicine should have worn off. A doctor needs to check it."),
    case("numb-past-window-next-day", "lido-dx", 24, {"leg_numbness": LEG}, "leg_numbness_past_window",
         "Your leg numbness has lasted past 1:00 pm on Monday, March 2, when the numbing medicine should have worn off. A doctor needs to check it."),
    case("weak-new", "lido-dx", 2, {"leg_weakness": AGAIN}, "leg_weakness_new",
         "Your leg weakness came back, or started after the numbing medicine wore off. A doctor needs to check it."),
    case("numb-new", "bupi-dx", 3, {"leg_numbness": AGAIN}, "leg_numbness_new",
         "Your leg numbness came back, or started after the numbing medicine wore off. A doctor needs to check it."),
    case("severe-pain", "bupi-tx", 24, {"pain": 9}, "severe_pain",
         "Your pain is 9 out of 10. That is severe, and the clinic needs to know now."),
    case("not-controlled", "bupi-tx", 24, {"pain": 5, "pain_controlled_by_usual_medicines": False}, "pain_not_controlled",
         "Your usual pain medicines are not easing your pain. The clinic needs to know now."),
    case("flare", "bupi-tx", 24, {"pain": 8}, "pain_flare",
         "Your pain is worse than before the injection (8 out of 10, up from 6). A short flare of pain can happen in the first 3 days. It should ease. Your usual pain medicines can help."),
    case("above-baseline", "bupi-tx", 5, {"pain": 7}, "pain_above_baseline",
         "Your pain is worse than before the injection (7 out of 10, up from 6). This is not the usual pattern at this time. Tell the clinic today."),
    case("not-above-baseline", "lido-dx", 3, {"pain": 6}, "pain_not_above_baseline",
         "Your pain is no worse than before the injection. Pain often comes back as the numbing medicine wears off. That is normal."),
    case("sugar-high", "bupi-tx", 12, {"blood_sugar_mg_dl": 350.5}, "blood_sugar_above_threshold",
         "Your blood sugar is 350.5 mg/dL. That is above 300, so call now. Also tell the doctor who looks after your diabetes."),
    case("sugar-low", "bupi-tx", 12, {"blood_sugar_mg_dl": 69}, "blood_sugar_low",
         "Your blood sugar is 69 mg/dL. That is low. Treat it the way your diabetes team taught you. Then call."),
    case("sugar-rise", "bupi-tx", 12, {"blood_sugar_mg_dl": 250}, "blood_sugar_rise_expected",
         "Your blood sugar is 250 mg/dL. A steroid can raise blood sugar for about 2 days. Your reading is below the level that needs a call. Keep checking it more often than usual."),
    case("sugar-after-rise", "bupi-tx", 63.1, {"blood_sugar_mg_dl": 250}, "blood_sugar_after_expected_rise",
         "Your blood sugar is 250 mg/dL. A steroid can raise blood sugar for about 2 days, and that time has passed. If it is still higher than usual for you, tell the clinic today."),
    case("flushing", "bupi-tx", 48, {"facial_flushing": True}, "facial_flushing",
         "Red, warm skin on your face (flushing) can happen for up to 2 days after a steroid. It goes away by itself."),
    case("flushing-lasting", "bupi-tx", 49, {"facial_flushing": True}, "flushing_lasting",
         "Flushing of your face has lasted more than 2 days. Tell the clinic today."),
    case("flushing-no-steroid", "lido-dx", 5, {"facial_flushing": True}, "flushing_without_steroid",
         "Red, warm skin on your face (flushing) is not a usual effect of this injection. Tell the clinic today."),
    case("soreness", "bupi-tx", 72, {"soreness_at_site": True}, "site_soreness",
         "Soreness where the needle went in is common. It should ease within 3 days."),
    case("soreness-lasting", "bupi-tx", 73, {"soreness_at_site": True}, "site_soreness_lasting",
         "Soreness where the needle went in has lasted more than 3 days. Tell the clinic today."),
    case("nothing", "lido-dx", 1, {}, "no_warning_signs",
         "Nothing you told us needs a call right now."),
]  # fmt: skip


@pytest.mark.parametrize(("injection", "at", "hours", "symptoms", "code", "english"), CASES)
def test_each_reason_reads_as_it_always_did(
    knowledge: Knowledge,
    injection: str,
    at: str,
    hours: float,
    symptoms: dict[str, Any],
    code: str,
    english: str,
) -> None:
    result = answer(knowledge, injection, at, reported(at, hours, symptoms))
    [reason] = [r for r in result.reasons if r.code == code]
    assert reason.message == english
    assert str(reason.words) == english


def test_the_cases_cover_every_reason_code() -> None:
    # Every reason the triage gives takes its sentence from REASONS, by its code.
    assert {param.values[4] for param in CASES} == set(REASONS)


@pytest.mark.parametrize(("injection", "at", "hours", "symptoms", "code", "english"), CASES)
def test_each_reason_is_written_in_spanish(
    knowledge: Knowledge,
    injection: str,
    at: str,
    hours: float,
    symptoms: dict[str, Any],
    code: str,
    english: str,
) -> None:
    result = answer(knowledge, injection, at, reported(at, hours, symptoms))
    [reason] = [r for r in result.reasons if r.code == code]
    assert i18n.in_catalogue(reason.words, "es")
    spanish = reason.words.render(i18n.translations("es"), i18n.speller("es"))
    assert spanish != english and "{" not in spanish


@pytest.mark.parametrize(
    ("name", "spanish"),
    [
        ("breathing", "Si le cuesta respirar, puede ser una reacción alérgica grave. Necesita ayuda de inmediato."),
        ("saddle", "Tiene adormecimiento nuevo entre las piernas o alrededor de las nalgas. Puede ser señal de presión sobre los nervios de la espalda. Necesita ayuda de inmediato."),
        ("fever-39.25", "Su temperatura es de 39.2 °C (102.7 °F)."),
        ("redness-swelling", "Enrojecimiento e hinchazón en el lugar donde entró la aguja."),
        ("four-signs", "Enrojecimiento, hinchazón, calor y salida de líquido en el lugar donde entró la aguja."),
        ("weak-in-window", "Debería pasarse más o menos a esta hora: 13:00."),
        ("numb-in-window-past-midnight", "a esta hora: 5:00 del martes, 3 de marzo."),
        ("numb-past-window-next-day", "a esta hora: 13:00 del lunes, 2 de marzo."),
        ("sugar-high", "Su nivel de azúcar en la sangre es de 350.5 mg/dL. Está por encima de 300,"),
        ("flare", "(8 de 10; antes era 6). En los primeros 3 días"),
    ],
)  # fmt: skip
def test_spanish_fills_in_its_numbers_days_times_and_lists(
    knowledge: Knowledge, name: str, spanish: str
) -> None:
    [row] = [param for param in CASES if param.id == name]
    injection, at, hours, symptoms, code, _english = row.values
    result = answer(knowledge, injection, at, reported(at, hours, symptoms))
    [reason] = [r for r in result.reasons if r.code == code]
    assert spanish in reason.words.render(i18n.translations("es"), i18n.speller("es"))


STEPS = [
    pytest.param("2026-03-02T14:00:00-08:00", {"saddle_numbness": True}, "emergency", "emergency", (
        "Call 911 now for emergency help. Do not wait to reach the clinic, and do not drive yourself.",
        "Tell them you had an injection in your lower back (SI joint) on Monday, March 2.",
        "Let the clinic know when you can.",
    ), id="emergency"),
    pytest.param("2026-03-02T20:59:00-08:00", {"site_redness": True}, "call_now", "help_line", (
        "Call the clinic help line at +1 310-555-0100. It is open now, every day from 6:00 am to 9:00 pm.",
        "If you get much worse before you reach us, call 911.",
    ), id="call-now-help-line"),
    pytest.param("2026-03-02T21:01:00-08:00", {"site_redness": True}, "call_now", "after_hours", (
        "The help line is closed now. Call +1 310-555-0199 to reach the doctor on call.",
        "If you get much worse before you reach us, call 911.",
    ), id="call-now-after-hours"),
    pytest.param("2026-03-03T06:00:00-08:00", {"hives": True}, "call_soon", "help_line", (
        "Call the clinic help line today at +1 310-555-0100. It is open from 6:00 am to 9:00 pm.",
        "If you get worse, call now rather than later.",
    ), id="call-soon-help-line"),
    pytest.param("2026-03-03T05:59:00-08:00", {"hives": True}, "call_soon", "after_hours", (
        "Call the clinic help line at +1 310-555-0100 when it opens. It is open from 6:00 am to 9:00 pm.",
        "If you get worse or are worried before then, call +1 310-555-0199 now.",
    ), id="call-soon-after-hours"),
    pytest.param("2026-03-02T12:00:00-08:00", {}, "expected", "help_line", (
        "What you told us is expected after this injection.",
        "Keep filling in your pain diary.",
        "Call the clinic if something new happens or you are worried.",
        "Call the clinic help line at +1 310-555-0100. It is open now, every day from 6:00 am to 9:00 pm.",
    ), id="expected-help-line"),
    pytest.param("2026-03-02T23:00:00-08:00", {}, "expected", "after_hours", (
        "What you told us is expected after this injection.",
        "Keep filling in your pain diary.",
        "Call the clinic if something new happens or you are worried.",
        "The help line is closed now. Call +1 310-555-0199 to reach the doctor on call.",
    ), id="expected-after-hours"),
]  # fmt: skip


@pytest.mark.parametrize(("local", "symptoms", "disposition", "contact", "steps"), STEPS)
def test_what_to_do_reads_as_it_always_did(
    knowledge: Knowledge,
    local: str,
    symptoms: dict[str, Any],
    disposition: str,
    contact: str,
    steps: tuple[str, ...],
) -> None:
    report = SymptomReport(reported_at=datetime.fromisoformat(local), **symptoms)
    result = answer(knowledge, "lido-dx", INJECTED_AT, report)
    assert (result.disposition, result.contact.kind) == (disposition, contact)
    assert result.what_to_do == steps
    assert tuple(str(step) for step in result.what_to_do_words) == steps
    assert str(result.contact.words) == result.contact.message
    spanish = [
        step.render(i18n.translations("es"), i18n.speller("es")) for step in result.what_to_do_words
    ]
    assert all(i18n.in_catalogue(step, "es") for step in result.what_to_do_words)
    assert not set(spanish) & set(steps)


def test_the_emergency_steps_name_the_day_in_spanish(knowledge: Knowledge) -> None:
    report = SymptomReport(
        reported_at=datetime.fromisoformat("2026-03-02T14:00:00-08:00"), saddle_numbness=True
    )
    result = answer(knowledge, "lido-dx", INJECTED_AT, report)
    spanish = [
        step.render(i18n.translations("es"), i18n.speller("es")) for step in result.what_to_do_words
    ]
    assert spanish == [
        "Llame al 911 ahora para pedir ayuda de emergencia. No espere a hablar con la clínica y "
        "no maneje usted.",
        "Dígales que le pusieron una inyección en la parte baja de la espalda (articulación "
        "sacroilíaca) el lunes, 2 de marzo.",
        "Avise a la clínica cuando pueda.",
    ]


def test_the_json_of_a_result_keeps_its_shape_without_the_words(knowledge: Knowledge) -> None:
    # The CLI, the API and FHIR read the English; the words are for the pages.
    report = reported(INJECTED_AT, 30, {"site_redness": True, "pain": 9})
    data = to_jsonable(answer(knowledge, "bupi-tx", INJECTED_AT, report))
    assert set(data) == {
        "disposition",
        "reasons",
        "contact",
        "what_to_do",
        "reported_at",
        "elapsed",
        "provenance",
    }
    assert {key for reason in data["reasons"] for key in reason} == {
        "disposition",
        "code",
        "message",
        "rationale",
        "source",
    }
    assert set(data["contact"]) == {
        "kind",
        "number",
        "label",
        "message",
        "local_time",
        "help_line_hours",
    }
    assert all(isinstance(step, str) for step in data["what_to_do"])
