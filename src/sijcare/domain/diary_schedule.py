"""When the patient is asked for a pain score after the injection.

Source: the commonly used diagnostic-block diary (15 and 30 min, 1, 2, 4, 6 (8) h, then
daily; SIS fixed time points not confirmed), the steroid's onset period and the
therapeutic milestones. Every number is a knowledge rule (`diary.*`, `therapeutic.*`).

Decisions:
- Window prompts are `diary.window_prompt_minutes` after the injection, kept while they
  are at or before the end of the anesthetic's window (the window includes its end).
  Their times are true elapsed time, so a DST change moves the local clock time, not
  the interval.
- Daily and weekly prompts are at `diary.daily_prompt_time` local time on calendar
  days after the injection day (day 0). A local time that does not exist on a
  spring-forward day moves forward by the gap; an ambiguous one on a fall-back day is
  its first occurrence. A daily prompt that would fall inside the anesthetic window is
  left out: the window prompts cover that time.
- Diagnostic: window prompts, then daily on days 1 .. `diary.diagnostic_daily_days`.
- Therapeutic: window prompts, daily on days 1 .. `therapeutic.onset_last_day` (the
  steroid's onset period), then every `diary.therapeutic_weekly_every_days` days up to
  the 3-month milestone's target day. Each milestone's target day always has a prompt,
  marked with its milestone.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Kind, PlannedProcedure, Procedure
from sijcare.domain.relief import later_by, local_zone
from sijcare.domain.therapeutic import MILESTONES, milestone_days
from sijcare.domain.words import Words, plural_words, words

MILESTONE_WORDS = {
    "2w": words("2-week check"),
    "6w": words("6-week check"),
    "3m": words("3-month check"),
}


class PromptPurpose(StrEnum):
    ANESTHETIC_WINDOW = "anesthetic_window"
    DAILY = "daily"
    WEEKLY = "weekly"
    MILESTONE = "milestone"


@dataclass(frozen=True)
class DiaryPrompt:
    """One time to record a pain score. `due_at` is local time in the schedule's zone.

    `day` is the calendar day after the injection day (0 = the injection day);
    `after_minutes` is set for window prompts; `milestone` ("2w", "6w", "3m") for
    milestone prompts.
    """

    due_at: datetime
    purpose: PromptPurpose
    label: str
    day: int
    after_minutes: int | None = None
    milestone: str | None = None

    def __post_init__(self) -> None:
        if self.due_at.utcoffset() is None:
            raise InputError("due_at", "needs a UTC offset")

    @property
    def label_words(self) -> Words:
        """`label` as a sentence to translate (its English is `label`)."""
        if self.after_minutes is not None:
            return words("{time} after", time=self.time_after)
        if self.milestone is None:
            return words("Day {day}", day=self.day)
        return words("Day {day}: {check}", day=self.day, check=MILESTONE_WORDS[self.milestone])

    @property
    def time_after(self) -> Words:
        """How long after the injection a window prompt is, like "30 minutes" or "1.5 h"."""
        m = self.after_minutes or 0
        if m < 60:
            return plural_words("{minutes} minute", "{minutes} minutes", "minutes", minutes=m)
        return words("{hours:g} h", hours=m / 60)


def diary_schedule(
    procedure: Procedure | PlannedProcedure, knowledge: Knowledge, time_zone: str | None = None
) -> tuple[DiaryPrompt, ...]:
    """The diary prompts for a done or planned injection, in time order.

    `time_zone` defaults to the knowledge rule clinic.time_zone.
    """
    if isinstance(procedure, Procedure):
        at, agent, where = procedure.performed_at, procedure.anesthetic.agent, "anesthetic.agent"
    else:
        at, agent, where = procedure.scheduled_at, procedure.anesthetic_agent, "anesthetic_agent"
    row = knowledge.row("anesthetics", agent, where=where)
    return schedule_prompts(
        injected_at=at,
        kind=procedure.kind,
        anesthetic_agent=str(row["id"]),
        knowledge=knowledge,
        time_zone=time_zone or knowledge.text("clinic.time_zone"),
    )


def schedule_prompts(
    *,
    injected_at: datetime,
    kind: Kind,
    anesthetic_agent: str,
    knowledge: Knowledge,
    time_zone: str,
) -> tuple[DiaryPrompt, ...]:
    """The diary prompts after an injection at `injected_at` (timezone-aware), in time order."""
    if injected_at.utcoffset() is None:
        raise InputError("injected_at", "needs a UTC offset")
    tz = local_zone(time_zone, where="time_zone")
    row = knowledge.row("anesthetics", anesthetic_agent, where="anesthetic_agent")
    window = timedelta(hours=float(row["window_hours"]))
    window_prompts = _window_prompts(injected_at, window, tz, knowledge)
    window_end = later_by(injected_at, window)
    days = _days(kind, knowledge)
    clock = _prompt_time(knowledge)
    later = [
        _day_prompt(injected_at, day, purpose, milestone, clock, tz)
        for day, (purpose, milestone) in sorted(days.items())
    ]
    return window_prompts + tuple(p for p in later if p.due_at > window_end)


def _window_prompts(
    injected_at: datetime, window: timedelta, tz: ZoneInfo, knowledge: Knowledge
) -> tuple[DiaryPrompt, ...]:
    minutes = sorted({int(m) for m in knowledge.numbers("diary.window_prompt_minutes") if m > 0})
    start_day = injected_at.astimezone(tz).date()
    prompts = []
    for m in minutes:
        if timedelta(minutes=m) > window:
            break
        due = later_by(injected_at, timedelta(minutes=m)).astimezone(tz)
        day = (due.date() - start_day).days
        prompt = DiaryPrompt(due, PromptPurpose.ANESTHETIC_WINDOW, "", day, m)
        prompts.append(dataclasses.replace(prompt, label=str(prompt.label_words)))
    return tuple(prompts)


def _days(kind: Kind, knowledge: Knowledge) -> dict[int, tuple[PromptPurpose, str | None]]:
    if kind is Kind.DIAGNOSTIC:
        last = knowledge.integer("diary.diagnostic_daily_days")
        return {d: (PromptPurpose.DAILY, None) for d in range(1, last + 1)}
    daily_until = knowledge.integer("therapeutic.onset_last_day")
    every = knowledge.integer("diary.therapeutic_weekly_every_days")
    targets = {name: milestone_days(knowledge, name).target for name in MILESTONES}
    days: dict[int, tuple[PromptPurpose, str | None]] = {
        d: (PromptPurpose.DAILY, None) for d in range(1, daily_until + 1)
    }
    for d in range(daily_until + every, targets["3m"] + 1, every):
        days[d] = (PromptPurpose.WEEKLY, None)
    for name, target in targets.items():
        days[target] = (PromptPurpose.MILESTONE, name)
    return days


def _day_prompt(
    injected_at: datetime,
    day: int,
    purpose: PromptPurpose,
    milestone: str | None,
    clock: time,
    tz: ZoneInfo,
) -> DiaryPrompt:
    on = injected_at.astimezone(tz).date() + timedelta(days=day)
    prompt = DiaryPrompt(_local(on, clock, tz), purpose, "", day, None, milestone)
    return dataclasses.replace(prompt, label=str(prompt.label_words))


def _local(on: date, clock: time, tz: ZoneInfo) -> datetime:
    # A round trip through UTC moves a time in a spring-forward gap to a real one.
    return datetime.combine(on, clock, tzinfo=tz).astimezone(UTC).astimezone(tz)


def _prompt_time(knowledge: Knowledge) -> time:
    text = knowledge.text("diary.daily_prompt_time")
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", text)
    if match is None:
        raise InputError("diary.daily_prompt_time", f"{text!r} must be a time like 18:00")
    return time(int(match[1]), int(match[2]))
