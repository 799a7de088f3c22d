"""`sijcare synth`: a tiny run into a SQLite file, and bad input (exit 2, the option named)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sijcare.cli.common import Context
from sijcare.cli.synth import synth


def invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("SIJCARE_DATABASE_URL", f"sqlite:///{tmp_path / 'synth.db'}")
    monkeypatch.setenv("SIJCARE_ENV", "development")
    runner = CliRunner()
    result = runner.invoke(synth, list(argv), obj=Context(clinic_config=None))
    if isinstance(result.exception, Exception) and not isinstance(result.exception, SystemExit):
        from sijcare.domain.errors import InputError

        assert isinstance(result.exception, InputError), result.exception
        return 2, result.stdout, str(result.exception)
    return result.exit_code, result.stdout, result.stderr


def test_tiny_run_prints_rows_and_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = invoke(
        tmp_path, monkeypatch, "--clinics", "1", "--patients", "5", "--seed", "4",
        "--as-of", "2026-03-02", "--workers", "1",
    )  # fmt: skip
    assert code == 0
    assert "seed 4 as of 2026-03-02T12:00:00+00:00: 1 clinic(s), 5 patient(s)" in out
    assert re.search(r"^patient +5$", out, re.MULTILINE)
    assert "admin.4-0@synth.example.org" in out


@pytest.mark.parametrize(
    ("argv", "where"),
    [
        (["--clinics", "0"], "--clinics"),
        (["--patients", "-1"], "--patients"),
        (["--batch-size", "0"], "--batch-size"),
    ],
)
def test_bad_sizes_name_the_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], where: str
) -> None:
    code, _, err = invoke(tmp_path, monkeypatch, *argv, "--workers", "1")
    assert code == 2
    assert err.startswith(where)


def test_production_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIJCARE_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("SIJCARE_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("SIJCARE_ENV", "production")
    result = CliRunner().invoke(synth, [], obj=Context(clinic_config=None))
    assert result.exit_code == 1
    assert "not written in production" in result.stderr
