"""`sijcare csv`: a procedure's pain diary as DIARY.csv, and the quality team's cohort.

Each command acts for the account `--as` names (its e-mail), with that account's access
rights, and is audited under it like the same action on the web:
- `diary-import --procedure-id N FILE`: a clinician adds a diary kept elsewhere; all or
  nothing, every bad row reported with its line (exit status 2);
- `diary-export --procedure-id N [--output FILE]`: the diary, to a file or the screen;
- `cohort --output FILE [--since DAY] [--until DAY]`: the de-identified cohort CSV.
The database is the one SIJCARE_DATABASE_URL names.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.cli.common import EXIT_INPUT_ERROR, clinic_knowledge, read_text
from sijcare.db.engine import create_engine_for, session_factory
from sijcare.db.models import User
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.services import cohort, diary_csv
from sijcare.services.actor import Actor, Origin, load_actor
from sijcare.services.auth import normalize_email
from sijcare.services.errors import Invalid, ServiceError
from sijcare.settings import Settings
from sijcare.web.platform import utc_now

_ORIGIN = Origin(user_agent="sijcare csv")
as_option = click.option(
    "--as",
    "as_email",
    required=True,
    metavar="EMAIL",
    help="The account acting (its e-mail address): its access rights apply and the audit "
    "log records it.",
)
procedure_option = click.option(
    "--procedure-id", type=int, required=True, help="The documented procedure's number."
)


@dataclass(frozen=True)
class Run:
    db: Session
    actor: Actor
    settings: Settings
    knowledge: Knowledge


@click.group("csv")
def csv_group() -> None:
    """CSV files: a procedure's pain diary, and the quality team's cohort export."""


@csv_group.command("diary-import")
@procedure_option
@as_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def diary_import(procedure_id: int, as_email: str, file: Path) -> None:
    """Add the rows of DIARY.csv FILE to a procedure's diary (a clinician)."""
    text = read_text(file)
    with _run(as_email) as run:
        result = diary_csv.import_diary(
            run.db,
            actor=run.actor,
            procedure_id=procedure_id,
            text=text,
            what=str(file),
            knowledge=run.knowledge,
            now=utc_now(),
        )
    click.echo(
        f"imported {result.added} scores into procedure {result.procedure_id} "
        f"({result.unchanged} were already in the diary)"
    )


@csv_group.command("diary-export")
@procedure_option
@as_option
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout."
)
def diary_export(procedure_id: int, as_email: str, output: Path | None) -> None:
    """Write a procedure's diary as DIARY.csv (the patient or a clinician)."""
    with _run(as_email) as run:
        export = diary_csv.export_diary(
            run.db,
            actor=run.actor,
            procedure_id=procedure_id,
            knowledge=run.knowledge,
            now=utc_now(),
        )
    _write(export.text, output)


@csv_group.command("cohort")
@as_option
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First procedure day.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last procedure day (included).")
def cohort_export(
    as_email: str, output: Path, since: datetime | None, until: datetime | None
) -> None:
    """Write the clinic's de-identified cohort CSV (a clinic admin or a clinician)."""
    with _run(as_email) as run:
        export = cohort.export_cohort(
            run.db,
            actor=run.actor,
            knowledge=run.knowledge,
            pseudonym_key=run.settings.secret_key.reveal().encode(),
            now=utc_now(),
            since=_day(since),
            until=_day(until),
        )
    _write(export.text, output)
    click.echo(f"wrote {export.rows} procedures to {output}", err=True)


@contextmanager
def _run(as_email: str) -> Iterator[Run]:
    """A session, the acting account and the knowledge; service errors as exit status 2."""
    settings = Settings.from_environ(os.environ)
    engine = create_engine_for(settings.database_url)
    try:
        with session_factory(engine)() as db:
            actor = _actor(db, as_email)
            with _reported():
                yield Run(db, actor, settings, clinic_knowledge(settings))
    finally:
        engine.dispose()


def _actor(db: Session, email: str) -> Actor:
    with db.begin():
        user_id = db.scalar(sa.select(User.id).where(User.email == normalize_email(email)))
        actor = None if user_id is None else load_actor(db, user_id, _ORIGIN)
    if actor is None:
        raise InputError("--as", f"no active account {email!r}")
    return actor


class Refused(click.ClickException):
    """A refusal: one `error:` line per problem, exit status 2 (no traceback)."""

    exit_code = EXIT_INPUT_ERROR

    def __init__(self, lines: list[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines

    def show(self, file: Any = None) -> None:
        for line in self.lines:
            click.echo(f"error: {line}", err=True)


@contextmanager
def _reported() -> Iterator[None]:
    """Service errors as `Refused`: a bad import lists every bad row."""
    try:
        yield
    except Invalid as exc:
        lines = []
        for error in exc.errors:
            text = error.message.render()
            lines.append(text if text.startswith(error.field) else f"{error.field}: {text}")
        raise Refused(lines) from None
    except ServiceError as exc:
        raise Refused([exc.message.render()]) from None


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(str(output), f"cannot be written ({exc.strerror})") from None


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()
