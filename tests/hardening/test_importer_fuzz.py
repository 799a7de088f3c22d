"""The file importers, fuzzed: every bad file gives one clear error and changes nothing.

Readers (pure): DIARY.csv, INTAKE.json, REPORT.json and FHIR Bundles. Each is fed
arbitrary text and, more usefully, the shipped examples with one mutation (a value
replaced by another JSON value, a key removed or added, a CSV cell changed, a line cut).
A reader either accepts the file or raises `InputError` with a place (`where`) and a
one-line message; any other exception is a bug.

Web imports (both engines): a bad DIARY.csv upload and a bad FHIR Bundle answer 422
with one error, and no table changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from factories.clinical import make_documented
from hardening.fuzzing import row_counts
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.formats.diary import parse_diary_text
from sijcare.formats.intake import parse_intake_text
from sijcare.formats.report import parse_report_text
from sijcare.interop.fhir.fhir_import import read_bundle
from sijcare.interop.fhir.records import PatientRecord
from web.conftest import FrozenClock, Web

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths_of(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document (dict keys and list positions)."""
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += paths_of(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out += paths_of(value, (*prefix, index))
    return out


@st.composite
def mutated_json(draw: st.DrawFn, text: str) -> str:
    """`text` (a JSON object) with one value replaced, one key removed or one key added."""
    doc = json.loads(text)
    places = [p for p in paths_of(doc) if p]
    place = draw(st.sampled_from(places))
    parent: Any = doc
    for step in place[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["replace", "remove", "add"]))
    if action == "replace" or (action == "remove" and isinstance(parent, list)):
        parent[place[-1]] = draw(json_values)
    elif action == "remove":
        del parent[place[-1]]
    elif isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
    return json.dumps(doc)


@st.composite
def mutated_csv(draw: st.DrawFn, text: str) -> str:
    """`text` (a CSV file) with one cell replaced, or cut at some character."""
    lines = text.splitlines()
    if draw(st.booleans()):
        return text[: draw(st.integers(0, len(text)))]
    row = draw(st.integers(0, len(lines) - 1))
    cells = lines[row].split(",")
    cells[draw(st.integers(0, len(cells) - 1))] = draw(st.text(max_size=30))
    lines[row] = ",".join(cells)
    return "\n".join(lines) + "\n"


def accepts_or_refuses_clearly(read: Callable[[str], Any], text: str) -> None:
    try:
        read(text)
    except InputError as error:
        assert error.where.strip(), "the error names no place"
        assert error.message.strip() and "\n" not in error.message, error.message
        assert "Traceback" not in error.message


def example(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


@FUZZ
@given(st.one_of(st.text(max_size=200), mutated_csv(example("diary-diagnostic.csv"))))
def test_diary_csv_reader_refuses_bad_files_clearly(text: str) -> None:
    accepts_or_refuses_clearly(lambda t: parse_diary_text(t, what="diary.csv"), text)


@pytest.mark.parametrize("name", ["intake-ready.json", "intake-blood-thinner-confirmed.json"])
def test_intake_reader_refuses_bad_files_clearly(name: str, knowledge: Knowledge) -> None:
    @FUZZ
    @given(st.one_of(st.text(max_size=200), mutated_json(example(name))))
    def run(text: str) -> None:
        accepts_or_refuses_clearly(
            lambda t: parse_intake_text(t, knowledge, what="intake.json"), text
        )

    run()


@pytest.mark.parametrize("name", ["report-emergency.json", "report-call-now.json"])
def test_report_reader_refuses_bad_files_clearly(name: str, knowledge: Knowledge) -> None:
    @FUZZ
    @given(st.one_of(st.text(max_size=200), mutated_json(example(name))))
    def run(text: str) -> None:
        accepts_or_refuses_clearly(
            lambda t: parse_report_text(t, knowledge, what="report.json"), text
        )

    run()


BUNDLE = json.dumps(
    {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "id": "p1",
                    "name": [{"family": "Patient", "given": ["Pat"]}],
                    "birthDate": "1970-01-01",
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "status": "active",
                    "subject": {"reference": "Patient/p1"},
                    "medicationCodeableConcept": {"text": "Apixaban 5 mg"},
                }
            },
            {
                "resource": {
                    "resourceType": "AllergyIntolerance",
                    "patient": {"reference": "Patient/p1"},
                    "code": {"text": "Iodinated contrast"},
                }
            },
        ],
    }
)


def test_fhir_bundle_reader_refuses_bad_bundles_clearly() -> None:
    from datetime import date

    patient = PatientRecord(public_id="p1", name="Pat Patient", date_of_birth=date(1970, 1, 1))

    @FUZZ
    @given(st.one_of(st.text(max_size=200), mutated_json(BUNDLE)))
    def run(text: str) -> None:
        accepts_or_refuses_clearly(lambda t: read_bundle(t, patient), text)

    run()


BAD_UPLOADS = [
    pytest.param("", id="empty"),
    pytest.param("recorded_at,pain\n2026-03-02T09:00:00-08:00,eleven\n", id="bad-score"),
    pytest.param("when,score\n", id="unknown-columns"),
    pytest.param("recorded_at,pain\n2026-03-02T09:00:00,3\n", id="no-offset"),
    pytest.param("\x00\x01binary", id="binary"),
]


@pytest.mark.parametrize("text", BAD_UPLOADS)
def test_bad_diary_upload_is_refused_and_changes_nothing(
    text: str, web: Web, db: Session, clock: FrozenClock
) -> None:
    assert web.personas.patient.patient is not None
    record = make_documented(
        db, patient=web.personas.patient.patient, clinician=web.personas.clinician.user
    )
    clock.advance(hours=3)
    clinician = web.as_("clinician")
    before = row_counts(db)
    response = clinician.api(
        "POST",
        f"/api/v1/procedures/{record.id}/diary.csv",
        content=text.encode("utf-8"),
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 422, response.text
    assert len(response.json()["errors"]) == 1
    assert row_counts(db) == before


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("not json", id="not-json"),
        pytest.param('{"resourceType": "Patient"}', id="not-a-bundle"),
        pytest.param(BUNDLE.replace("1970-01-01", "1999-12-31"), id="another-patient"),
        pytest.param(
            '{"resourceType": "Bundle", "type": "collection", "entry": 5}', id="bad-entries"
        ),
    ],
)
def test_bad_fhir_bundle_is_refused_and_changes_nothing(text: str, web: Web, db: Session) -> None:
    assert web.personas.patient.patient is not None
    public_id = web.personas.patient.patient.public_id
    patient = web.as_("patient")
    before = row_counts(db)
    response = patient.api(
        "POST",
        f"/api/v1/patients/{public_id}/fhir/import",
        content=text.encode("utf-8"),
        headers={"Content-Type": "application/fhir+json"},
    )
    assert response.status_code == 422, response.text
    assert len(response.json()["errors"]) == 1
    assert row_counts(db) == before
