"""What the patient is told before and after the SI joint injection, in plain words.

Every number comes from the knowledge base: arrival, bathing, heat and ice, activity and
driving (`instructions.*`, clinic defaults), fasting with sedation (`fasting.*`, ASA
2017/2023 and the clinic's midnight rule), the driver (`driver.*`), blood sugar with
diabetes (`diabetes.*`), what is expected and when to call (`triage.*`, `education.*`),
the anesthetic's window (table `anesthetics`), the diary times
(`sijcare.domain.diary_schedule`) and the clinic's numbers and hours (`clinic.*`).

Decisions:
- Times are shown on the wall clock of `time_zone` (default `clinic.time_zone`); an
  elapsed time ("2 days") is added in UTC, so it never comes out short across a change
  of the clocks.
- Fasting applies only at or above `fasting.lowest_sedation_level`: no food after the
  last `fasting.solid_food_cutoff_local` at or before arrival, made earlier if needed to
  leave `fasting.light_meal_min_hours`; clear liquids until
  `fasting.clear_liquids_min_hours` before arrival.
- Blood thinners: the patient is never told to stop or restart one here on our own;
  only the dated actions screening gave after a clinician confirmed them
  (`screening_actions`: blood thinner, GLP-1, contrast premedication) are listed, those
  before the injection in the preparation and the others in the aftercare. Its arrival,
  fasting and blood-sugar actions are left out: the sections here say the same from the
  same rules.
- For a planned procedure the aftercare times assume it starts on time, and say so.

Every sentence is in `domain.instruction_words`; the items, sections and helpers both
kinds share are in `domain.instruction_parts`, imported here under the private names
they had in this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sijcare.domain.diary_schedule import DiaryPrompt, PromptPurpose, diary_schedule
from sijcare.domain.instruction_parts import Injection as _Injection
from sijcare.domain.instruction_parts import Item, Section
from sijcare.domain.instruction_parts import clock_that_day as _clock_that_day
from sijcare.domain.instruction_parts import day_words as _day_words
from sijcare.domain.instruction_parts import days as _days
from sijcare.domain.instruction_parts import fahrenheit as _fahrenheit
from sijcare.domain.instruction_parts import help_line as _help_line
from sijcare.domain.instruction_parts import injection_of as _injection
from sijcare.domain.instruction_parts import inputs_of as _inputs
from sijcare.domain.instruction_parts import later as _later
from sijcare.domain.instruction_parts import mmol as _mmol
from sijcare.domain.instruction_parts import numbness_ends as _numbness_ends
from sijcare.domain.instruction_parts import pair as _pair
from sijcare.domain.instruction_parts import say as _say
from sijcare.domain.instruction_parts import section as _section
from sijcare.domain.instruction_parts import when as _when
from sijcare.domain.instruction_parts import zone_for as _zone
from sijcare.domain.instruction_words import TEXT
from sijcare.domain.knowledge import Knowledge, Provenance
from sijcare.domain.procedure import Kind, PlannedProcedure, Procedure, Sedation
from sijcare.domain.screening_rules import timeline
from sijcare.domain.screening_rules.findings import Action
from sijcare.domain.words import DayStyle, Joined, Words, clock_of, day_of, words

SEDATION_ORDER = (Sedation.NONE, Sedation.MINIMAL, Sedation.MODERATE)
# Screening actions these instructions already give from the same rules (arrival,
# fasting, blood sugar checks): left out so nothing is said twice.
SAID_HERE = ("visit.", "fasting.", "diabetes.")
# The codes of the items written here (translated); any other item is a screening step.
_SAID = frozenset(TEXT) | {f"diary_{purpose.value}" for purpose in PromptPurpose}

PREPARATION_RULES = (
    "clinic.time_zone",
    "clinic.help_line_phone",
    "clinic.help_line_opens",
    "clinic.help_line_closes",
    "instructions.arrive_minutes_before",
    "education.observation_minutes",
    "fasting.lowest_sedation_level",
    "fasting.solid_food_cutoff_local",
    "fasting.light_meal_min_hours",
    "fasting.clear_liquids_min_hours",
    "driver.required",
    "driver.hard_stop_with_sedation",
    "screening.fever_threshold_c",
    "diary.window_prompt_minutes",
)
AFTERCARE_RULES = (
    "clinic.time_zone",
    "clinic.help_line_phone",
    "clinic.after_hours_phone",
    "clinic.emergency_phone",
    "clinic.help_line_opens",
    "clinic.help_line_closes",
    "education.observation_minutes",
    "education.steroid_onset_days",
    "instructions.no_driving_day_of_procedure",
    "instructions.usual_activity_from_day",
    "instructions.ice_hours",
    "instructions.cold_pack_minutes",
    "instructions.no_soaking_days",
    "triage.fever_c",
    "triage.severe_pain_nrs",
    "therapeutic.flare_from_hours",
    "therapeutic.flare_until_hours",
    "triage.soreness_expected_days",
    "triage.flushing_expected_days",
    "triage.glucose_low_mg_dl",
    "diabetes.glucose_call_threshold_mg_dl",
    "diabetes.check_more_often_days",
    "diabetes.glucose_peak_day",
    "driver.required",
)


@dataclass(frozen=True)
class Instructions:
    """Preparation or aftercare instructions, as sections of items."""

    kind: str  # "preparation" | "aftercare"
    procedure_at: datetime
    time_zone: str
    sections: tuple[Section, ...]
    provenance: Provenance = field(repr=False)

    @property
    def screening_steps(self) -> tuple[Words | str, ...]:
        """The screening's own dated steps listed here, each as its words, or as its
        English text where the screening result was stored without them (ADR 0007): a
        page in another language shows that one in English, with a notice."""
        return tuple(
            i.words.params["what"] for s in self.sections for i in s.items if i.code not in _SAID
        )


def preparation_instructions(
    plan: PlannedProcedure,
    screening_actions: Sequence[Action],
    knowledge: Knowledge,
    time_zone: str | None = None,
) -> Instructions:
    """How to get ready for `plan`: when to arrive, eating and drinking, medicines, what
    to bring, what to tell the clinic. `screening_actions` are the dated actions screening
    gave (clinician-confirmed holds, fasting); those before the procedure are listed."""
    zone = _zone(time_zone, knowledge)
    shot = _injection(plan, zone)
    before = [a for a in screening_actions if a.at < shot.at]
    sections = (
        _appointment(plan, shot, knowledge, zone),
        _eating(shot, knowledge, zone),
        _medicines_before(before, zone),
        _bring(shot, knowledge, zone),
        _tell_us(knowledge),
        _diary_start(shot, knowledge, zone),
    )
    inputs = {**_inputs(shot, zone), "screening_actions": [a.code for a in before]}
    return Instructions(
        kind="preparation",
        procedure_at=shot.at,
        time_zone=zone.key,
        sections=sections,
        provenance=knowledge.provenance(PREPARATION_RULES, inputs),
    )


def aftercare_instructions(
    procedure: Procedure | PlannedProcedure,
    knowledge: Knowledge,
    has_diabetes: bool,
    *,
    screening_actions: Sequence[Action] = (),
    time_zone: str | None = None,
) -> Instructions:
    """What to do and expect after the injection, and when to call; dated from its time.

    Actions of `screening_actions` after the injection (a confirmed blood-thinner
    restart) are listed under medicines.
    """
    zone = _zone(time_zone, knowledge)
    shot = _injection(procedure, zone)
    after = [a for a in screening_actions if a.at >= shot.at]
    sections = [
        _going_home(shot, knowledge, zone),
        _expect(shot, knowledge, zone),
        _diary(shot, knowledge, zone),
        _activity(shot, knowledge, zone),
        _heat_and_ice(shot, knowledge, zone),
        _bathing(shot, knowledge, zone),
        _medicines_after(after, zone),
    ]
    if has_diabetes:
        sections.append(_blood_sugar(shot, knowledge, zone))
    sections += [_when_to_call(shot, knowledge, zone, has_diabetes), _emergency(knowledge)]
    inputs = {
        **_inputs(shot, zone),
        "has_diabetes": has_diabetes,
        "screening_actions": [a.code for a in after],
    }
    return Instructions(
        kind="aftercare",
        procedure_at=shot.at,
        time_zone=zone.key,
        sections=tuple(sections),
        provenance=knowledge.provenance(AFTERCARE_RULES, inputs),
    )


# -- preparation -------------------------------------------------------------------------


def _arrival(shot: _Injection, knowledge: Knowledge, zone: ZoneInfo) -> datetime:
    lead = knowledge.number("instructions.arrive_minutes_before")
    return _later(shot.at, -timedelta(minutes=lead), zone)


def _appointment(
    plan: PlannedProcedure, shot: _Injection, knowledge: Knowledge, zone: ZoneInfo
) -> Section:
    # No parentheses: the sentence puts `what` in parentheses.
    what = words("numbing medicine only, a test block")
    if shot.kind is Kind.THERAPEUTIC:
        what = words("numbing medicine and a steroid")
    where = words(" at {place}", place=plan.location) if plan.location else ""
    who = words(" with {physician}", physician=plan.physician) if plan.physician else ""
    arrive = _arrival(shot, knowledge, zone)
    return _section(
        "appointment",
        _say("appointment", shot.at, what=what, when=_when(shot.at), where=where, who=who),
        _say("arrive_by", arrive, clock=clock_of(arrive)),
    )


def _fasting_applies(sedation: Sedation, knowledge: Knowledge) -> bool:
    lowest = Sedation(knowledge.text("fasting.lowest_sedation_level"))
    return SEDATION_ORDER.index(sedation) >= SEDATION_ORDER.index(lowest)


def _eating(shot: _Injection, knowledge: Knowledge, zone: ZoneInfo) -> Section:
    if not _fasting_applies(shot.sedation, knowledge):
        return _section("eating", _say("eat_as_usual"))
    arrive = _arrival(shot, knowledge, zone)
    food_stop = _food_cutoff(arrive, knowledge, zone)
    liquids = knowledge.number("fasting.clear_liquids_min_hours")
    liquids_stop = _later(arrive, -timedelta(hours=liquids), zone)
    return _section(
        "eating",
        _say("stop_eating", food_stop, cutoff=_cutoff_text(food_stop)),
        _say("clear_liquids_until", liquids_stop, when=_when(liquids_stop)),
    )


def _cutoff_text(at: datetime) -> Words:
    """Like "midnight on Sunday night (March 1)" for 12:00 am, else like _when."""
    if at.time() == time(0):
        night = at.date() - timedelta(days=1)
        return words(
            "midnight on {weekday} night ({day})",
            weekday=day_of(night, DayStyle.WEEKDAY),
            day=day_of(night, DayStyle.MONTH_DAY),
        )
    return _when(at)


def _food_cutoff(arrive: datetime, knowledge: Knowledge, zone: ZoneInfo) -> datetime:
    key = "fasting.solid_food_cutoff_local"
    clock = timeline.parse_clock(knowledge.text(key), key)
    light_meal = knowledge.number("fasting.light_meal_min_hours")
    return min(
        timeline.last_clock_time(clock, arrive, zone),
        _later(arrive, -timedelta(hours=light_meal), zone),
    )


def _confirmed(actions: Sequence[Action], zone: ZoneInfo) -> list[Item]:
    """Screening's dated actions not said elsewhere here, in time order, in its words."""
    kept = [a for a in actions if not a.code.startswith(SAID_HERE)]
    ordered = sorted(kept, key=lambda a: a.at.astimezone(UTC))
    return [
        # The action's own words are the screening's (or its English, stored without them).
        Item.of(
            a.code,
            words("{when}: {what}", when=_when(a.at.astimezone(zone)), what=a.said),
            a.at.astimezone(zone),
        )
        for a in ordered
    ]


