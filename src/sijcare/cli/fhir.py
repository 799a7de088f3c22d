"""`sijcare fhir`: a patient's pathway as a FHIR R4 Bundle, a Bundle's pre-fill, the forms.

`export` and `import` work on the app's database (SIJCARE_DATABASE_URL, like `sijcare
serve`). They run as the system: whoever runs them holds the database's credentials, so
no user's access rules apply, and each run is in the audit log with the role `system`
and the command. `import` stores nothing: it prints what the bundle would pre-fill in
the patient's screening answers and what it did not understand. `questionnaire` prints
a published Questionnaire and needs no database.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sijcare.cli.common import Context, emit, json_option, pass_context, read_text
from sijcare.db.engine import create_engine_for, session_factory
from sijcare.domain.errors import InputError
from sijcare.interop.fhir import questionnaires
from sijcare.interop.fhir.bundle import to_json
from sijcare.interop.fhir.fhir_import import ImportNote
from sijcare.services import fhir as fhir_service
from sijcare.services.errors import Invalid, NotFound, ServiceError
from sijcare.settings import Settings
from sijcare.web.platform import utc_now

T = TypeVar("T")


@click.group()
def fhir() -> None:
    """FHIR R4: export a patient's pathway, read a bundle's pre-fill, print the forms."""


@fhir.command()
@click.option("--patient", "public_id", required=True, help="The patient's public id.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the bundle to this file instead of printing it.",
)
@click.option("--audit", is_flag=True, help="Add the audit log of the patient as AuditEvents.")
@click.option("--payer", help="The payer profile of the next step (default: the first listed).")
@pass_context
def export(
    ctx: Context, public_id: str, output: Path | None, audit: bool, payer: str | None
) -> None:
    """Export the patient's whole pathway as a FHIR R4 Bundle (application/fhir+json)."""
    caller = fhir_service.SystemCaller("sijcare fhir export")
    bundle = _run(
        lambda db: fhir_service.export_patient(
            db,
            actor=caller,
            public_id=public_id,
            knowledge=ctx.knowledge,
            now=utc_now(),
            include_audit=audit,
            payer=payer,
        ),
        patient=public_id,
        what="",
    )
    text = to_json(bundle, indent=2)
    if output is None:
        click.echo(text)
        return
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(str(output), f"cannot be written ({exc.strerror})") from None
    click.echo(f"Wrote {len(bundle.entry or [])} resources to {output}.", err=True)


@fhir.command(name="import")
@click.option("--patient", "public_id", required=True, help="The patient's public id.")
@click.option(
    "--bundle",
    "bundle_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A FHIR R4 Bundle (JSON) with Patient, MedicationStatement, AllergyIntolerance, Condition.",
)
@json_option
@pass_context
def import_(ctx: Context, public_id: str, bundle_path: Path, as_json: bool) -> None:
    """Show what a FHIR Bundle pre-fills in the patient's screening answers (stores nothing)."""
    text = read_text(bundle_path)
    caller = fhir_service.SystemCaller("sijcare fhir import")
    outcome = _run(
        lambda db: fhir_service.import_bundle(
            db, actor=caller, public_id=public_id, text=text, now=utc_now()
        ),
        patient=public_id,
        what=str(bundle_path),
    )
    emit(outcome, as_json=as_json, report=render_import(outcome))


@fhir.command()
@click.argument("name", type=click.Choice(questionnaires.NAMES))
def questionnaire(name: str) -> None:
    """Print a published Questionnaire: screening, consent, diary or symptoms."""
    click.echo(to_json(questionnaires.questionnaire(name), indent=2))


def render_import(outcome: fhir_service.ImportOutcome) -> str:
    """The readable report: the pre-fill, then what was taken, skipped, not understood."""
    lines = [
        f"Pre-fill of the screening answers of patient {outcome.patient_public_id} "
        "(nothing was stored; the patient confirms these answers):",
        json.dumps(outcome.prefill, indent=2, ensure_ascii=False),
    ]
    for title, notes in (
        ("Taken", outcome.taken),
        ("Skipped", outcome.skipped),
        ("Not understood", outcome.not_understood),
    ):
        lines += ["", f"{title}:", *(_note(n) for n in notes)] if notes else ["", f"{title}: none"]
    return "\n".join(lines)


def _note(note: ImportNote) -> str:
    into = f" -> {note.field}" if note.field else ""
    return f"  - {note.entry}{into}: {note.text}"


def _run(work: Callable[[Session], T], *, patient: str, what: str) -> T:
    """`work` in a session of the configured database; service errors become one line.

    A field error is placed in `what` (the bundle file), or names the option without one.
    """
    try:
        with _session() as db:
            return work(db)
    except NotFound:
        raise InputError("--patient", f"there is no patient {patient!r}") from None
    except Invalid as exc:
        error = exc.errors[0]
        where = f"{what}: {error.field}" if what else f"--{error.field}"
        raise InputError(where, error.message.render()) from None
    except ServiceError as exc:
        raise click.ClickException(exc.message.render()) from None
    except SQLAlchemyError as exc:
        raise InputError(
            "SIJCARE_DATABASE_URL",
            f"the database cannot be read ({type(exc).__name__}); is it up to date? "
            "Run `sijcare db upgrade`.",
        ) from None


@contextmanager
def _session() -> Iterator[Session]:
    settings = Settings.from_environ(os.environ)
    engine = create_engine_for(settings.database_url)
    try:
        with session_factory(engine)() as db:
            yield db
    finally:
        engine.dispose()
