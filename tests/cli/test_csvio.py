"""`sijcare csv`: diary import and export, and the cohort, acting as a named account."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.clinical import make_documented
from fixtures_db import *  # noqa: F403  (the database fixtures)
from fixtures_db import Personas
from sijcare.cli.common import run_guarded
from sijcare.cli.csvio import csv_group
from sijcare.db.models import AuditEvent, DiaryEntry
from sijcare.services import cohort

# 08:00 PST on 1 March 2026: long before the real clock the commands read.
INJECTED = datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
GOOD = "recorded_at,pain,note\n2026-03-01T08:30:00-08:00,2,\n2026-03-01T09:00:00-08:00,1,ok\n"
BAD = (
    "recorded_at,pain\n"
    "2026-03-01T08:30:00-08:00,2\n"
    "2026-03-01T08:40:00-08:00,12\n"
    "2026-03-01T07:00:00-08:00,3\n"
)


@pytest.fixture
def procedure_id(
    db: Session, db_url: str, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> int:
    monkeypatch.setenv("SIJCARE_DATABASE_URL", db_url)
    monkeypatch.setenv("SIJCARE_SECRET_KEY", "cohort-test-key-" * 3)
    patient = personas.patient.patient
    assert patient is not None
    return make_documented(
        db, patient=patient, clinician=personas.clinician.user, performed_at=INJECTED
    ).id


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        run_guarded(csv_group, argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def entries(db: Session) -> int:
    with db.begin():
        return int(db.scalar(sa.select(sa.func.count()).select_from(DiaryEntry)) or 0)


def test_import_then_export(
    procedure_id: int, db: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "paper-diary.csv"
    file.write_text(GOOD, encoding="utf-8")
    as_clinician = ["--as", "Clinician@Example.org"]
    code, out, err = run(
        ["diary-import", "--procedure-id", str(procedure_id), *as_clinician, str(file)], capsys
    )
    assert (code, err) == (0, "")
    assert out == f"imported 2 scores into procedure {procedure_id} (0 were already in the diary)\n"
    assert entries(db) == 2
    code, out, _ = run(
        ["diary-export", "--procedure-id", str(procedure_id), "--as", "patient@example.org"], capsys
    )
    assert code == 0
    assert out.splitlines() == [
        "recorded_at,pain,note,activity_done",
        "2026-03-01T08:30:00-08:00,2,,",
        "2026-03-01T09:00:00-08:00,1,ok,",
    ]
    target = tmp_path / "export.csv"
    code, _, _ = run(
        [
            "diary-export",
            "--procedure-id",
            str(procedure_id),
            *as_clinician,
            "--output",
            str(target),
        ],
        capsys,
    )
    assert code == 0 and target.read_bytes().decode() == out
    with db.begin():
        actions = set(db.scalars(sa.select(AuditEvent.action)))
    assert {"diary.import", "diary.export"} <= actions


def test_a_bad_file_reports_every_bad_row_and_imports_nothing(
    procedure_id: int, db: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "diary.csv"
    file.write_text(BAD, encoding="utf-8")
    code, out, err = run(
        [
            "diary-import",
            "--procedure-id",
            str(procedure_id),
            "--as",
            "clinician@example.org",
            str(file),
        ],
        capsys,
    )
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"error: {file}:3: pain: 12 is outside 0 to 10",
        f"error: {file}:4: recorded_at 2026-03-01T07:00:00-08:00 is before the injection "
        "(2026-03-01T16:00:00+00:00)",
    ]
    assert entries(db) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["--as", "nobody@example.org", "FILE"],
            "error: --as: no active account 'nobody@example.org'",
            id="unknown-account",
        ),
        pytest.param(
            ["--as", "patient@example.org", "FILE"],
            "error: You do not have access to this page.",
            id="patient-imports",
        ),
        pytest.param(
            ["--as", "clinician@example.org", "missing.csv"],
            "error: missing.csv: no such file",
            id="missing-file",
        ),
    ],
)
def test_refusals_are_one_line_and_exit_2(
    procedure_id: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    file = tmp_path / "diary.csv"
    file.write_text(GOOD, encoding="utf-8")
    argv = [str(file) if a == "FILE" else a for a in argv]
    code, out, err = run(["diary-import", "--procedure-id", str(procedure_id), *argv], capsys)
    assert (code, out) == (2, "")
    assert err == message + "\n"


def test_an_unknown_procedure_is_not_found(
    procedure_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        [
            "diary-export",
            "--procedure-id",
            str(procedure_id + 100),
            "--as",
            "clinician@example.org",
        ],
        capsys,
    )
    assert (code, err) == (2, "error: There is no such procedure.\n")


def test_the_cohort_goes_to_a_file(
    procedure_id: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "cohort.csv"
    code, _, err = run(
        ["cohort", "--as", "admin@example.org", "--output", str(target), "--since", "2026-03-01"],
        capsys,
    )
    assert (code, err) == (0, f"wrote 1 procedures to {target}\n")
    with target.open(encoding="utf-8", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert list(row) == list(cohort.COLUMNS) and row["year"] == "2026"
    code, _, err = run(["cohort", "--as", "scheduler@example.org", "--output", str(target)], capsys)
    assert (code, err) == (2, "error: You do not have access to this page.\n")
    code, _, err = run(
        ["cohort", "--as", "admin@example.org", "--output", str(target), "--since", "March"], capsys
    )
    assert code == 2 and "--since" in err