def _medicines_before(actions: Sequence[Action], zone: ZoneInfo) -> Section:
    return _section(
        "medicines",
        _say("usual_medicines_before"),
        _say("blood_thinner_no_change"),
        *_confirmed(actions, zone),
    )


def _bring(shot: _Injection, knowledge: Knowledge, zone: ZoneInfo) -> Section:
    observe = knowledge.number("education.observation_minutes")
    back_by = _later(shot.at, timedelta(minutes=observe), zone)
    items = [_say("bring_id"), _say("bring_medicine_list")]
    if knowledge.flag("driver.required"):
        items.append(_say("bring_driver", back_by, clock=clock_of(back_by)))
    hard_stop = knowledge.flag("driver.hard_stop_with_sedation")
    if hard_stop and shot.sedation is not Sedation.NONE:
        items.append(_say("no_driver_no_procedure"))
    return _section("bring", *items)


def _tell_us(knowledge: Knowledge) -> Section:
    fever = knowledge.number("screening.fever_threshold_c")
    return _section(
        "tell_us",
        _say("call_if_ill", celsius=f"{fever:g}", fahrenheit=_fahrenheit(fever)),
        _say("call_if_pregnant"),
        _say("call_if_new_medicine"),
        _say("call_how_before", help_line=_help_line(knowledge)),
    )


