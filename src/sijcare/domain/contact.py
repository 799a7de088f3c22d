"""Who the patient should call, at a given moment, after the injection.

The clinic's help line inside its hours (rules `clinic.help_line_opens`, inclusive, and
`clinic.help_line_closes`, exclusive, read as wall-clock times in `clinic.time_zone`),
the after-hours number outside them, and emergency services for an emergency at any
hour. Local times come from zoneinfo, so the days clocks change (DST) are handled: the
hours are always the clinic's wall-clock hours on that day. Source: clinical-defaults.md
"Who to call", the clinic's own page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.words import PAGES_ONLY, Words, clock_of, day_of, words

CONTACT_RULES = (
    "clinic.time_zone",
    "clinic.help_line_opens",
    "clinic.help_line_closes",
    "clinic.help_line_phone",
    "clinic.after_hours_phone",
    "clinic.emergency_phone",
)


class ContactKind(StrEnum):
    HELP_LINE = "help_line"
    AFTER_HOURS = "after_hours"
    EMERGENCY = "emergency"


@dataclass(frozen=True)
class Contact:
    """The number to call, with a plain-language sentence and the local time it is for.

    `words` is the sentence (`message`) as `Words`, for a page in the reader's language;
    it is left out of the JSON (`formats.jsonout`), which keeps its shape."""

    kind: ContactKind
    number: str
    label: str
    message: str
    local_time: datetime  # the moment decided for, in the clinic's time zone
    help_line_hours: str  # like "6:00 am to 9:00 pm", for messages that mention them
    words: Words = field(compare=False, repr=False, metadata=PAGES_ONLY)


def who_to_call(at: datetime, knowledge: Knowledge, *, emergency: bool) -> Contact:
    """The contact for a call at `at` (timezone-aware).

    An emergency goes to emergency services at any hour. Otherwise the help line when
    its opening time <= local time < its closing time, else the after-hours number.
    """
    local = clinic_local_time(at, knowledge)
    hours = help_line_hours(knowledge)
    if emergency:
        kind, number, label = (
            ContactKind.EMERGENCY,
            knowledge.text("clinic.emergency_phone"),
            "Emergency services",
        )
    elif help_line_open(at, knowledge):
        kind, number, label = (
            ContactKind.HELP_LINE,
            knowledge.text("clinic.help_line_phone"),
            "Clinic help line",
        )
    else:
        kind, number, label = (
            ContactKind.AFTER_HOURS,
            knowledge.text("clinic.after_hours_phone"),
            "After-hours line (doctor on call)",
        )
    said = contact_words(kind, number, knowledge)
    return Contact(kind, number, label, str(said), local, hours, said)


def contact_words(kind: ContactKind, number: str, knowledge: Knowledge) -> Words:
    """A contact's sentence as `Words`, for a page in the reader's language (its English
    is the contact's `message`)."""
    if kind is ContactKind.EMERGENCY:
        return words(
            "Call {number} now for emergency help. Do not wait to reach the clinic, and do "
            "not drive yourself.",
            number=number,
        )
    if kind is ContactKind.HELP_LINE:
        opens, closes = help_line_clocks(knowledge)
        return words(
            "Call the clinic help line at {number}. It is open now, every day from {opens} "
            "to {closes}.",
            number=number,
            opens=clock_of(opens),
            closes=clock_of(closes),
        )
    return words(
        "The help line is closed now. Call {number} to reach the doctor on call.", number=number
    )


def help_line_open(at: datetime, knowledge: Knowledge) -> bool:
    """Whether the help line is open at `at`: opening time included, closing time excluded.

    Hours that cross midnight (opens 20:00, closes 08:00) are allowed; equal opening and
    closing times mean the line is open around the clock.
    """
    now = clinic_local_time(at, knowledge).time().replace(tzinfo=None)
    opens = _clock_rule(knowledge, "clinic.help_line_opens")
    closes = _clock_rule(knowledge, "clinic.help_line_closes")
    if opens == closes:
        return True
    if opens < closes:
        return opens <= now < closes
    return now >= opens or now < closes


def clinic_local_time(at: datetime, knowledge: Knowledge) -> datetime:
    """`at` as a wall-clock time in the clinic's time zone (`clinic.time_zone`)."""
    if at.utcoffset() is None:
        raise InputError("reported_at", "needs a UTC offset, like 2026-03-02T15:00:00-08:00")
    return at.astimezone(clinic_zone(knowledge))


def clinic_zone(knowledge: Knowledge) -> ZoneInfo:
    """The clinic's time zone; an unknown name is an error in the clinic's settings."""
    name = knowledge.text("clinic.time_zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError("clinic.time_zone", f"{name!r} is not a known time zone") from None


def help_line_hours(knowledge: Knowledge) -> str:
    """The help line's hours in words, like "6:00 am to 9:00 pm"."""
    return str(help_line_hours_words(knowledge))


def help_line_hours_words(knowledge: Knowledge) -> Words:
    """The help line's hours, in the reader's language and clock."""
    opens, closes = help_line_clocks(knowledge)
    return words("{opens} to {closes}", opens=clock_of(opens), closes=clock_of(closes))


def help_line_clocks(knowledge: Knowledge) -> tuple[time, time]:
    """When the help line opens and closes (local clock times)."""
    return (
        _clock_rule(knowledge, "clinic.help_line_opens"),
        _clock_rule(knowledge, "clinic.help_line_closes"),
    )


def clock_text(at: time | datetime) -> str:
    """A clock time as patients read it, like "6:00 am" or "9:05 pm"."""
    return clock_of(at).english()


def day_text(at: datetime) -> str:
    """A date as patients read it, like "Monday, March 2"."""
    return day_of(at).english()


def _clock_rule(knowledge: Knowledge, key: str) -> time:
    value = knowledge.text(key)
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise InputError(key, f"{value!r} is not a time like 06:00") from None
