"""`sijcare fhir export | import | questionnaire`, in-process, on a migrated database.

The group runs under a root like `sijcare`'s (`run_guarded`, a `Context` for the
knowledge), so a bad input prints one line and exits 2, as it does from the shell.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.workspace import PROCEDURE_AT, Story
from fixtures_db import *  # noqa: F403  (the database fixtures, found by name)
from fixtures_db import Personas
from interop.fhir_checks import checked, of_type, types
from sijcare.cli import fhir as fhir_cli
from sijcare.cli.common import Context, run_guarded
from sijcare.db.models import AuditEvent, ProcedureRecord
from sijcare.domain.knowledge import Knowledge
from sijcare.interop.fhir import questionnaires


@click.group()
@click.pass_context
def root(ctx: click.Context) -> None:
    ctx.obj = Context(clinic_config=None)


root.add_command(fhir_cli.fhir)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        run_guarded(root, ["fhir", *argv])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def patient_id(
    db: Session,
    db_url: str,
    personas: Personas,
    knowledge: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """The public id of a patient whose injection is documented, in the configured database."""
    monkeypatch.setenv("SIJCARE_DATABASE_URL", db_url)
    monkeypatch.setenv("SIJCARE_ENV", "development")
    story = Story(db, personas, knowledge)
    pathway = story.ready(story.pathway())
    story.document(pathway)
    assert personas.patient.patient is not None
    return personas.patient.patient.public_id


def _bundle(tmp_path: Path, personas: Personas, **patient: Any) -> Path:
    person = personas.patient.patient
    assert person is not None
    doc = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "id": "p1",
                    "birthDate": person.date_of_birth.isoformat(),
                    **patient,
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "status": "active",
                    "medicationCodeableConcept": {"text": "Clopidogrel 75 mg"},
                    "subject": {"reference": "Patient/p1"},
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"text": "BP"},
                }
            },
        ],
    }
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_export_prints_a_valid_bundle_and_is_audited_as_the_system(
    patient_id: str, db: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["export", "--patient", patient_id], capsys)
    assert (code, err) == (0, "")
    doc = checked(out)
    assert {"Patient", "Procedure", "Consent", "ServiceRequest"} <= set(types(doc))
    assert "AuditEvent" not in types(doc)
    with db.begin():
        event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "fhir.export")).one()
    assert (event.actor_role, event.actor_user_id) == ("system", None)


def test_export_with_audit_writes_the_file(
    patient_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "bundle.json"
    code, out, err = run(
        ["export", "--patient", patient_id, "--audit", "--output", str(output)], capsys
    )
    assert (code, out) == (0, "")
    doc = checked(output.read_text(encoding="utf-8"))
    assert of_type(doc, "AuditEvent")
    assert err.strip() == f"Wrote {len(doc['entry'])} resources to {output}."


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--patient", "pnobody"], "error: --patient: there is no patient 'pnobody'"),
        (["--payer", "nobody"], "error: --payer: Choose a payer from the list."),
    ],
    ids=["unknown-patient", "unknown-payer"],
)
def test_export_bad_input_exits_2_naming_the_option(
    patient_id: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if "--patient" not in argv:
        argv = ["--patient", patient_id, *argv]
    code, out, err = run(["export", *argv], capsys)
    assert (code, out, err.strip()) == (2, "", message)


def test_export_to_an_unwritable_file_exits_2(
    patient_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "bundle.json"
    code, _out, err = run(["export", "--patient", patient_id, "--output", str(target)], capsys)
    assert code == 2
    assert err.startswith(f"error: {target}: cannot be written")


def test_import_reports_what_it_took_and_what_it_did_not_understand(
    patient_id: str, personas: Personas, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _bundle(tmp_path, personas)
    code, out, err = run(["import", "--patient", patient_id, "--bundle", str(path)], capsys)
    assert (code, err) == (0, "")
    assert "nothing was stored" in out
    assert "  - entry[1] MedicationStatement -> medicines[0]: Medicine Clopidogrel 75 mg." in out
    assert "Not understood:\n  - entry[2] Observation: Observation is not read" in out
    assert "Skipped: none" in out


def test_import_as_json(
    patient_id: str, personas: Personas, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _bundle(tmp_path, personas)
    code, out, _err = run(
        ["import", "--patient", patient_id, "--bundle", str(path), "--json"], capsys
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["prefill"] == {
        "medicines": [{"name": "Clopidogrel 75 mg", "dose": None, "frequency": None}]
    }
    assert [n["field"] for n in doc["taken"]] == ["", "medicines[0]"]


def test_import_of_a_bundle_about_someone_else_exits_2_naming_the_field(
    patient_id: str, personas: Personas, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _bundle(tmp_path, personas, birthDate="1901-02-03")
    code, out, err = run(["import", "--patient", patient_id, "--bundle", str(path)], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(
        f"error: {path}: entry[0].resource.birthDate: This bundle cannot be imported"
    )


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("{not json", "bundle:1"),
        ('{"resourceType": "Patient"}', "bundle"),
        ('{"resourceType": "Bundle", "type": "collection", "entry": []}', "bundle"),
    ],
    ids=["not-json", "not-a-bundle", "no-patient"],
)
def test_import_of_a_bad_file_exits_2(
    patient_id: str, tmp_path: Path, content: str, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    code, _out, err = run(["import", "--patient", patient_id, "--bundle", str(path)], capsys)
    assert code == 2
    assert err.startswith(f"error: {path}: {where}: ")


def test_import_of_a_missing_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nothing.json"
    code, _out, err = run(["import", "--patient", "p1", "--bundle", str(path)], capsys)
    assert (code, err.strip()) == (2, f"error: {path}: no such file")


def test_a_database_that_is_not_set_up_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SIJCARE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("SIJCARE_ENV", "development")
    code, _out, err = run(["export", "--patient", "p1"], capsys)
    assert code == 2
    assert err.startswith("error: SIJCARE_DATABASE_URL: the database cannot be read")
    assert "sijcare db upgrade" in err


def test_questionnaire_prints_the_definition(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(["questionnaire", "diary"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert (doc["url"], doc["version"]) == (questionnaires.url("diary"), questionnaires.VERSION)


def test_unknown_questionnaire_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(["questionnaire", "intake"], capsys)
    assert code == 2
    assert "'intake' is not one of" in err


def test_each_export_reads_the_records_as_they_are_then(
    patient_id: str,
    db: Session,
    personas: Personas,
    knowledge: Knowledge,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _code, first, _err = run(["export", "--patient", patient_id], capsys)
    story = Story(db, personas, knowledge)
    with db.begin():
        procedure_id = db.scalars(sa.select(ProcedureRecord.id)).one()
    story.scores(procedure_id, PROCEDURE_AT, [(timedelta(hours=1), 2)])
    _code, second, _err = run(["export", "--patient", patient_id], capsys)
    count = len(of_type(checked(second), "Observation")) - len(
        of_type(checked(first), "Observation")
    )
    # The score: the diary's reading was stored (empty) when the injection was documented,
    # and the export holds the current one only.
    assert count == 1
