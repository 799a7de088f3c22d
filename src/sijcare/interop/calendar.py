"""iCalendar files (RFC 5545) of a patient's dates, built with the `icalendar` library.

Three kinds of entries: appointments (procedure and follow-up visits), the dated steps
screening gave the patient (`ScreeningResult.actions`: fasting, a blood-thinner's last
dose and restart once a clinician confirmed the hold, ...) and the pain diary's prompts
(`sijcare.domain.diary_schedule`). Only what the core produced becomes an entry: this
module adds no date of its own. The words come from the caller (`Words`), so the same
entries can say more or less, in any language.

Decisions:
- Every time is written with the clinic zone's TZID and a VTIMEZONE for it, so calendar
  programs show the right wall-clock time on both sides of a change of the clocks.
- A moment in the hour the clocks repeat when they fall back (the second 01:30) is
  written in UTC instead: RFC 5545 (3.3.5) reads an ambiguous local time as its first
  occurrence, which would move it by an hour.
- UIDs are stable per item (an appointment, a pathway's step, a procedure's prompt), so
  importing a newer file updates entries instead of adding copies. A cancelled
  appointment stays in the file with STATUS:CANCELLED, so that an import removes it.
- The arrival and driver steps are said in the procedure appointment's entry, not as
  entries of their own. A step or prompt is an instant (no end); it alarms at its time.
- DTSTAMP is passed in: building a file never reads the clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import icalendar

from sijcare.domain.diary_schedule import DiaryPrompt
from sijcare.domain.errors import InputError
from sijcare.domain.screening_rules.findings import Action

PRODID = "-//sijcare//Care pathway calendar//EN"
MEDIA_TYPE = "text/calendar; charset=utf-8"
# Steps the procedure appointment's own entry tells; they get no entry of their own.
SAID_WITH_APPOINTMENT = frozenset({"visit.arrival", "driver.arrange"})


@dataclass(frozen=True)
class Visit:
    """An appointment as a calendar shows it. Times are timezone-aware."""

    id: int
    kind: str  # "procedure" | "follow_up"
    virtual: bool
    starts_at: datetime
    ends_at: datetime
    cancelled: bool = False
    place: str = ""  # the location's name and address; empty for a video visit
    with_whom: str = ""  # the practitioner's name

    def __post_init__(self) -> None:
        _require_aware(self.starts_at, "starts_at")
        _require_aware(self.ends_at, "ends_at")
        if self.ends_at <= self.starts_at:
            raise InputError("ends_at", "must be after starts_at")


@dataclass(frozen=True)
class Text:
    """What an entry says: a short title and an optional longer description."""

    summary: str
    description: str = ""


class Words(Protocol):
    """The caller's words for each kind of entry (its language and level of detail)."""

    def visit(self, visit: Visit) -> Text: ...

    def action(self, action: Action) -> Text: ...

    def prompt(self, prompt: DiaryPrompt) -> Text: ...


@dataclass(frozen=True)
class Entry:
    """One calendar entry (a VEVENT). `ends_at` None is an instant."""

    uid: str
    starts_at: datetime
    text: Text
    ends_at: datetime | None = None
    location: str = ""
    cancelled: bool = False
    alarm_before: timedelta | None = None


def visit_entries(
    visits: Iterable[Visit], words: Words, *, domain: str, alarm_before: timedelta | None
) -> list[Entry]:
    """One entry per appointment, cancelled ones included (STATUS:CANCELLED)."""
    return [
        Entry(
            uid=f"sijcare-appointment-{visit.id}@{domain}",
            starts_at=visit.starts_at,
            ends_at=visit.ends_at,
            text=words.visit(visit),
            location=visit.place,
            cancelled=visit.cancelled,
            alarm_before=None if visit.cancelled else alarm_before,
        )
        for visit in visits
    ]


def action_entries(
    actions: Iterable[Action], words: Words, *, domain: str, pathway_id: int
) -> list[Entry]:
    """One entry per dated step of a pathway's screening, except those the appointment
    says (`SAID_WITH_APPOINTMENT`)."""
    return [
        Entry(
            uid=f"sijcare-pathway-{pathway_id}-{action.code}-{_digest(action.about)}@{domain}",
            starts_at=action.at,
            text=words.action(action),
            alarm_before=timedelta(0),
        )
        for action in actions
        if action.code not in SAID_WITH_APPOINTMENT
    ]


def prompt_entries(
    prompts: Iterable[DiaryPrompt], words: Words, *, domain: str, procedure_id: int
) -> list[Entry]:
    """One entry per diary prompt of a procedure."""
    return [
        Entry(
            uid=f"sijcare-procedure-{procedure_id}-diary-{_prompt_key(prompt)}@{domain}",
            starts_at=prompt.due_at,
            text=words.prompt(prompt),
            alarm_before=timedelta(0),
        )
        for prompt in prompts
    ]


def calendar_bytes(entries: Sequence[Entry], *, zone: str, stamp: datetime, name: str) -> bytes:
    """The iCalendar file of `entries` in time order; `stamp` is every entry's DTSTAMP.

    `zone` (an IANA name) is the zone the times are written in; its VTIMEZONE covers
    the years of the entries (or of `stamp` when there is none).
    """
    _require_aware(stamp, "stamp")
    tz = _zone(zone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone)
    ordered = sorted(entries, key=lambda e: (e.starts_at.astimezone(UTC), e.uid))
    years = [e.starts_at.astimezone(tz).year for e in ordered] or [stamp.astimezone(tz).year]
    # Always one VTIMEZONE: a calendar needs at least one component (RFC 5545 3.6).
    calendar.add_component(
        icalendar.Timezone.from_tzinfo(
            tz, zone, first_date=date(min(years), 1, 1), last_date=date(max(years) + 1, 1, 1)
        )
    )
    for entry in ordered:
        calendar.add_component(_event(entry, tz, stamp))
    data: bytes = calendar.to_ical()
    return data


def _event(entry: Entry, tz: ZoneInfo, stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", written(entry.starts_at, tz))
    if entry.ends_at is not None:
        event.add("dtend", written(entry.ends_at, tz))
    event.add("summary", entry.text.summary)
    if entry.text.description:
        event.add("description", entry.text.description)
    if entry.location:
        event.add("location", entry.location)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE" if entry.ends_at is not None else "TRANSPARENT")
    if entry.alarm_before is not None:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", entry.text.summary)
        alarm.add("trigger", -entry.alarm_before)
        event.add_component(alarm)
    return event


def written(at: datetime, tz: ZoneInfo) -> datetime:
    """`at` as it is written: local time in `tz`, or UTC when that local time is the
    second of two (the repeated hour when the clocks fall back)."""
    _require_aware(at, "time")
    local = at.astimezone(tz)
    first = local.replace(fold=0)
    if first.astimezone(UTC) != at.astimezone(UTC):
        return at.astimezone(UTC)
    return first


def _prompt_key(prompt: DiaryPrompt) -> str:
    if prompt.after_minutes is not None:
        return f"{prompt.after_minutes}min"
    return f"day{prompt.day}"


def _digest(text: str) -> str:
    """A short stable code of `text`: a medicine's name stays out of the UID."""
    return hashlib.sha256(text.strip().casefold().encode("utf-8")).hexdigest()[:10]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, LookupError):
        raise InputError("time_zone", f"{name!r} is not a known time zone") from None


def _require_aware(at: datetime, where: str) -> None:
    if at.utcoffset() is None:
        raise InputError(where, "needs a UTC offset")
