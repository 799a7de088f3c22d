"""The pieces both kinds of patient instructions are made of (`domain.instructions`):
items and sections, the injection as both see it, and the helpers for its times, for
units and for the clinic's numbers. `say` fills an item's sentence from
`domain.instruction_words`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sijcare.domain.contact import help_line_clocks
from sijcare.domain.errors import InputError
from sijcare.domain.instruction_words import TEXT, TITLES
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Kind, PlannedProcedure, Procedure, Sedation
from sijcare.domain.relief import local_zone
from sijcare.domain.screening_rules import timeline
from sijcare.domain.words import (
    PAGES_ONLY,
    Clock,
    Day,
    Words,
    clock_of,
    day_of,
    plural_words,
    words,
)

# Unit conversions, not clinical values: glucose 1 mmol/L = 18.016 mg/dL; °F = °C x 9/5 + 32.
MG_DL_PER_MMOL_L = 18.016


@dataclass(frozen=True)
class Item:
    """One instruction: a stable `code`, the patient's text (English), its local time if
    it has one, and its sentence as `words`, for a page in the reader's language."""

    code: str
    text: str
    at: datetime | None
    words: Words = field(compare=False, repr=False, metadata=PAGES_ONLY)

    @classmethod
    def of(cls, code: str, said: Words, at: datetime | None = None) -> Item:
        return cls(code, str(said), at, said)


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    items: tuple[Item, ...]
    heading: Words = field(compare=False, repr=False, metadata=PAGES_ONLY)

    @classmethod
    def of(cls, code: str, heading: Words, items: tuple[Item, ...]) -> Section:
        return cls(code, str(heading), items, heading)


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


def when(at: datetime) -> Words:
    """Like "Monday, March 2 at 9:00 am" (midnight names both days)."""
    return timeline.spoken_words(at)


def clock_that_day(at: datetime, injection: datetime) -> Words | Clock:
    """The clock time alone on the injection's day ("1:00 pm"), else with its day
    ("1:00 am on Tuesday, March 3"): a late injection's numbness lasts past midnight, and
    a bare clock time read the next day points to the wrong day. Both on one wall clock."""
    if at.date() == injection.date():
        return clock_of(at)
    return words("{clock} on {day}", clock=clock_of(at), day=day_of(at))


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


def days(count: int) -> Words:
    return plural_words("{count} day", "{count} days", "count", count=count)


def fahrenheit(celsius: float) -> str:
    return f"{celsius * 9 / 5 + 32:.1f}"


def mmol(mg_dl: float) -> str:
    return f"{mg_dl / MG_DL_PER_MMOL_L:.1f}"


def help_line(knowledge: Knowledge) -> Words:
    opens, closes = help_line_clocks(knowledge)
    return words(
        "the clinic help line at {phone} (every day, {opens} to {closes})",
        phone=knowledge.text("clinic.help_line_phone"),
        opens=clock_of(opens),
        closes=clock_of(closes),
    )


def say(
    code: str, at: datetime | None = None, /, *, text: str | None = None, **values: Any
) -> Item:
    """The item `code` with its sentence from `TEXT` (`text` picks another sentence)."""
    return Item.of(code, TEXT[text or code].filled(**values), at)


def section(code: str, *items: Item) -> Section:
    return Section.of(code, TITLES[code], items)


def day_words(day: date) -> Day:
    """Like "Monday, March 2"."""
    return day_of(day)
