"""The diary prompt times of synthetic injections: the core's schedule, reused per day.

`domain.diary_schedule` gives the anesthetic window's prompts at fixed elapsed minutes
after the injection, then the daily and weekly prompts at a local clock time on the
days after the injection day, those after the window's end. So the schedule of every
injection on one local day is the window's minutes after the injection, then that
day's later prompts past the window: the core's schedule is computed once per local
day, kind and anesthetic (for an injection at the day's start, whose window ends
first), and each injection's is cut from it. A run draws about 100,000 injections on a
few thousand days; tests/synth compare the result with the core's schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sijcare.domain.diary_schedule import PromptPurpose, schedule_prompts
from sijcare.domain.knowledge import Knowledge, per_knowledge
from sijcare.domain.procedure import Kind, Procedure
from sijcare.domain.relief import later_by, local_zone


@dataclass(frozen=True)
class Prompts:
    """An injection's prompt times in UTC, and the day after the last prompt (local)."""

    times: list[datetime]
    diary_ends: datetime


@dataclass(frozen=True)
class _Day:
    window_minutes: tuple[int, ...]
    window: timedelta
    later: tuple[datetime, ...]  # local, as the core gives them
    later_utc: tuple[datetime, ...]


class PromptTimes:
    """`Procedure` -> its `Prompts`, as `diary_schedule` gives them (see the module)."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.zone: ZoneInfo = local_zone(knowledge.text("clinic.time_zone"), where="time_zone")
        self._days: dict[tuple[date, Kind, str], _Day] = {}

    def of(self, procedure: Procedure) -> Prompts:
        at = procedure.performed_at
        key = (at.astimezone(self.zone).date(), procedure.kind, procedure.anesthetic.agent)
        day = self._days.get(key)
        if day is None:
            day = self._days[key] = self._day(procedure, key[0])
        window_end = later_by(at, day.window)
        utc = at.astimezone(UTC)
        times = [utc + timedelta(minutes=m) for m in day.window_minutes]
        first = next((i for i, due in enumerate(day.later_utc) if due > window_end), None)
        if first is not None:
            times += day.later_utc[first:]
            last = day.later[-1]
        elif day.window_minutes:
            last = later_by(at, timedelta(minutes=day.window_minutes[-1])).astimezone(self.zone)
        else:
            raise ValueError(f"no diary prompts after an injection at {at.isoformat()}")
        return Prompts(times, last + timedelta(days=1))

    def _day(self, procedure: Procedure, on: date) -> _Day:
        row = self.knowledge.row(
            "anesthetics", procedure.anesthetic.agent, where="anesthetic.agent"
        )
        # The day's start, as the core resolves a local time (a gap moves it forward).
        start = datetime.combine(on, time(0), tzinfo=self.zone).astimezone(UTC)
        prompts = schedule_prompts(
            injected_at=start.astimezone(self.zone),
            kind=procedure.kind,
            anesthetic_agent=str(row["id"]),
            knowledge=self.knowledge,
            time_zone=self.zone.key,
        )
        window = [p for p in prompts if p.purpose is PromptPurpose.ANESTHETIC_WINDOW]
        later = tuple(p.due_at for p in prompts if p.purpose is not PromptPurpose.ANESTHETIC_WINDOW)
        return _Day(
            window_minutes=tuple(p.after_minutes or 0 for p in window),
            window=timedelta(hours=float(row["window_hours"])),
            later=later,
            later_utc=tuple(due.astimezone(UTC) for due in later),
        )


@per_knowledge
def prompt_times(knowledge: Knowledge) -> PromptTimes:
    """The run's `PromptTimes` for `knowledge` (one per process)."""
    return PromptTimes(knowledge)
