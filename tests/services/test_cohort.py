"""The cohort export for the quality team: de-identified, one row per procedure."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.clinical import make_diary_entry, make_documented, make_symptom_report
from factories.workspace import POSITIVE_BLOCK, Story
from fixtures_db import Personas
from sijcare.db.enums import Kind, Side
from sijcare.db.models import AuditEvent, Pathway, ProcedureRecord
from sijcare.domain.knowledge import Knowledge
from sijcare.services import cohort
from sijcare.services.errors import Forbidden

KEY = b"quality-team-test-key"
NOW = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
DIAGNOSTIC_AT = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
THERAPEUTIC_AT = datetime(2026, 4, 6, 16, 0, tzinfo=UTC)


def documented(db: Session, personas: Personas) -> tuple[ProcedureRecord, ProcedureRecord]:
    patient = personas.patient.patient
    assert patient is not None
    block = make_documented(
        db, patient=patient, clinician=personas.clinician.user, performed_at=DIAGNOSTIC_AT
    )
    for after, pain in POSITIVE_BLOCK:
        make_diary_entry(
            db,
            procedure=block,
            created_by=personas.patient.user,
            recorded_at=DIAGNOSTIC_AT + after,
            pain=pain,
            note="Pat's private note",
        )
    shot = make_documented(
        db,
        patient=patient,
        clinician=personas.clinician.user,
        kind=Kind.THERAPEUTIC,
        side=Side.RIGHT,
        performed_at=THERAPEUTIC_AT,
    )
    with db.begin():
        pathway = db.get(Pathway, shot.pathway_id)
        assert pathway is not None
        make_symptom_report(
            db,
            pathway=pathway,
            reported_by=personas.patient.user,
            procedure_id=shot.id,
            disposition="call_now",
        )
        make_symptom_report(
            db, pathway=pathway, reported_by=personas.patient.user, procedure_id=shot.id
        )
    return block, shot


def export(db: Session, story: Story, who: str = "admin", **window: date) -> cohort.CohortExport:
    return cohort.export_cohort(
        db,
        actor=story.actor(who),
        knowledge=story.knowledge,
        pseudonym_key=KEY,
        now=NOW,
        **window,
    )


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_de_identified_row_per_procedure(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story = Story(db, personas, knowledge)
    block, shot = documented(db, personas)
    result = export(db, story)
    assert result.rows == 2 and result.filename == "sijcare-cohort-20260601T160000Z.csv"
    assert result.text.splitlines()[0] == ",".join(cohort.COLUMNS)
    first, second = rows(result.text)
    patient = personas.patient.patient
    assert patient is not None
    assert first["procedure_ref"] == cohort.pseudonym(KEY, "procedure", block.id)
    assert (
        first["patient_ref"]
        == second["patient_ref"]
        == cohort.pseudonym(KEY, "patient", patient.id)
    )
    assert first | {"procedure_ref": "", "patient_ref": ""} == {
        "procedure_ref": "",
        "patient_ref": "",
        "year": "2026",
        "age_band": cohort.age_band(patient.date_of_birth, date(2026, 3, 2)),
        "kind": "diagnostic",
        "side": "left",
        "anesthetic": "lidocaine",
        "steroid": "",
        "guidance": "fluoroscopy",
        "contrast_used": "yes",
        "sedation": "none",
        "baseline_pain": "7",
        "diary_entries": "4",
        "classification": "positive",
        "peak_relief_percent": "85.7",
        "relief_2w_percent": "",
        "relief_6w_percent": "",
        "relief_3m_percent": "",
        "flare": "",
        "onset_day": "",
        "signed_off": "no",
        "symptom_reports": "0",
        "urgent_reports": "0",
        "knowledge_version": knowledge.version,
    }
    assert (second["kind"], second["steroid"], second["classification"]) == (
        "therapeutic",
        "triamcinolone",
        "not_yet_assessable",
    )
    assert (second["symptom_reports"], second["urgent_reports"]) == ("2", "1")
    for secret in ("Pat Patient", patient.public_id, "private note", "2026-03-02", "Dr. Casey"):
        assert secret not in result.text


def test_references_depend_on_the_key() -> None:
    assert cohort.pseudonym(KEY, "patient", 1) == cohort.pseudonym(KEY, "patient", 1)
    assert cohort.pseudonym(KEY, "patient", 1) != cohort.pseudonym(b"other", "patient", 1)
    assert cohort.pseudonym(KEY, "patient", 1) != cohort.pseudonym(KEY, "procedure", 1)
    assert len(cohort.pseudonym(KEY, "patient", 1)) == 16


@pytest.mark.parametrize(
    ("born", "on", "band"),
    [
        pytest.param(date(1960, 3, 2), date(2026, 3, 2), "60-69", id="birthday"),
        pytest.param(date(1966, 3, 3), date(2026, 3, 2), "50-59", id="day-before-60"),
        pytest.param(date(1936, 3, 2), date(2026, 3, 2), "90+", id="ninety"),
        pytest.param(date(1937, 3, 3), date(2026, 3, 2), "80-89", id="eighty-nine"),
    ],
)
def test_age_bands(born: date, on: date, band: str) -> None:
    assert cohort.age_band(born, on) == band


def test_the_days_filter_includes_both_ends(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story = Story(db, personas, knowledge)
    documented(db, personas)
    assert export(db, story, since=date(2026, 3, 2), until=date(2026, 3, 2)).rows == 1
    assert export(db, story, since=date(2026, 3, 3)).rows == 1
    assert export(db, story, until=date(2026, 4, 6)).rows == 2
    assert export(db, story, until=date(2026, 3, 1)).rows == 0


def test_who_may_export_and_what_the_audit_log_keeps(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story = Story(db, personas, knowledge)
    documented(db, personas)
    assert export(db, story, "clinician").rows == 2
    assert export(db, story, "outsider").rows == 0  # another clinic's procedures only
    for who in ("scheduler", "patient"):
        with pytest.raises(Forbidden):
            export(db, story, who)
    with db.begin():
        events = db.execute(
            sa.select(AuditEvent.action, AuditEvent.patient_id, AuditEvent.detail)
            .where(AuditEvent.action.startswith("cohort."))
            .order_by(AuditEvent.id)
        ).all()
    patient = personas.patient.patient
    assert patient is not None
    assert [(a, p) for a, p, _ in events] == [
        ("cohort.export", None),
        ("cohort.include", patient.id),
        ("cohort.export", None),
    ]
    assert events[0][2] == {"rows": 2, "since": None, "until": None}


def test_no_procedure_gives_only_the_header(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    result = export(db, Story(db, personas, knowledge))
    assert result.rows == 0
    assert result.text == ",".join(cohort.COLUMNS) + "\r\n"
