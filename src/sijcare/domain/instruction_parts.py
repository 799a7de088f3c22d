"""The pieces both kinds of patient instructions are made of (`domain.instructions`):
items and sections, the injection as both see it, and the helpers for its times, for
units and for the clinic's numbers. `say` fills an item's sentence from
`domain.instruction_words`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sijcare.domain.contact import clock_text, day_text, help_line_hours
from sijcare.domain.errors import InputError
from sijcare.domain.instruction_words import TEXT, TITLES
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Kind, PlannedProcedure, Procedure, Sedation
from sijcare.domain.relief import local_zone
from sijcare.domain.screening_rules import timeline

# Unit conversions, not clinical values: glucose 1 mmol/L = 18.016 mg/dL; °F = °C x 9/5 + 32.
MG_DL_PER_MMOL_L = 18.016


@dataclass(frozen=True)
class Item:
    """One instruction: a stable `code`, the patient's text, and its local time if it has one."""

    code: str
    text: str
    at: datetime | None = None


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Injection:
    """What both kinds of instructions need to know about the injection."""

    at: datetime  # local time of the injection (planned or done)
    kind: Kind
    agent: str
    steroid: str | None
    sedation: Sedation
    planned: bool
    source: Procedure | PlannedProcedure


def zone_for(time_zone: str | None, knowledge: Knowledge) -> ZoneInfo:
    if time_zone is None:
        return local_zone(knowledge.text("clinic.time_zone"), where="clinic.time_zone")
    return local_zone(time_zone, where="time_zone")


def injection_of(source: Procedure | PlannedProcedure, zone: ZoneInfo) -> Injection:
    if isinstance(source, Procedure):
        return Injection(
            at=source.performed_at.astimezone(zone),
            kind=source.kind,
            agent=source.anesthetic.agent,
            steroid=None if source.steroid is None else source.steroid.agent,
            sedation=source.sedation,
            planned=False,
            source=source,
        )
    return Injection(
        at=source.scheduled_at.astimezone(zone),
        kind=source.kind,
        agent=source.anesthetic_agent,
        steroid=source.steroid_agent,
        sedation=source.sedation,
        planned=True,
        source=source,
    )


def inputs_of(shot: Injection, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "procedure_at": shot.at.isoformat(),
        "planned": shot.planned,
        "kind": shot.kind.value,
        "anesthetic": shot.agent,
        "steroid": shot.steroid,
        "sedation": shot.sedation.value,
        "time_zone": zone.key,
    }


def later(at: datetime, delta: timedelta, zone: ZoneInfo) -> datetime:
    """`at` plus elapsed time `delta`, on the wall clock of `zone`."""
    return timeline.shifted(at, delta, zone)


def when(at: datetime) -> str:
    """Like "Monday, March 2 at 9:00 am"."""
    return timeline.spoken(at)


def clock_that_day(at: datetime, injection: datetime) -> str:
    """The clock time alone on the injection's day ("1:00 pm"), else with its day
    ("1:00 am on Tuesday, March 3"): a late injection's numbness lasts past midnight, and
    a bare clock time read the next day points to the wrong day. Both on one wall clock."""
    if at.date() == injection.date():
        return clock_text(at)
    return f"{clock_text(at)} on {day_text(at)}"


def agent_row(shot: Injection, knowledge: Knowledge) -> Any:
    where = "anesthetic.agent" if isinstance(shot.source, Procedure) else "anesthetic_agent"
    return knowledge.row("anesthetics", shot.agent, where=where)


def numbness_ends(shot: Injection, knowledge: Knowledge, zone: ZoneInfo) -> datetime:
    hours = float(agent_row(shot, knowledge)["window_hours"])
    return later(shot.at, timedelta(hours=hours), zone)


def pair(knowledge: Knowledge, key: str) -> tuple[int, int]:
    values = knowledge.numbers(key)
    if len(values) != 2 or values[0] > values[1]:
        raise InputError(key, "must be [from, to]")
    return int(values[0]), int(values[1])


def days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def fahrenheit(celsius: float) -> str:
    return f"{celsius * 9 / 5 + 32:.1f}"


def mmol(mg_dl: float) -> str:
    return f"{mg_dl / MG_DL_PER_MMOL_L:.1f}"


def help_line(knowledge: Knowledge) -> str:
    return (
        f"the clinic help line at {knowledge.text('clinic.help_line_phone')} "
        f"(every day, {help_line_hours(knowledge)})"
    )


def say(
    code: str, at: datetime | None = None, /, *, text: str | None = None, **values: Any
) -> Item:
    """The item `code` with its sentence from `TEXT` (`text` picks another sentence)."""
    return Item(code, TEXT[text or code].format(**values), at)


def section(code: str, *items: Item) -> Section:
    return Section(code, TITLES[code], items)


def day_words(day: date) -> str:
    """Like "Monday, March 2"."""
    return f"{day:%A, %B} {day.day}"
