"""The web app's commands: `db upgrade` and `demo` (without serving), in-process."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sijcare.cli import app as commands
from sijcare.db import migrate


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'var' / 'cli.db'}"
    monkeypatch.setenv("SIJCARE_DATABASE_URL", url)
    monkeypatch.setenv("SIJCARE_ENV", "development")
    return url


def test_db_upgrade_creates_the_folder_and_migrates(sqlite_env: str) -> None:
    result = CliRunner().invoke(commands.db, ["upgrade"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"database is at revision {migrate.head_revision()}"


def test_demo_without_serving_prints_the_logins_and_the_address(sqlite_env: str) -> None:
    result = CliRunner().invoke(commands.demo, ["--no-serve"])
    assert result.exit_code == 0, result.output
    assert "Demo clinic loaded." in result.output
    assert "scheduler@example.org" in result.output
    assert "Open http://127.0.0.1:8000 and sign in." in result.output
    again = CliRunner().invoke(commands.demo, ["--no-serve"])
    assert "Demo clinic already loaded." in again.output


def test_demo_is_refused_in_production(sqlite_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIJCARE_ENV", "production")
    monkeypatch.setenv("SIJCARE_SECRET_KEY", "p" * 40)
    result = CliRunner().invoke(commands.demo, ["--no-serve"])
    assert result.exit_code == 1
    assert "not loaded in production" in result.output
