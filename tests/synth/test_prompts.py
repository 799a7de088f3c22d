"""The synth's prompt times, reused per local day, are the core's schedule for every injection."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sijcare import knowledge as knowledge_loader
from sijcare.domain.diary_schedule import diary_schedule
from sijcare.domain.knowledge import Knowledge
from sijcare.synth.clinical import Plan, procedure_document
from sijcare.synth.parameters import parameters_from
from sijcare.synth.prompts import PromptTimes
from sijcare.synth.records import Physician

DOCTOR = Physician(1, 1, "Dr. Test", 1, "Board certified.")
# Days around the clinic zone's DST changes (spring forward 2026-03-08, fall back 2025-11-02).
DAYS = ("2025-10-31", "2025-11-01", "2025-11-02", "2026-03-06", "2026-03-07", "2026-03-08")


def injections(knowledge: Knowledge) -> list[tuple[Plan, datetime]]:
    """Every kind and anesthetic, every half hour of the days from 04:00 (the injection's
    document adds wall-clock minutes, wrong in the hour a DST change repeats), in a
    shuffled order: each day's reused schedule is first made for any injection of it."""
    p = parameters_from(knowledge)
    zone = ZoneInfo(knowledge.text("clinic.time_zone"))
    plans = [Plan("diagnostic", "left", a, None, False) for a in p.anesthetics]
    plans += [Plan("therapeutic", "left", a, p.steroids[0], False) for a in p.anesthetics]
    out = []
    for day in DAYS:
        start = datetime.fromisoformat(day).replace(tzinfo=zone).astimezone(UTC)
        for half_hours in range(8, 48):
            at = (start + timedelta(minutes=30 * half_hours)).astimezone(zone)
            out += [(plan, at) for plan in plans]
    random.Random(3).shuffle(out)
    return out


def check(knowledge: Knowledge) -> None:
    times = PromptTimes(knowledge)
    for plan, at in injections(knowledge):
        procedure = procedure_document(plan, at, 7, DOCTOR, knowledge)
        core = diary_schedule(procedure, knowledge)
        got = times.of(procedure)
        assert got.times == [prompt.due_at.astimezone(UTC) for prompt in core], (plan, at)
        assert got.diary_ends == core[-1].due_at + timedelta(days=1)
        assert got.diary_ends.utcoffset() == (core[-1].due_at + timedelta(days=1)).utcoffset()


def test_prompt_times_are_the_schedule_of_the_core(knowledge: Knowledge) -> None:
    check(knowledge)


@pytest.mark.parametrize("clock", ["00:30", "06:00"])
def test_a_window_that_reaches_the_next_days_prompt_drops_it_as_the_core_does(
    tmp_path: Path, clock: str
) -> None:
    # An early daily prompt: an evening injection's window covers the next day's prompt.
    config = tmp_path / "clinic.toml"
    config.write_text(f'[overrides]\n"diary.daily_prompt_time" = "{clock}"\n', encoding="utf-8")
    check(knowledge_loader.load(config))