def _diary_start(shot: _Injection, knowledge: Knowledge, zone: ZoneInfo) -> Section:
    prompts = diary_schedule(shot.source, knowledge, zone.key)
    first = [p for p in prompts if p.purpose is PromptPurpose.ANESTHETIC_WINDOW]
    times = Joined(tuple(p.time_after for p in first))
    return _section("diary", _say("diary_baseline"), _say("diary_bring", times=times))


# -- aftercare ---------------------------------------------------------------------------


def _going_home(shot: _Injection, knowledge: Knowledge, zone: ZoneInfo) -> Section:
    observe = knowledge.number("education.observation_minutes")
    items = []
    if shot.planned:
        day = day_of(shot.at)
        items.append(_say("times_assume_on_time", shot.at, clock=clock_of(shot.at), day=day))
    items.append(_say("observation", minutes=observe))
    if knowledge.flag("driver.required"):
        items.append(_say("driver_home"))
    if knowledge.flag("instructions.no_driving_day_of_procedure"):
        items.append(_say("no_driving_today"))
    return _section("going_home", *items)


def _expect(shot: _Injection, knowledge: Knowledge, zone: ZoneInfo) -> Section:
    numb_end = _numbness_ends(shot, knowledge, zone)
    sore = knowledge.integer("triage.soreness_expected_days")
    items = [
        _say("numb_leg", numb_end, clock=_clock_that_day(numb_end, shot.at)),
        _say("pain_returns", numb_end, clock=_clock_that_day(numb_end, shot.at)),
        _say("soreness", days=_days(sore)),
    ]
    if shot.steroid is not None:
        items += _steroid_expectations(shot, knowledge, zone)
    return _section("expect", *items)


