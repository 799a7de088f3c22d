"""A command that fails says so in one line on standard error, never with the error's
message (it may hold patient data): a database that is down or has no tables is named
with what to do; anything else by its type and frames."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

import click
import pytest
import sqlalchemy as sa

from fixtures_db import *  # noqa: F403  (the database fixtures: postgres_database)
from sijcare.cli import cli
from sijcare.cli.common import EXIT_FAILED, EXIT_INPUT_ERROR, run_guarded
from sijcare.domain.errors import InputError

SECRET = "Jane Example, born 1961-04-02"
NOT_SET_UP = (
    "the database is not set up for this version of sijcare (tables or columns missing):"
    " run `sijcare db upgrade`"
)


def failing(error: BaseException) -> click.Command:
    @click.command()
    def command() -> None:
        raise error

    return command


def run(
    command: click.Command, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    with pytest.raises(SystemExit) as caught:
        run_guarded(command, argv)
    captured = capsys.readouterr()
    assert isinstance(caught.value.code, int)
    return caught.value.code, captured.err


def test_an_unexpected_error_is_told_by_its_type_and_frames_without_its_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = run(failing(ValueError(SECRET)), [], capsys)
    assert code == EXIT_FAILED
    first, *frames = err.splitlines()
    assert first == (
        "error: the command stopped on an unexpected ValueError (its message is not shown:"
        " it may hold patient data); its frames follow"
    )
    assert "Traceback (most recent call last):" in frames and "raise error" in err
    assert "Jane" not in err and "1961" not in err


def test_a_refused_write_is_told_without_the_row(capsys: pytest.CaptureFixture[str]) -> None:
    refused = sa.exc.IntegrityError(
        "INSERT INTO patient ...", None, sqlite3.IntegrityError(f"UNIQUE failed: {SECRET}")
    )
    code, err = run(failing(refused), [], capsys)
    assert code == EXIT_FAILED
    assert err.splitlines()[0] == (
        "error: the database refused the command's work (IntegrityError; its message is not"
        " shown: it may hold patient data)"
    )
    assert "Jane" not in err


def test_a_file_error_gives_the_systems_words_without_the_file_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = run(
        failing(PermissionError(13, "Permission denied", f"/home/{SECRET}.csv")), [], capsys
    )
    assert (code, err) == (EXIT_FAILED, "error: Permission denied (PermissionError, errno 13)\n")


def test_a_database_without_tables_says_to_upgrade_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SIJCARE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.delenv("SIJCARE_CLINIC_CONFIG", raising=False)
    code, err = run(cli, ["outcomes"], capsys)
    assert (code, err) == (
        EXIT_FAILED,
        f"error: {NOT_SET_UP}\n",
    )


def test_a_database_server_that_does_not_answer_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Port 9 (discard) on loopback: nothing listens there, the connection is refused.
    monkeypatch.setenv("SIJCARE_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    monkeypatch.delenv("SIJCARE_CLINIC_CONFIG", raising=False)
    code, err = run(cli, ["outcomes"], capsys)
    assert (code, err) == (
        EXIT_FAILED,
        "error: the database could not be reached (OperationalError): check"
        " SIJCARE_DATABASE_URL, and that the server is running\n",
    )


def test_bad_input_still_exits_with_its_own_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(failing(InputError("scores.csv", "line 3: pain must be 0-10")), [], capsys)
    assert code == EXIT_INPUT_ERROR and err.startswith("error: scores.csv")


def test_a_postgresql_database_without_tables_says_to_upgrade_it(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server, _name = postgres_database.rsplit("/", 1)
    empty = f"sijcare_test_empty_{secrets.token_hex(4)}"
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{empty}"'))
    try:
        monkeypatch.setenv("SIJCARE_DATABASE_URL", f"{server}/{empty}")
        monkeypatch.delenv("SIJCARE_CLINIC_CONFIG", raising=False)
        code, err = run(cli, ["outcomes"], capsys)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)'))
        admin.dispose()
    assert (code, err) == (EXIT_FAILED, f"error: {NOT_SET_UP}\n")


def test_a_sqlite_error_is_named_by_what_it_is_not_as_a_server_away(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE patient (id INTEGER PRIMARY KEY)")

    def raised(statement: str) -> Exception:
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql(statement)
        except sa.exc.DBAPIError as exc:
            return exc
        raise AssertionError(statement)

    # A database of an older version (a column missing): set it up.
    code, err = run(failing(raised("SELECT name FROM patient")), [], capsys)
    assert (code, err) == (EXIT_FAILED, f"error: {NOT_SET_UP}\n")
    # A statement SQLite cannot run is a fault with frames, not a database away.
    code, err = run(failing(raised("SELEKT 1")), [], capsys)
    assert code == EXIT_FAILED
    assert err.startswith("error: the database refused the command's work (OperationalError;")
    assert "Traceback (most recent call last):" in err
    engine.dispose()
    # A file that cannot be opened names the setting to check.
    missing = sa.create_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.db'}")
    code, err = run(failing(_open(missing)), [], capsys)
    assert (code, err) == (
        EXIT_FAILED,
        "error: the database file cannot be opened (OperationalError): check"
        " SIJCARE_DATABASE_URL\n",
    )


def _open(engine: sa.Engine) -> Exception:
    try:
        engine.connect()
    except sa.exc.DBAPIError as exc:
        return exc
    raise AssertionError("opened")
