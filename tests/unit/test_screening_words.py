"""The screening's patient sentences kept for translation (`domain.screening_words`, ADR 0007).

Each finding's patient message and each dated action's text is kept as `Words` beside
its English (`Finding.patient_message`, `Action.what`), and `str()` of it is that English
byte for byte: FINDINGS holds, for every sentence, the English the screening gave before
its sentences were kept as `Words`, with the values that fill them in (medicine names,
temperatures, days, moments with midnight named by both days); ACTIONS the same for
every action. The same sentences are then written in Spanish, whole.

The clinical decisions are the spec's (tests/spec/screening, which also checks every
result it screens); these rows only pick intakes that give each sentence.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from factories.screening import calm_intake
from factories.words import sentences_of, texts_in
from sijcare import knowledge as loader
from sijcare.domain import screening_words
from sijcare.domain.intake import (
    Allergy,
    AllergyKind,
    ClinicianDecision,
    Diabetes,
    FeverReport,
    HoldDecision,
    Intake,
    MedicineEntry,
    PastReaction,
    ProcedurePlan,
    ReactionTo,
    RecentIllness,
    Temperature,
    TemperatureUnit,
)
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Kind, Sedation, Side
from sijcare.domain.screening import Finding, ScreeningResult, Severity, screen
from sijcare.domain.words import Words
from sijcare.formats.jsonout import to_jsonable
from sijcare.web import i18n

# A Tuesday, two days after the US clocks went forward: holds of days cross the change.
PROCEDURE_TIME = datetime.fromisoformat("2026-03-10T08:00:00-07:00")
DECIDED_AT = datetime.fromisoformat("2026-02-23T10:00:00-08:00")  # before every last dose
TOO_LATE = datetime.fromisoformat("2026-03-09T10:00:00-07:00")  # after apixaban's last dose


def plan(**changes: Any) -> ProcedurePlan:
    """Bupivacaine and triamcinolone, left side, fluoroscopy with contrast, no sedation."""
    fields: dict[str, Any] = {
        "kind": Kind.THERAPEUTIC,
        "side": Side.LEFT,
        "anesthetic_agent": "bupivacaine",
        "steroid_agent": "triamcinolone",
    }
    return ProcedurePlan(**{**fields, **changes})


DIAGNOSTIC = plan(kind=Kind.DIAGNOSTIC, anesthetic_agent="lidocaine", steroid_agent=None)
SEDATED = plan(sedation=Sedation.MODERATE)


def decided(medicine: str, decision: HoldDecision, **changes: Any) -> ClinicianDecision:
    fields: dict[str, Any] = {"confirmed_with_prescriber": True, "by": "Dr. Rivera"}
    fields |= {"at": DECIDED_AT, **changes}
    return ClinicianDecision(medicine, decision, **fields)


def hold(medicine: str, **changes: Any) -> tuple[ClinicianDecision, ...]:
    return (decided(medicine, HoldDecision.HOLD, **changes),)


def keep(medicine: str) -> tuple[ClinicianDecision, ...]:
    return (decided(medicine, HoldDecision.CONTINUE),)


def meds(*names: str) -> tuple[MedicineEntry, ...]:
    return tuple(MedicineEntry(name) for name in names)


def fever(value: float, unit: TemperatureUnit, on: str) -> FeverReport:
    return FeverReport(Temperature(value, unit), date.fromisoformat(on))


def intake(**changes: Any) -> Intake:
    """An intake with nothing of concern; keyword arguments replace its fields."""
    return calm_intake(changes.pop("procedure", plan()), **changes)


# Each row: a name, the intake's changes (and `overrides` of the clinic's rules), the code
# of the finding that says the sentence, and the English it says.
INTAKES: dict[str, dict[str, Any]] = {
    "unknown-medicine": {"medicines": meds("Zorbex 10 mg")},
    "unknown-medicine-quote": {"medicines": meds("O'Malley's drops")},
    "aspirin": {"medicines": meds("aspirin 81 mg")},
    "blood-thinner-review": {"medicines": meds("Eliquis 5 mg")},
    "blood-thinner-too-late": {
        "medicines": meds("Eliquis 5 mg"),
        "clinician_decisions": hold("Eliquis 5 mg", at=TOO_LATE),
    },
    "blood-thinner-continue": {
        "medicines": meds("Eliquis 5 mg"),
        "clinician_decisions": keep("Eliquis 5 mg"),
    },
    "blood-thinner-hold": {
        "medicines": meds("Eliquis 5 mg"),
        "clinician_decisions": hold("Eliquis 5 mg"),
    },
    "blood-thinner-hold-inr": {
        "medicines": meds("Coumadin"),
        "clinician_decisions": hold("Coumadin"),
    },
    "glp1-no-sedation": {"medicines": meds("Trulicity")},
    "glp1-review": {"procedure": SEDATED, "medicines": meds("Ozempic 1 mg")},
    "glp1-continue": {
        "procedure": SEDATED,
        "medicines": meds("Ozempic 1 mg"),
        "clinician_decisions": keep("Ozempic 1 mg"),
    },
    "glp1-hold-weekly": {
        "procedure": SEDATED,
        "medicines": meds("Ozempic"),
        "clinician_decisions": hold("Ozempic"),
    },
    "glp1-hold-daily": {
        "procedure": SEDATED,
        "medicines": meds("Byetta"),
        "clinician_decisions": hold("exenatide", regimen="daily"),
    },
    "glp1-no-hold": {
        "procedure": SEDATED,
        "medicines": meds("Byetta"),
        "clinician_decisions": hold("exenatide", regimen="daily"),
        "overrides": {"glp1.daily_agent_hold_on_procedure_day": False},
    },
    "fasting": {"procedure": SEDATED},
    "fasting-evening-cutoff": {
        "procedure": SEDATED,
        "overrides": {"fasting.solid_food_cutoff_local": "22:00"},
    },
    "no-driver-sedated": {"procedure": SEDATED, "driver_arranged": False},
    "no-driver": {"driver_arranged": False},
    "diabetes-no-steroid": {"procedure": DIAGNOSTIC, "diabetes": Diabetes(has=True)},
    "diabetes-steroid": {"diabetes": Diabetes(has=True)},
    "diabetes-fasting": {"procedure": SEDATED, "diabetes": Diabetes(has=True, uses_insulin=False)},
    "diabetes-fasting-insulin": {
        "procedure": SEDATED,
        "diabetes": Diabetes(has=True, uses_insulin=True),
    },
    "infection": {"current_infection": True},
    "fever-below": {"fever_recent": fever(37.4, TemperatureUnit.CELSIUS, "2026-03-08")},
    "fever-not-recent": {"fever_recent": fever(101.3, TemperatureUnit.FAHRENHEIT, "2026-02-01")},
    "fever-recent": {"fever_recent": fever(38.5, TemperatureUnit.CELSIUS, "2026-03-08")},
    "ill-now": {"recent_illness": RecentIllness("a cold")},
    "ill-recently": {"recent_illness": RecentIllness("flu", date(2026, 3, 6))},
    "ill-long-ago": {"recent_illness": RecentIllness("flu", date(2026, 2, 1))},
    "immune-system": {"immunocompromised": True},
    "pregnancy": {"possibly_pregnant": True},
    "anesthetic-allergy": {"allergies": (Allergy("lidocaine", AllergyKind.ANESTHETIC, "hives"),)},
    "steroid-allergy-no-steroid": {
        "procedure": DIAGNOSTIC,
        "allergies": (Allergy("triamcinolone", AllergyKind.STEROID),),
    },
    "steroid-allergy": {"allergies": (Allergy("triamcinolone", AllergyKind.STEROID),)},
    "latex": {"allergies": (Allergy("latex", AllergyKind.OTHER),)},
    "shellfish": {"allergies": (Allergy("shellfish", AllergyKind.FOOD),)},
    "penicillin": {"allergies": (Allergy("penicillin", AllergyKind.MEDICINE, "rash"),)},
    "past-fainting": {"past_reactions": (PastReaction(ReactionTo.INJECTION, "I fainted"),)},
    "contrast-not-planned": {
        "procedure": plan(contrast_planned=False),
        "allergies": (Allergy("iodine contrast", AllergyKind.CONTRAST),),
    },
    "contrast": {"allergies": (Allergy("iodine contrast", AllergyKind.CONTRAST, "hives"),)},
}


def screened(knowledge: Knowledge, name: str) -> ScreeningResult:
    changes = dict(INTAKES[name])
    k = loader.apply_overrides(knowledge, changes.pop("overrides", {}))
    return screen(intake(**changes), PROCEDURE_TIME, k)


def finding(knowledge: Knowledge, name: str, code: str) -> Finding:
    [found] = [f for f in screened(knowledge, name).findings if f.code == code]
    return found


FINDINGS = [
    pytest.param("unknown-medicine", "medicine.unknown",
                 "We could not recognise all of 'Zorbex 10 mg'. A nurse or doctor will check it with you. Keep taking it as usual until then.", id="unknown-medicine"),
    pytest.param("unknown-medicine-quote", "medicine.unknown",
                 "We could not recognise all of \"O'Malley's drops\". A nurse or doctor will check it with you. Keep taking it as usual until then.", id="unknown-medicine-quote"),
    pytest.param("aspirin", "medicine.no_hold",
                 "Keep taking your aspirin (ASA) as usual. You do not need to stop it for this injection.", id="aspirin"),
    pytest.param("blood-thinner-review", "blood_thinner.review",
                 "You take apixaban (Eliquis), a blood thinner. Keep taking it as usual for now. Do not stop it on your own. Your care team will talk with the doctor who prescribed it, and then tell you if and when to pause it.", id="blood-thinner-review"),
    pytest.param("blood-thinner-too-late", "blood_thinner.hold_too_late",
                 "Your care team and your doctor agreed to pause your apixaban (Eliquis) for the procedure, but the time to stop it had already passed. Keep taking it as usual for now. Do not stop it on your own. The clinic will call you about the date of your injection.", id="blood-thinner-too-late"),
    pytest.param("blood-thinner-continue", "blood_thinner.continue",
                 "Keep taking your apixaban (Eliquis) as usual, also on the day of the procedure. Your care team has checked this.", id="blood-thinner-continue"),
    pytest.param("blood-thinner-hold", "blood_thinner.hold",
                 "Your care team and the doctor who prescribed your apixaban (Eliquis) agreed to pause it for the procedure. Take your last dose no later than Saturday, March 7 at 7:00 am. Then take no more until after the procedure. Start it again at your usual dose time from Wednesday, March 11 at 8:00 am, unless a doctor tells you otherwise.", id="blood-thinner-hold"),
    pytest.param("blood-thinner-hold-inr", "blood_thinner.hold",
                 "Your care team and the doctor who prescribed your warfarin (Coumadin) agreed to pause it for the procedure. Take your last dose no later than Thursday, March 5 at 7:00 am. Then take no more until after the procedure. Start it again at your usual dose time from Tuesday, March 10 at 2:00 pm, unless a doctor tells you otherwise. Before the procedure, a blood test (INR) must show that your blood clots normally.", id="blood-thinner-hold-inr"),
    pytest.param("glp1-no-sedation", "glp1.no_sedation",
                 "Keep taking your dulaglutide (Trulicity) as usual.", id="glp1-no-sedation"),
    pytest.param("glp1-review", "glp1.review",
                 "You take semaglutide (Ozempic). Medicines like this slow down how fast your stomach empties, which matters when you have sedation. A doctor will check whether to pause it before the procedure. Keep taking it as usual until your care team tells you otherwise.", id="glp1-review"),
    pytest.param("glp1-continue", "glp1.continue",
                 "Keep taking your semaglutide (Ozempic) as usual. Your care team has checked this.", id="glp1-continue"),
    pytest.param("glp1-hold-weekly", "glp1.hold",
                 "Your care team and the doctor who prescribed your semaglutide (Ozempic) agreed to pause it before the procedure. Take your last weekly dose no later than Tuesday, March 3 at 7:00 am. Ask your care team when to start it again.", id="glp1-hold-weekly"),
    pytest.param("glp1-hold-daily", "glp1.hold",
                 "Your care team and the doctor who prescribed your exenatide (Byetta) agreed to pause it before the procedure. Do not take it on Tuesday, March 10, the day of the procedure. Ask your care team when to start it again.", id="glp1-hold-daily"),
    pytest.param("glp1-no-hold", "glp1.no_hold",
                 "Keep taking your exenatide (Byetta) as usual.", id="glp1-no-hold"),
    pytest.param("fasting", "fasting.sedation",
                 "You will get medicine to help you relax (sedation), so your stomach must be empty. Do not eat anything after midnight between Monday, March 9 and Tuesday, March 10. You may drink clear liquids until Tuesday, March 10 at 5:30 am: water, clear juice without pulp, clear tea or black coffee (no milk or cream). After that, have nothing to eat or drink. Arrive at the clinic on Tuesday, March 10 at 7:30 am.", id="fasting"),
    pytest.param("fasting-evening-cutoff", "fasting.sedation",
                 "You will get medicine to help you relax (sedation), so your stomach must be empty. Do not eat anything after Monday, March 9 at 10:00 pm. You may drink clear liquids until Tuesday, March 10 at 5:30 am: water, clear juice without pulp, clear tea or black coffee (no milk or cream). After that, have nothing to eat or drink. Arrive at the clinic on Tuesday, March 10 at 7:30 am.", id="fasting-evening-cutoff"),
    pytest.param("no-driver-sedated", "driver.missing_with_sedation",
                 "You will get medicine to help you relax (sedation), so an adult must drive you home. Without a driver the procedure cannot go ahead. Please arrange one and tell the clinic, or the clinic will move your procedure to a new date.", id="no-driver-sedated"),
    pytest.param("no-driver", "driver.missing",
                 "Please arrange an adult to drive you home after the procedure. Your leg may feel weak or numb for a few hours, so you should not drive yourself.", id="no-driver"),
    pytest.param("diabetes-no-steroid", "diabetes.no_steroid",
                 "This injection has no steroid, so it should not raise your blood sugar. Take your diabetes medicines as usual unless your care team tells you otherwise.", id="diabetes-no-steroid"),
    pytest.param("diabetes-steroid", "diabetes.steroid_glucose",
                 "The steroid in your injection can raise your blood sugar for a few days. Check your blood sugar more often than usual from the injection through Thursday, March 12. It is likely to be highest on Wednesday, March 11. Call the doctor who manages your diabetes if it is above 300 mg/dL (16.7 mmol/L).", id="diabetes-steroid"),
    pytest.param("diabetes-fasting", "diabetes.fasting_plan",
                 "You have diabetes and will need to fast before the procedure. A nurse or doctor will tell you how to take your diabetes medicines while you fast. Until then, do not change them on your own.", id="diabetes-fasting"),
    pytest.param("diabetes-fasting-insulin", "diabetes.fasting_plan",
                 "You have diabetes and will need to fast before the procedure. A nurse or doctor will tell you how to take your diabetes medicines and insulin while you fast. Until then, do not change them on your own.", id="diabetes-fasting-insulin"),
    pytest.param("infection", "infection.active",
                 "You told us you have an infection now. To keep you safe from infection, the injection must wait until you are well. The clinic will call you to set a new date.", id="infection"),
    pytest.param("fever-below", "fever.below_threshold",
                 "Thank you for telling us your temperature (37.4 °C). It is not a fever. Tell the clinic if you get a fever before the procedure.", id="fever-below"),
    pytest.param("fever-not-recent", "fever.not_recent",
                 "Your fever (101.3 °F) was more than 7 days before the procedure. Tell the clinic if you get a fever before the procedure.", id="fever-not-recent"),
    pytest.param("fever-recent", "fever.recent",
                 "You had a fever (38.5 °C) shortly before your procedure. To keep you safe from infection, the injection must wait until you are well. The clinic will call you to set a new date.", id="fever-recent"),
    pytest.param("ill-now", "illness.current",
                 "You told us you are unwell now. To keep you safe from infection, the injection must wait until you are well. The clinic will call you to set a new date.", id="ill-now"),
    pytest.param("ill-recently", "illness.recent",
                 "You were ill shortly before your procedure. To keep you safe from infection, the injection must wait until you are well. The clinic will call you to set a new date.", id="ill-recently"),
    pytest.param("ill-long-ago", "illness.resolved",
                 "Thank you for telling us about your illness. Tell the clinic if you get ill again before the procedure.", id="ill-long-ago"),
    pytest.param("immune-system", "immunocompromise",
                 "Because your body may fight infection less well, a doctor will check that the injection is safe for you before the procedure.", id="immune-system"),
    pytest.param("pregnancy", "pregnancy.possible",
                 "Because you might be pregnant, a doctor will review your plan before the procedure. X-rays, which are used to guide the needle, may not be safe for a baby.", id="pregnancy"),
    pytest.param("anesthetic-allergy", "allergy.anesthetic",
                 "You told us about a reaction to numbing medicine (a local anesthetic). A doctor will check which medicine is safe for you before the procedure.", id="anesthetic-allergy"),
    pytest.param("steroid-allergy-no-steroid", "allergy.steroid_not_planned",
                 "Thank you for telling us. This injection has no steroid.", id="steroid-allergy-no-steroid"),
    pytest.param("steroid-allergy", "allergy.steroid",
                 "You told us about a reaction to a steroid. The injection is planned with a steroid, so a doctor will check what is safe for you.", id="steroid-allergy"),
    pytest.param("latex", "allergy.latex",
                 "Thank you for telling us about this allergy. The team will prepare the room and supplies so they are safe for you.", id="latex"),
    pytest.param("shellfish", "allergy.shellfish_not_contrast",
                 "Thank you for telling us. A shellfish allergy does not make a reaction to X-ray dye more likely.", id="shellfish"),
    pytest.param("penicillin", "allergy.recorded",
                 "Thank you for telling us about this allergy. It is in your record.", id="penicillin"),
    pytest.param("past-fainting", "reaction.injection",
                 "Thank you for telling us about a problem you had before. A doctor will look at it before the procedure.", id="past-fainting"),
    pytest.param("contrast-not-planned", "contrast.not_planned",
                 "You told us you had a reaction to contrast dye (X-ray dye). No dye is planned for your injection.", id="contrast-not-planned"),
    pytest.param("contrast", "contrast.prior_reaction",
                 "You told us you had a reaction to contrast dye (X-ray dye). A doctor will choose how to keep you safe: medicines to take before the procedure, or guiding the needle with ultrasound without dye. Do not take any medicine for this until the clinic tells you what to take and when.", id="contrast"),
]  # fmt: skip

ACTIONS = [
    pytest.param("blood-thinner-hold", "blood_thinner.last_dose",
                 "Take your last dose of apixaban (Eliquis) before the procedure by this time.", id="blood_thinner.last_dose"),
    pytest.param("blood-thinner-hold", "blood_thinner.restart",
                 "Start apixaban (Eliquis) again from this time, at your usual dose time.", id="blood_thinner.restart"),
    pytest.param("blood-thinner-hold-inr", "blood_thinner.inr_check",
                 "Blood test (INR) before the procedure: it must show that your blood clots normally.", id="blood_thinner.inr_check"),
    pytest.param("fasting", "fasting.food_stop",
                 "Stop eating: nothing to eat from this time on.", id="fasting.food_stop"),
    pytest.param("fasting", "fasting.clear_liquids_stop",
                 "Stop drinking: nothing to drink from this time on, not even clear liquids.", id="fasting.clear_liquids_stop"),
    pytest.param("fasting", "visit.arrival",
                 "Arrive at the clinic.", id="visit.arrival"),
    pytest.param("glp1-hold-weekly", "glp1.last_dose",
                 "Take your last weekly dose of semaglutide (Ozempic) before the procedure by this time.", id="glp1.last_dose"),
    pytest.param("glp1-hold-daily", "glp1.skip_procedure_day",
                 "Do not take exenatide (Byetta) on the day of the procedure.", id="glp1.skip_procedure_day"),
    pytest.param("no-driver", "driver.arrange",
                 "Come with an adult who will drive you home after the procedure.", id="driver.arrange"),
    pytest.param("diabetes-steroid", "diabetes.check_glucose_often",
                 "Start checking your blood sugar more often than usual. Call the doctor who manages your diabetes if it is above 300 mg/dL (16.7 mmol/L).", id="diabetes.check_glucose_often"),
    pytest.param("diabetes-steroid", "diabetes.glucose_peak_day",
                 "Your blood sugar is likely to be highest today: check it more often.", id="diabetes.glucose_peak_day"),
    pytest.param("diabetes-steroid", "diabetes.usual_checks",
                 "You can go back to your usual blood sugar checks.", id="diabetes.usual_checks"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "code", "english"), FINDINGS)
def test_each_finding_reads_as_it_always_did(
    knowledge: Knowledge, name: str, code: str, english: str
) -> None:
    said = finding(knowledge, name, code)
    assert said.patient_message == english
    assert isinstance(said.words, Words)
    assert str(said.words) == english


@pytest.mark.parametrize(("name", "code", "english"), ACTIONS)
def test_each_action_reads_as_it_always_did(
    knowledge: Knowledge, name: str, code: str, english: str
) -> None:
    result = screened(knowledge, name)
    [action] = [a for a in result.actions if a.code == code]
    assert action.what == english
    assert isinstance(action.words, Words)
    assert str(action.words) == english


def test_the_rows_say_every_sentence_of_the_module(knowledge: Knowledge) -> None:
    said: set[str] = set()
    for name in INTAKES:
        result = screened(knowledge, name)
        for f in result.findings:
            said |= texts_in(f.words)
        for a in result.actions:
            said |= texts_in(a.words)
    assert sentences_of(screening_words) <= said
    assert {param.values[1] for param in ACTIONS} == set(screening_words.ACTIONS)


def spanish(said: Words) -> str:
    return said.render(i18n.translations("es").gettext, i18n.speller("es"))


@pytest.mark.parametrize("name", INTAKES)
def test_every_sentence_is_written_in_spanish(knowledge: Knowledge, name: str) -> None:
    result = screened(knowledge, name)
    for said in (*(f.words for f in result.findings), *(a.words for a in result.actions)):
        assert isinstance(said, Words)
        assert i18n.in_catalogue(said, "es"), said.text
        written = spanish(said)
        assert written != str(said) and "{" not in written


@pytest.mark.parametrize(
    ("name", "code", "spanish_text"),
    [
        ("fasting", "fasting.sedation", "No coma nada desde la medianoche entre el lunes, 9 de marzo y el martes, 10 de marzo en adelante. Puede tomar líquidos claros hasta el martes, 10 de marzo (hora: 5:30): agua,"),
        ("fasting", "fasting.sedation", "Hora de llegada a la clínica: el martes, 10 de marzo (hora: 7:30)."),
        ("fasting-evening-cutoff", "fasting.sedation", "No coma nada desde el lunes, 9 de marzo (hora: 22:00) en adelante."),
        ("blood-thinner-hold", "blood_thinner.hold", "Tome la última dosis a más tardar el sábado, 7 de marzo (hora: 7:00)."),
        ("blood-thinner-hold-inr", "blood_thinner.hold", "desde el martes, 10 de marzo (hora: 14:00), a menos que un médico le diga otra cosa. Antes del procedimiento, un análisis de sangre (INR)"),
        ("glp1-hold-daily", "glp1.hold", "No lo tome el martes, 10 de marzo, el día del procedimiento."),
        ("diabetes-steroid", "diabetes.steroid_glucose", "hasta el jueves, 12 de marzo. Lo más probable es que esté más alto el miércoles, 11 de marzo. Llame al médico que trata su diabetes si está por encima de 300 mg/dL (16.7 mmol/L)."),
        ("fever-not-recent", "fever.not_recent", "Su fiebre (101.3 °F) fue más de 7 días antes del procedimiento."),
        ("ill-now", "illness.current", "ahora se siente mal. Para protegerle de una infección, la inyección tiene que esperar"),
        ("unknown-medicine-quote", "medicine.unknown", """No pudimos reconocer todo lo que escribió aquí: "O'Malley's drops"."""),
    ],
)  # fmt: skip
def test_spanish_fills_in_its_names_numbers_days_and_moments(
    knowledge: Knowledge, name: str, code: str, spanish_text: str
) -> None:
    said = finding(knowledge, name, code).words
    assert isinstance(said, Words)
    assert spanish_text in spanish(said)


def test_the_json_of_a_result_keeps_its_shape_without_the_words(knowledge: Knowledge) -> None:
    # The CLI, the API and FHIR read the English; the words are for the pages.
    stored = to_jsonable(screened(knowledge, "blood-thinner-hold"))
    [held] = stored["findings"]
    assert "words" not in held
    assert all(set(a) == {"at", "what", "code", "about"} for a in stored["actions"])
    assert all(set(a) == {"at", "what", "code", "about"} for a in held["actions"])


def test_a_finding_of_its_words_says_them_in_english() -> None:
    # `Finding.of` takes the English from the words, so a page and the JSON cannot disagree.
    said = screening_words.postponed("fever.recent", reading="38.5 °C")
    fields: dict[str, Any] = {
        "code": "fever.recent",
        "about": "fever",
        "severity": Severity.STOP,
        "clinician_rationale": "Fever within the look-back.",
        "source": "product-default",
        "rule_keys": ("screening.fever_threshold_c",),
    }
    built = Finding.of(said, **fields)
    assert built.patient_message == str(said)
    assert built.words is said
    by_hand = Finding(patient_message=str(said), words=said, **fields)
    assert built == by_hand
    assert to_jsonable(built) == to_jsonable(by_hand)
    assert "words" not in to_jsonable(built)