def _steroid_expectations(shot: _Injection, knowledge: Knowledge, zone: ZoneInfo) -> list[Item]:
    hours = knowledge.number("therapeutic.flare_from_hours")
    start = _later(shot.at, timedelta(hours=hours), zone)
    end = _later(shot.at, timedelta(hours=knowledge.number("therapeutic.flare_until_hours")), zone)
    low, high = _pair(knowledge, "education.steroid_onset_days")
    first, last = shot.at.date() + timedelta(days=low), shot.at.date() + timedelta(days=high)
    flush = knowledge.integer("triage.flushing_expected_days")
    return [
        _say("flare", start, start=_when(start), end=_when(end)),
        _say(
            "steroid_onset",
            timeline.start_of_day(first, zone),
            low=low,
            high=high,
            first=_day_words(first),
            last=_day_words(last),
        ),
        _say("flushing", days=_days(flush)),
    ]


def _diary(shot: _Injection, knowledge: Knowledge, zone: ZoneInfo) -> Section:
    prompts = diary_schedule(shot.source, knowledge, zone.key)
    dated = [
        _say(
            f"diary_{p.purpose.value}",
            p.due_at,
            text="diary_prompt",
            label=p.label_words,
            when=_when(p.due_at),
        )
        for p in prompts
        if p.purpose in (PromptPurpose.ANESTHETIC_WINDOW, PromptPurpose.MILESTONE)
    ]
    dated += _diary_runs(prompts, PromptPurpose.DAILY, words("Every day"))
    dated += _diary_runs(prompts, PromptPurpose.WEEKLY, words("Once a week"))
    dated.sort(key=lambda i: i.at.astimezone(UTC) if i.at else shot.at)
    return _section("diary", _say("diary_how"), *dated)


def _diary_runs(prompts: Sequence[DiaryPrompt], purpose: PromptPurpose, how: Words) -> list[Item]:
    """One item for a run of daily or weekly prompts (or the single one)."""
    chosen = [p for p in prompts if p.purpose is purpose]
    if not chosen:
        return []
    first, last = chosen[0].due_at, chosen[-1].due_at
    code = f"diary_{purpose.value}"
    if len(chosen) == 1:
        only = chosen[0].label_words
        return [_say(code, first, text="diary_prompt", label=only, when=_when(first))]
    values = {
        "how": how,
        "clock": clock_of(first),
        "first": day_of(first),
        "last": day_of(last),
    }
    return [_say(code, first, text="diary_run", **values)]


