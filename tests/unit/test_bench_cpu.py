"""`bench.cpu` reads what a load run cost from /proc."""

from __future__ import annotations

import os
import time

import pytest

from sijcare.bench import cpu

pytestmark = pytest.mark.skipif(not cpu.PROC.joinpath("stat").exists(), reason="Linux /proc")


def test_a_stat_line_gives_its_command_and_user_plus_system_ticks() -> None:
    # The command may hold spaces and parentheses; the fields count from after it.
    line = "4242 (postgres: a (b) c) S 1 4242 4242 0 -1 4194560 500 0 0 0 17 5 0 0 20 0 1 0"
    assert cpu.parse_stat(line) == ("postgres: a (b) c", 22)
    assert cpu.parse_stat("7 (postgres) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0")[1] == 7


def test_the_cpu_a_block_took_is_counted_for_the_app_processes_given() -> None:
    with cpu.measured([os.getpid()]) as used:
        assert used == {}  # filled when the block ends
        deadline = time.process_time() + 0.3
        while time.process_time() < deadline:
            pass
    assert used["app_cpu_seconds"] >= 0.2
    assert 0 < used["machine_busy_share"] <= 1
    assert used["database_cpu_seconds"] >= 0


def test_a_process_that_ended_is_not_counted_and_others_are_not_mixed_in() -> None:
    with cpu.measured([2**22 + 17]) as used:  # no such process
        deadline = time.process_time() + 0.1
        while time.process_time() < deadline:
            pass
    assert used["app_cpu_seconds"] == 0


def test_the_cost_of_a_request_is_the_seconds_over_the_requests() -> None:
    used = {"app_cpu_seconds": 23.5, "database_cpu_seconds": 11.0}
    assert cpu.per_request_ms(used, 20_000) == {
        "app_cpu_ms_per_request": 1.175,
        "database_cpu_ms_per_request": 0.55,
    }
    assert cpu.per_request_ms({"app_cpu_seconds": 1.0}, 0) == {
        "app_cpu_ms_per_request": None,
        "database_cpu_ms_per_request": None,
    }
