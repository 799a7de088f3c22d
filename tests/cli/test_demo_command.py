"""`sijcare demo --no-serve`: the demo clinic with its history, loaded once, logins printed."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from sijcare.cli import cli


def test_demo_loads_the_clinic_and_a_small_synthetic_history_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "demo.db"
    monkeypatch.setenv("SIJCARE_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("SIJCARE_ENV", "development")
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--no-serve", "--history", "12"])
    assert first.exit_code == 0, first.output
    assert "Demo clinic loaded." in first.output
    # The hand-made accounts only: 8 patients, 4 clinicians, a scheduler and an admin.
    logins = re.findall(r"^  (\w+) +\S+@example\.org", first.output, re.MULTILINE)
    assert len(logins) == 14 and logins.count("patient") == 8
    assert "synth.example.org" not in first.output
    with sqlite3.connect(database) as connection:
        patients = connection.execute("SELECT count(*) FROM patient").fetchone()[0]
        clinics = connection.execute("SELECT count(*) FROM clinic").fetchone()[0]
        done = connection.execute("SELECT count(*) FROM procedure_record").fetchone()[0]
    assert (patients, clinics) == (8 + 12, 1)
    assert done > 2  # the history has injections behind it, for the quality dashboard

    again = runner.invoke(cli, ["demo", "--no-serve", "--history", "12"])
    assert again.exit_code == 0 and "Demo clinic already loaded." in again.output
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM patient").fetchone()[0] == patients


def test_demo_history_out_of_range_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIJCARE_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--history", "-1"])
    assert result.exit_code == 2 and "--history" in result.output
    assert not (tmp_path / "demo.db").exists()