def _activity(shot: _Injection, knowledge: Knowledge, zone: ZoneInfo) -> Section:
    from_day = knowledge.integer("instructions.usual_activity_from_day")
    start = timeline.start_of_day(shot.at.date() + timedelta(days=from_day), zone)
    return _section(
        "activity", _say("rest_today"), _say("usual_activity", start, day=day_of(start))
    )


def _heat_and_ice(shot: _Injection, knowledge: Knowledge, zone: ZoneInfo) -> Section:
    ice_until = _later(shot.at, timedelta(hours=knowledge.number("instructions.ice_hours")), zone)
    minutes = knowledge.integer("instructions.cold_pack_minutes")
    return _section(
        "heat_and_ice",
        _say("ice_first", ice_until, when=_when(ice_until), minutes=minutes),
        _say("heat_after"),
    )


def _bathing(shot: _Injection, knowledge: Knowledge, zone: ZoneInfo) -> Section:
    days = knowledge.integer("instructions.no_soaking_days")
    until = _later(shot.at, timedelta(days=days), zone)
    return _section("bathing", _say("shower_ok"), _say("no_soaking", until, when=_when(until)))


def _medicines_after(actions: Sequence[Action], zone: ZoneInfo) -> Section:
    return _section(
        "medicines",
        _say("usual_medicines_after"),
        _say("pain_medicine"),
        _say("blood_thinner_restart"),
        *_confirmed(actions, zone),
    )


def _sugar(knowledge: Knowledge, key: str) -> dict[str, str]:
    mg_dl = knowledge.number(key)
    return {"mg_dl": f"{mg_dl:g}", "mmol_l": _mmol(mg_dl)}


def _blood_sugar(shot: _Injection, knowledge: Knowledge, zone: ZoneInfo) -> Section:
    if shot.steroid is None:
        return _section("blood_sugar", _say("sugar_as_usual"))
    day0 = shot.at.date()
    through = day0 + timedelta(days=knowledge.integer("diabetes.check_more_often_days"))
    peak = day0 + timedelta(days=knowledge.integer("diabetes.glucose_peak_day"))
    end = timeline.start_of_day(through + timedelta(days=1), zone)
    return _section(
        "blood_sugar",
        _say("check_sugar_more", end, day=_day_words(through)),
        _say("sugar_peak", timeline.start_of_day(peak, zone), day=_day_words(peak)),
        _say("sugar_high_call", **_sugar(knowledge, "diabetes.glucose_call_threshold_mg_dl")),
        _say("sugar_low_call", **_sugar(knowledge, "triage.glucose_low_mg_dl")),
    )


def _when_to_call(
    shot: _Injection, knowledge: Knowledge, zone: ZoneInfo, has_diabetes: bool
) -> Section:
    fever = knowledge.number("triage.fever_c")
    numb_end = _numbness_ends(shot, knowledge, zone)
    items = [
        _say("call_fever", celsius=f"{fever:g}", fahrenheit=_fahrenheit(fever)),
        _say("call_site"),
        _say("call_numb", numb_end, when=_when(numb_end)),
        _say("call_severe_pain", nrs=knowledge.integer("triage.severe_pain_nrs")),
        _say("call_headache"),
    ]
    if has_diabetes and shot.steroid is not None:
        items.append(
            _say("call_sugar", **_sugar(knowledge, "diabetes.glucose_call_threshold_mg_dl"))
        )
    after_hours = knowledge.text("clinic.after_hours_phone")
    items.append(_say("call_how", help_line=_help_line(knowledge), after_hours=after_hours))
    return _section("when_to_call", *items)


def _emergency(knowledge: Knowledge) -> Section:
    number = knowledge.text("clinic.emergency_phone")
    signs = (
        "er_breathing",
        "er_swelling",
        "er_bladder_bowel",
        "er_both_legs",
        "er_fever_back_pain",
    )
    items = (*(_say(code) for code in signs), _say("er_how", number=number))
    return Section.of("emergency", words("Call {number} now if", number=number), items)
