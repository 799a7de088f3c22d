"""`sijcare backup FILE` and `sijcare restore FILE`: a consistent copy of the database, and back.

- SQLite: the sqlite3 online backup API copies the database page by page while the app
  keeps running; the copy is a plain SQLite file. Restoring copies it back the same way.
- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot, while the app runs) and
  `pg_restore`, from the machine's PostgreSQL client tools. The password, if the URL has
  one, is handed over in PGPASSWORD, never on the command line.

Restoring refuses a database that already has tables: restore into a new, empty
database (or file), check it, then point SIJCARE_DATABASE_URL at it. Point-in-time
recovery of PostgreSQL (WAL archiving) is the server's, not this command's: see
docs/deployment.md.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from sijcare.db.engine import create_engine_for
from sijcare.domain.errors import InputError
from sijcare.settings import Settings


def backup(url: str, file: Path) -> None:
    """Write a consistent copy of the database at `url` to `file`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        source = _sqlite_path(parsed)
        if not source.exists():
            raise InputError("SIJCARE_DATABASE_URL", f"no database file at {source}")
        _sqlite_copy(source, file)
        return
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={file}", _libpq(parsed)], parsed)


def restore(file: Path, url: str) -> None:
    """Load the copy `file` into the empty database at `url`."""
    if not file.is_file():
        raise InputError(str(file), "no such backup file")
    parsed = make_url(url)
    _refuse_non_empty(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_copy(file, _sqlite_path(parsed))
        return
    _run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(parsed)}", str(file)],
        parsed,
    )


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise InputError("SIJCARE_DATABASE_URL", "an in-memory SQLite database has no file")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    # The copy is a whole database in one file (the WAL folded in by the backup).


def _refuse_non_empty(url: str) -> None:
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            tables = sa.inspect(connection).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise InputError("SIJCARE_DATABASE_URL", "the database to restore into is not empty")


def _libpq(url: URL) -> str:
    """The URL for the PostgreSQL client tools, without the driver name and password."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(argv: list[str], url: URL) -> None:
    if shutil.which(argv[0]) is None:
        raise InputError(argv[0], "is not installed (Debian: apt-get install postgresql-client)")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["failed"])[-1]
        raise InputError(argv[0], message)


def _database_url() -> str:
    return Settings.from_environ(os.environ).database_url


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Copy the database (SIJCARE_DATABASE_URL) to FILE, consistently, while the app runs."""
    backup(_database_url(), file)
    click.echo(f"backup written to {file}")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Load the backup FILE into the empty database SIJCARE_DATABASE_URL names."""
    restore(file, _database_url())
    click.echo(f"restored {file}")
