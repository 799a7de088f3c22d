"""Fasting before a procedure with sedation (ASA 2017 fasting guideline, 2023 update).

Fasting applies from the sedation level `fasting.lowest_sedation_level` up (default
moderate, IV sedation). Solid food stops at the clinic's instruction
`fasting.solid_food_cutoff_local` (default "00:00": nothing to eat after midnight): the
last time the local clock shows it at or before arrival, moved earlier if needed so the
fast before arrival is at least `fasting.light_meal_min_hours` (ASA). Clear liquids are
allowed until `fasting.clear_liquids_min_hours` before ARRIVAL, which is
`instructions.arrive_minutes_before` before the procedure time.
"""

from __future__ import annotations

from datetime import timedelta

from sijcare.domain.procedure import Sedation
from sijcare.domain.screening_rules import timeline
from sijcare.domain.screening_rules.findings import Action, Case, Finding, Severity
from sijcare.domain.screening_words import action_words, finding_words

LOWEST_LEVEL = "fasting.lowest_sedation_level"
CUTOFF = "fasting.solid_food_cutoff_local"
LIGHT_MEAL = "fasting.light_meal_min_hours"
CLEAR_LIQUIDS = "fasting.clear_liquids_min_hours"
ARRIVAL = "instructions.arrive_minutes_before"
_LEVELS = (Sedation.NONE, Sedation.MINIMAL, Sedation.MODERATE)


def fasting_applies(case: Case) -> bool:
    """Whether the planned sedation is at or above `fasting.lowest_sedation_level`."""
    lowest = Sedation(case.knowledge.text(LOWEST_LEVEL))
    return _LEVELS.index(case.intake.procedure.sedation) >= _LEVELS.index(lowest)


def screen_fasting(case: Case) -> list[Finding]:
    """The fasting times for a procedure with sedation; none without."""
    if not fasting_applies(case):
        return []
    k = case.knowledge
    arrival = case.arrival
    clock = timeline.parse_clock(k.text(CUTOFF), CUTOFF)
    food_until = min(
        timeline.last_clock_time(clock, arrival, case.zone),
        timeline.shifted(arrival, -timedelta(hours=k.number(LIGHT_MEAL)), case.zone),
    )
    liquids_until = timeline.shifted(arrival, -timedelta(hours=k.number(CLEAR_LIQUIDS)), case.zone)
    sedation = case.intake.procedure.sedation.value
    said = finding_words(
        "fasting.sedation",
        food_until=timeline.spoken_words(food_until),
        liquids_until=timeline.spoken_words(liquids_until),
        arrival=timeline.spoken_words(arrival),
    )
    return [
        Finding.of(
            said,
            code="fasting.sedation",
            about="sedation",
            severity=Severity.ACTION,
            clinician_rationale=(
                f"{sedation.capitalize()} sedation planned (fasting applies from "
                f"{k.text(LOWEST_LEVEL)}). Solid food: clinic instruction 'nothing after "
                f"{k.text(CUTOFF)}', at least {k.number(LIGHT_MEAL):g} h before arrival "
                f"(ASA light meal). Clear liquids until {k.number(CLEAR_LIQUIDS):g} h before "
                f"arrival (ASA 2017/2023). Arrival {k.number(ARRIVAL):g} min before the "
                "procedure."
            ),
            source="asa-fasting-2017",
            rule_keys=(LOWEST_LEVEL, CUTOFF, LIGHT_MEAL, CLEAR_LIQUIDS, ARRIVAL),
            actions=tuple(
                Action.of(at, action_words(code), code, "sedation")
                for at, code in (
                    (food_until, "fasting.food_stop"),
                    (liquids_until, "fasting.clear_liquids_stop"),
                    (arrival, "visit.arrival"),
                )
            ),
        )
    ]
