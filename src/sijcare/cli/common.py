"""What every command shares: loading the knowledge once, reading files, reporting errors.

A command that fails says so in one line on standard error, never with the exception's
message: a message may hold patient data (a row the database refused, a value read from
a file), and a command run by a timer or cron has its standard error mailed or logged.
A database that cannot be reached, or is not set up for this version, is named with what
to do; any other failure is given by its type and its traceback's frames (as the web app
logs it).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa

from sijcare import knowledge
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.formats.jsonout import dumps
from sijcare.settings import Settings
from sijcare.web.logs import traceback_text

EXIT_FAILED = 1
EXIT_INPUT_ERROR = 2
# Said of a failure's message wherever a command reports one (here, `rounds`).
MESSAGE_HIDDEN = "its message is not shown: it may hold patient data"

json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


@dataclass
class Context:
    clinic_config: Path | None
    _knowledge: Knowledge | None = field(default=None, repr=False)

    @property
    def knowledge(self) -> Knowledge:
        if self._knowledge is None:
            self._knowledge = knowledge.load(self.clinic_config)
        return self._knowledge


def clinic_knowledge(settings: Settings) -> Knowledge:
    """The clinic's knowledge: the command line's --clinic-config, else the settings'."""
    context = click.get_current_context().find_object(Context)
    if context is not None and context.clinic_config is not None:
        return context.knowledge
    return knowledge.load(settings.clinic_config)


def read_text(path: Path) -> str:
    """The text of `path`, or an `InputError` naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror})") from None


def emit(result: Any, *, as_json: bool, report: str) -> None:
    """Print `result` as JSON, or the readable `report`."""
    click.echo(dumps(result) if as_json else report)


def run_guarded(command: click.Command, argv: list[str]) -> None:
    """Run `command`; an `InputError` prints one clear line and exits with status 2."""
    try:
        command.main(args=argv, prog_name="sijcare", standalone_mode=False)
    except InputError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_INPUT_ERROR) from None
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        raise SystemExit(1) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except Exception as exc:  # noqa: BLE001 (told without its message: see the docstring)
        line, frames = failure(exc)
        click.echo(f"error: {line}", err=True)
        if frames:
            click.echo(traceback_text(exc), err=True)
        raise SystemExit(EXIT_FAILED) from None


_NOT_SET_UP = (
    "the database is not set up for this version of sijcare (tables or columns missing):"
    " run `sijcare db upgrade`"
)
_UNREACHABLE = (
    "the database could not be reached ({kind}): check SIJCARE_DATABASE_URL, and that the"
    " server is running"
)
# PostgreSQL's SQLSTATEs of a server that is not there to answer: class 08 (connection
# exception), shutting down or starting up (57P01-57P03), too many connections (53300).
_SERVER_AWAY = ("08", "57P01", "57P02", "57P03", "53300")


def failure(error: Exception) -> tuple[str, bool]:
    """What to tell the person who ran a failed command, without the error's message, and
    whether its frames would help them (not for a database that is down, or a disk that
    is full: the line says it all)."""
    kind = type(error).__name__
    if isinstance(error, sa.exc.DBAPIError):
        return _database_failure(error, kind)
    if isinstance(error, OSError) and error.strerror:
        # The system's fixed words, without the file name (a file may be named after a patient).
        return f"{error.strerror} ({kind}, errno {error.errno})", False
    return (
        f"the command stopped on an unexpected {kind} ({MESSAGE_HIDDEN}); its frames follow",
        True,
    )


def _database_failure(error: sa.exc.DBAPIError, kind: str) -> tuple[str, bool]:
    # The driver's text is read to know the case, and never shown. SQLite's errors have
    # no code: they are known by their text.
    text = str(error.orig).lower()
    sqlite = isinstance(error.orig, sqlite3.Error)
    code = "" if sqlite else str(getattr(error.orig, "sqlstate", None) or "")
    if code in ("42P01", "42703") or "no such table" in text or "no such column" in text:
        return _NOT_SET_UP, False
    if "database is locked" in text:
        return "the database is busy (another process is writing to it): try again", False
    if "disk is full" in text or code == "53100":
        return "the database's disk is full: nothing more can be saved until there is room", False
    if sqlite and "readonly database" in text:
        return "the database file cannot be written: check its and its folder's permissions", False
    if sqlite and "unable to open database file" in text:
        return f"the database file cannot be opened ({kind}): check SIJCARE_DATABASE_URL", False
    if (
        not sqlite
        and isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError)
        and (not code or code.startswith(_SERVER_AWAY))  # no code: no connection was made
    ):
        return _UNREACHABLE.format(kind=kind), False
    return f"the database refused the command's work ({kind}; {MESSAGE_HIDDEN})", True


pass_context = click.make_pass_decorator(Context)
