"""Preparation and aftercare instructions: what is said, and when (knowledge
instructions.toml, screening.toml, triage.toml, education.toml, anesthetics.toml).

Preparation: arrive `instructions.arrive_minutes_before` (30 min) early; fasting only
with moderate sedation (`fasting.lowest_sedation_level`): no food after the last
midnight before arrival, or earlier to keep 6 h (light meal); clear liquids until 2 h
before arrival; a driver (a hard stop with sedation); clinician-confirmed screening
actions before the injection.
Aftercare: numbness until the anesthetic's window ends (lidocaine 4 h, bupivacaine
8 h); with a steroid a flare from 6 h to 72 h, onset on days 2-7, flushing up to 2
days; ice for 24 h; no bath, pool or hot tub for 2 days (elapsed time, DST-safe);
diabetes with a steroid: check more often through day 2, peak on day 1, call above
300 mg/dL; screening actions after the injection (a confirmed restart).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sijcare.domain.errors import InputError
from sijcare.domain.instructions import (
    Instructions,
    Item,
    aftercare_instructions,
    preparation_instructions,
)
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import (
    Anesthetic,
    Kind,
    PlannedProcedure,
    Procedure,
    Sedation,
    Side,
    Steroid,
)
from sijcare.domain.screening_rules.findings import Action
from sijcare.knowledge import apply_overrides

LA = ZoneInfo("America/Los_Angeles")
AT = datetime(2026, 3, 2, 9, 0, tzinfo=LA)


def plan(
    *,
    at: datetime = AT,
    sedation: Sedation = Sedation.NONE,
    kind: Kind = Kind.THERAPEUTIC,
    agent: str = "bupivacaine",
) -> PlannedProcedure:
    return PlannedProcedure(
        scheduled_at=at,
        kind=kind,
        side=Side.LEFT,
        anesthetic_agent=agent,
        steroid_agent="triamcinolone" if kind is Kind.THERAPEUTIC else None,
        sedation=sedation,
        physician="Dr. Ana Ruiz",
        location="Pain Clinic",
    )


def done(
    *, at: datetime = AT, kind: Kind = Kind.THERAPEUTIC, agent: str = "lidocaine"
) -> Procedure:
    return Procedure(
        performed_at=at,
        kind=kind,
        side=Side.LEFT,
        anesthetic=Anesthetic(agent, 1.0, 2.0),
        steroid=Steroid("triamcinolone", 40.0) if kind is Kind.THERAPEUTIC else None,
        baseline_pain=7,
    )


def item(result: Instructions, code: str) -> Item:
    return next(i for s in result.sections for i in s.items if i.code == code)


def codes(result: Instructions) -> set[str]:
    return {i.code for s in result.sections for i in s.items}


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LA)


# -- preparation --------------------------------------------------------------------------

PREPARATION = [
    pytest.param({}, "arrive_by", local(2026, 3, 2, 8, 30), id="arrive-30-minutes-early"),
    pytest.param(
        {"sedation": Sedation.MODERATE},
        "stop_eating",
        local(2026, 3, 2, 0, 0),
        id="sedation-no-food-after-midnight",
    ),
    pytest.param(
        {"sedation": Sedation.MODERATE},
        "clear_liquids_until",
        local(2026, 3, 2, 6, 30),
        id="sedation-clear-liquids-until-2h-before-arrival",
    ),
    pytest.param(
        {"sedation": Sedation.MODERATE, "at": local(2026, 3, 2, 5, 30)},
        "stop_eating",
        local(2026, 3, 1, 23, 0),
        id="early-arrival-keeps-6h-after-a-light-meal",
    ),
    pytest.param(
        {"sedation": Sedation.MODERATE, "at": local(2026, 3, 2, 6, 30)},
        "stop_eating",
        local(2026, 3, 2, 0, 0),
        id="exactly-6h-after-midnight",
    ),
    pytest.param(
        {}, "bring_driver", local(2026, 3, 2, 9, 30), id="driver-back-by-end-of-observation"
    ),
]


@pytest.mark.parametrize(("changes", "code", "at"), PREPARATION)
def test_preparation_times(
    knowledge: Knowledge, changes: dict[str, object], code: str, at: datetime
) -> None:
    result = preparation_instructions(plan(**changes), (), knowledge)  # type: ignore[arg-type]
    assert item(result, code).at == at


FASTING = [
    pytest.param(Sedation.NONE, False, id="no-sedation-eat-as-usual"),
    pytest.param(Sedation.MINIMAL, False, id="minimal-sedation-eat-as-usual"),
    pytest.param(Sedation.MODERATE, True, id="moderate-sedation-fasting"),
]


@pytest.mark.parametrize(("sedation", "fasting"), FASTING)
def test_fasting_only_with_sedation(
    knowledge: Knowledge, sedation: Sedation, fasting: bool
) -> None:
    result = preparation_instructions(plan(sedation=sedation), (), knowledge)
    assert ("stop_eating" in codes(result)) is fasting
    assert ("eat_as_usual" in codes(result)) is not fasting


def test_clinic_may_fast_from_minimal_sedation(knowledge: Knowledge) -> None:
    clinic = apply_overrides(knowledge, {"fasting.lowest_sedation_level": "minimal"})
    result = preparation_instructions(plan(sedation=Sedation.MINIMAL), (), clinic)
    assert "stop_eating" in codes(result)


DRIVER = [
    pytest.param(Sedation.NONE, False, id="driver-needed"),
    pytest.param(Sedation.MINIMAL, True, id="no-driver-no-procedure-with-sedation"),
]


@pytest.mark.parametrize(("sedation", "hard_stop"), DRIVER)
def test_driver(knowledge: Knowledge, sedation: Sedation, hard_stop: bool) -> None:
    result = preparation_instructions(plan(sedation=sedation), (), knowledge)
    assert "bring_driver" in codes(result)
    assert ("no_driver_no_procedure" in codes(result)) is hard_stop


def test_screening_actions_go_before_or_after(knowledge: Knowledge) -> None:
    """Confirmed holds and restarts are listed; arrival, fasting and sugar are said here."""
    stop = Action(
        local(2026, 2, 27, 9), "Take your last apixaban on Friday.", "hold_last_dose", "apixaban"
    )
    restart = Action(
        local(2026, 3, 3, 9), "Start apixaban again on Tuesday.", "restart", "apixaban"
    )
    fasting = Action(local(2026, 3, 2, 0), "Stop eating.", "fasting.food_stop", "sedation")
    sugar = Action(AT, "Check often.", "diabetes.check_glucose_often", "diabetes")
    actions = (restart, sugar, stop, fasting)
    before = preparation_instructions(plan(), actions, knowledge)
    after = aftercare_instructions(plan(), knowledge, True, screening_actions=actions)
    assert item(before, "hold_last_dose").at == stop.at
    assert "restart" not in codes(before)
    assert item(after, "restart").text == f"Tuesday, March 3 at 9:00 am: {restart.what}"
    assert "hold_last_dose" not in codes(after)
    said_here = {"fasting.food_stop", "diabetes.check_glucose_often"}
    assert not said_here & (codes(before) | codes(after))


def test_preparation_text_has_the_plain_facts(knowledge: Knowledge) -> None:
    result = preparation_instructions(plan(), (), knowledge)
    text = item(result, "appointment").text
    assert "Monday, March 2 at 9:00 am" in text
    assert "Dr. Ana Ruiz" in text
    assert "100.4 °F" in item(result, "call_if_ill").text
    assert "+1 310-555-0100" in item(result, "call_how_before").text
    assert result.provenance.rules["instructions.arrive_minutes_before"] == 30


# -- aftercare ------------------------------------------------------------------------------

NUMBNESS = [
    pytest.param("lidocaine", local(2026, 3, 2, 13), id="lidocaine-4h"),
    pytest.param("bupivacaine", local(2026, 3, 2, 17), id="bupivacaine-8h"),
]


@pytest.mark.parametrize(("agent", "until"), NUMBNESS)
def test_numbness_window(knowledge: Knowledge, agent: str, until: datetime) -> None:
    result = aftercare_instructions(done(agent=agent), knowledge, False)
    assert item(result, "numb_leg").at == until
    assert item(result, "call_numb").at == until


NUMBNESS_TEXT = [
    pytest.param(local(2026, 3, 2, 9), "lidocaine", "by about 1:00 pm.", id="same-day"),
    pytest.param(
        local(2026, 3, 2, 17),
        "bupivacaine",
        "by about 1:00 am on Tuesday, March 3.",
        id="past-midnight-names-the-day",
    ),
]


@pytest.mark.parametrize(("at", "agent", "words"), NUMBNESS_TEXT)
def test_a_time_on_another_day_than_the_injection_says_the_day(
    knowledge: Knowledge, at: datetime, agent: str, words: str
) -> None:
    result = aftercare_instructions(done(at=at, agent=agent), knowledge, False)
    assert item(result, "numb_leg").text.endswith(words)
    assert words.removesuffix(".") in item(result, "pain_returns").text
    assert item(result, "rest_today").text.endswith("the rest of the day of your injection.")


AFTERCARE_TIMES = [
    pytest.param("flare", local(2026, 3, 2, 15), id="flare-from-6h"),
    pytest.param("steroid_onset", local(2026, 3, 4, 0), id="onset-from-day-2"),
    pytest.param("ice_first", local(2026, 3, 3, 9), id="ice-24h"),
    pytest.param("no_soaking", local(2026, 3, 4, 9), id="no-bath-2-days"),
    pytest.param("usual_activity", local(2026, 3, 3, 0), id="usual-activity-next-day"),
]


@pytest.mark.parametrize(("code", "at"), AFTERCARE_TIMES)
def test_aftercare_times(knowledge: Knowledge, code: str, at: datetime) -> None:
    result = aftercare_instructions(done(), knowledge, False)
    assert item(result, code).at == at


def test_flare_window_text(knowledge: Knowledge) -> None:
    text = item(aftercare_instructions(done(), knowledge, False), "flare").text
    assert "Monday, March 2 at 3:00 pm" in text
    assert "Thursday, March 5 at 9:00 am" in text


def test_no_soaking_across_the_clock_change(knowledge: Knowledge) -> None:
    """48 h after 9:00 am on March 7, 2026 is 10:00 am on March 9 (clocks went forward)."""
    result = aftercare_instructions(done(at=local(2026, 3, 7, 9)), knowledge, False)
    assert item(result, "no_soaking").at == local(2026, 3, 9, 10)


def test_diagnostic_block_has_no_steroid_items(knowledge: Knowledge) -> None:
    result = aftercare_instructions(done(kind=Kind.DIAGNOSTIC), knowledge, True)
    assert not {"flare", "steroid_onset", "flushing", "check_sugar_more"} & codes(result)
    assert "sugar_as_usual" in codes(result)


DIABETES = [
    pytest.param(
        True, {"check_sugar_more", "sugar_peak", "sugar_high_call", "call_sugar"}, id="yes"
    ),
    pytest.param(False, set(), id="no"),
]


@pytest.mark.parametrize(("has_diabetes", "expected"), DIABETES)
def test_blood_sugar_with_a_steroid(
    knowledge: Knowledge, has_diabetes: bool, expected: set[str]
) -> None:
    result = aftercare_instructions(done(), knowledge, has_diabetes)
    sugar = {"check_sugar_more", "sugar_peak", "sugar_high_call", "call_sugar"}
    assert sugar & codes(result) == expected


def test_blood_sugar_days_and_threshold(knowledge: Knowledge) -> None:
    result = aftercare_instructions(done(), knowledge, True)
    assert "through Wednesday, March 4" in item(result, "check_sugar_more").text
    assert item(result, "sugar_peak").at == local(2026, 3, 3, 0)
    assert "above 300 mg/dL (16.7 mmol/L)" in item(result, "sugar_high_call").text


def test_planned_aftercare_says_it_assumes_the_time(knowledge: Knowledge) -> None:
    assert "times_assume_on_time" in codes(aftercare_instructions(plan(), knowledge, False))
    assert "times_assume_on_time" not in codes(aftercare_instructions(done(), knowledge, False))


def test_diary_times_follow_the_schedule(knowledge: Knowledge) -> None:
    result = aftercare_instructions(done(kind=Kind.DIAGNOSTIC), knowledge, False)
    diary = next(s for s in result.sections if s.code == "diary")
    dated = [i.at for i in diary.items if i.at is not None]
    assert dated[0] == local(2026, 3, 2, 9, 15)
    assert dated == sorted(dated)
    assert "Every day at 6:00 pm" in diary.items[-1].text


def test_clinic_override_changes_the_date_and_is_recorded(knowledge: Knowledge) -> None:
    clinic = apply_overrides(knowledge, {"instructions.no_soaking_days": 3})
    result = aftercare_instructions(done(), clinic, False)
    assert item(result, "no_soaking").at == local(2026, 3, 5, 9)
    assert result.provenance.overrides == {"instructions.no_soaking_days": 3}


def test_times_shown_in_the_given_zone(knowledge: Knowledge) -> None:
    result = aftercare_instructions(done(), knowledge, False, time_zone="America/New_York")
    assert result.time_zone == "America/New_York"
    assert "Monday, March 2 at 6:00 pm" in item(result, "flare").text  # 3:00 pm Pacific
    assert item(result, "flare").at == local(2026, 3, 2, 15)


def test_emergency_and_call_numbers(knowledge: Knowledge) -> None:
    result = aftercare_instructions(done(), knowledge, False)
    assert item(result, "er_how").text.startswith("Call 911 now")
    assert "+1 310-555-0199" in item(result, "call_how").text
    assert "38 °C (100.4 °F)" in item(result, "call_fever").text
    assert "9 or more out of 10" in item(result, "call_severe_pain").text


def test_unknown_time_zone_is_refused(knowledge: Knowledge) -> None:
    with pytest.raises(InputError) as exc:
        preparation_instructions(plan(), (), knowledge, "Mars/Olympus")
    assert exc.value.where == "time_zone"


def test_the_json_keeps_its_shape_without_the_sentences_kept_for_translation(
    knowledge: Knowledge,
) -> None:
    # The pages read each item's `words`; the JSON (CLI, files) keeps code, text and at.
    from sijcare.formats.jsonout import to_jsonable

    result = to_jsonable(aftercare_instructions(done(), knowledge, False))
    section = result["sections"][0]
    assert set(section) == {"code", "title", "items"}
    assert all(set(item) == {"code", "text", "at"} for item in section["items"])
    first = aftercare_instructions(done(), knowledge, False).sections[0].items[0]
    assert first.text == str(first.words)
