"""The benchmark's machine description: the fixed tasks that say how fast the machine
was, so that two runs on different machines can be told apart from a change of code."""

from __future__ import annotations

from sijcare.bench import machine
from sijcare.bench.report import Run, table


def test_the_fixed_tasks_are_timed_on_every_machine_alike() -> None:
    # The same numbers everywhere (no seed, no `random`): the task is the same work.
    numbers = machine._numbers()
    assert numbers == machine._numbers()
    assert len(numbers) == machine.SPEED_ROWS
    assert numbers[:3] == [1103527590, 377401575, 662824084]
    speed = machine.speed()
    assert set(speed) == {"python", "sqlite"}
    assert all(ms > 0 for ms in speed.values())


def test_the_description_holds_the_speed() -> None:
    described = machine.describe(None)
    assert set(described["speed_ms"]) == {"python", "sqlite"}
    assert described["postgresql"] is None


def test_the_table_shows_the_speed_when_known() -> None:
    run = Run("small")
    run.add("interpret", "-", "diaries, read", 1.5, "s", 10.0)
    run.details["machine"] = {"cpu": "x", "cores": 2, "memory_gb": 1.0}
    assert "fixed tasks" not in table(run)
    run.details["machine"]["speed_ms"] = {"python": 51.2, "sqlite": 130.0}
    assert "fixed tasks (lower is faster): Python 51.2 ms, SQLite 130.0 ms" in table(run)
    run.details["machine"]["speed_ms_at_end"] = {"python": 88.0, "sqlite": 270.5}
    assert (
        "fixed tasks (lower is faster): Python 51.2 ms, SQLite 130.0 ms at the start; "
        "Python 88.0 ms, SQLite 270.5 ms at the end" in table(run)
    )


def test_the_table_keeps_three_figures_of_a_small_value() -> None:
    # A share (0.233) or a CPU cost (1.17 ms a write) would read 0.2 or 1.2 at one decimal.
    run = Run("small")
    run.add("writes", "sqlite", "app share of bare", 0.2334, "", 0.15, at_most=False)
    run.add("writes", "sqlite", "app CPU a write at 1,000/s", 1.1749, "ms")
    run.add("writes", "sqlite", "app writes/s", 1761.74, "req/s", 1000.0, at_most=False)
    lines = table(run).splitlines()
    assert "0.233" in lines[2]
    assert " 1.17 ms" in lines[3]
    assert "1,761.7 req/s" in lines[4]
