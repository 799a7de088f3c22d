"""Outcome figures computed in the database, on SQLite and PostgreSQL, from a small story.

Two patients of one clinic: a comparative pair (lidocaine then bupivacaine, both
positive, the long-acting relief clearly longer), a negative and an unreadable block,
and two therapeutic injections (one responder at 2 and 6 weeks, one flare with a red
flag). Every figure below follows from these rows.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import make_pathway
from factories.clinical import make_procedure_record, make_symptom_report, procedure_document
from fixtures_db import Personas
from sijcare.db.enums import Kind, PathwayStatus, Side
from sijcare.db.models import Interpretation, Pathway, Patient, ProcedureRecord
from sijcare.domain.knowledge import Knowledge
from sijcare.services import outcome_queries, outcomes
from sijcare.services.actor import Origin, load_actor
from sijcare.services.errors import Forbidden

DAY0 = datetime(2025, 6, 2, 17, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
SCORES = 4


def block(
    classification: str, agent: str, action: str, hours: tuple[float, float | None] | None
) -> dict[str, Any]:
    span = (
        None
        if hours is None
        else {"since_injection": {"at_least": hours[0], "less_than": hours[1]}}
    )
    return {
        "classification": classification,
        "anesthetic": agent,
        "anesthetic_action": action,
        "peak_relief_percent": 80.0,
        "relief_duration": span,
        "baseline_pain": 6,
    }


def injection(
    responders: tuple[bool | None, ...], weeks: float | None, flare: bool
) -> dict[str, Any]:
    return {
        "anesthetic": "lidocaine",
        "steroid": "triamcinolone",
        "baseline_pain": 7,
        "milestones": dict(zip(outcomes.MILESTONES, (60.0, 55.0, 20.0), strict=True)),
        "responders": dict(zip(outcomes.MILESTONES, responders, strict=True)),
        "sustained_relief_weeks": None if weeks is None else {"at_least": weeks, "less_than": None},
        "flare_detected": flare,
        "onset_day": 3,
        "anesthetic_peak_relief_percent": 90.0,
    }


# (patient, side, kind, days after DAY0, days from referral, result)
STORY = [
    ("patient", Side.LEFT, Kind.DIAGNOSTIC, 0, 10, block("positive", "lidocaine", "short", (2.0, 3.0))),
    ("patient", Side.LEFT, Kind.DIAGNOSTIC, 10, 20, block("positive", "bupivacaine", "long", (6.0, 7.0))),
    ("other_patient", Side.RIGHT, Kind.DIAGNOSTIC, 0, 30, block("negative", "lidocaine", "short", None)),
    ("other_patient", Side.LEFT, Kind.DIAGNOSTIC, 3, 40, block("insufficient_data", "lidocaine", "short", None)),
    ("patient", Side.RIGHT, Kind.THERAPEUTIC, 30, 50, injection((True, True, False), 8.0, False)),
    ("other_patient", Side.RIGHT, Kind.THERAPEUTIC, 40, 60, injection((False, None, None), None, True)),
]  # fmt: skip


def tell(db: Session, personas: Personas) -> None:
    with db.begin():
        for who, side, kind, day, waited, result in STORY:
            patient = personas[who].patient
            assert patient is not None
            performed = DAY0 + timedelta(days=day)
            pathway = make_pathway(
                db, patient=patient, opened_by=personas.clinician.user, side=side, kind=kind,
                opened_at=performed - timedelta(days=waited), status=PathwayStatus.CLOSED,
                closed_at=performed + timedelta(days=200), closed_by=personas.clinician.user.id,
            )  # fmt: skip
            data = procedure_document(performed_at=performed, kind=kind, side=side)
            record = make_procedure_record(
                db, pathway=pathway, documented_by=personas.clinician.user, data=data
            )
            full = {
                **result,
                "performed_at": performed.isoformat(),
                "provenance": {"inputs": {"side": side.value, "scores": SCORES}},
            }
            db.add(
                Interpretation(
                    procedure_id=record.id,
                    kind=kind.value,
                    result=full,
                    classification=result.get("classification", "2w:responder"),
                    knowledge_version="test",
                    computed_at=performed,
                )  # fmt: skip
            )
            if result.get("flare_detected"):
                make_symptom_report(
                    db, pathway=pathway, reported_by=personas[who].user,
                    procedure_id=record.id, disposition="call_now",
                )  # fmt: skip


def figures(
    db: Session, knowledge: Knowledge, by: str | None = None, **where: Any
) -> outcomes.Outcomes:
    with db.begin():
        return outcomes.compute(
            db, by=by, where=outcomes.OutcomeFilter(**where), knowledge=knowledge, now=NOW
        )


def test_figures_of_the_whole_clinic(db: Session, personas: Personas, knowledge: Knowledge) -> None:
    tell(db, personas)
    total = figures(db, knowledge).total
    assert (total.procedures, total.blocks, total.injections) == (6, 4, 2)
    assert (total.positive, total.negative, total.indeterminate, total.unreadable) == (2, 1, 0, 1)
    assert total.positive_rate == outcomes.Rate(2, 3)
    assert (total.pairs, total.confirmed, total.concordant, total.discordant) == (1, 1, 1, 0)
    assert total.responders == {
        "2w": outcomes.Rate(1, 2), "6w": outcomes.Rate(1, 1), "3m": outcomes.Rate(0, 1)
    }  # fmt: skip
    assert total.flares == outcomes.Rate(1, 2)
    assert (total.red_flags, total.emergencies) == (1, 0)
    assert total.median_relief_weeks == 4.0  # 8 weeks and 0 (never reached)
    assert total.median_referral_days == 35.0
    lengths = outcome_queries.diary_lengths(knowledge)
    expected = [lengths[(k.value, r.get("anesthetic", ""))][0] for _, _, k, _, _, r in STORY]
    assert total.adherence == outcomes.Rate(sum(min(SCORES, e) for e in expected), sum(expected))


@pytest.mark.parametrize(
    ("by", "key", "procedures", "positive"),
    [
        pytest.param("side", "left", 3, outcomes.Rate(2, 2), id="left"),
        pytest.param("side", "right", 3, outcomes.Rate(0, 1), id="right"),
        pytest.param("anesthetic", "bupivacaine", 1, outcomes.Rate(1, 1), id="bupivacaine"),
        pytest.param("steroid", "triamcinolone", 2, outcomes.Rate(0, 0), id="steroid"),
        pytest.param("month", "2025-06", 4, outcomes.Rate(2, 3), id="june"),
        pytest.param("physician", "Dr. Casey Clinician", 6, outcomes.Rate(2, 3), id="physician"),
    ],
)
def test_figures_by_group(
    db: Session, personas: Personas, knowledge: Knowledge, by: str, key: str, procedures: int,
    positive: outcomes.Rate,
) -> None:  # fmt: skip
    tell(db, personas)
    groups = {g.key: g for g in figures(db, knowledge, by).groups}
    assert groups[key].procedures == procedures
    assert groups[key].positive_rate == positive


def test_medians_by_group(db: Session, personas: Personas, knowledge: Knowledge) -> None:
    tell(db, personas)
    groups = {g.key: g for g in figures(db, knowledge, "side").groups}
    # Left: referred 10, 20 and 40 days before (odd: the middle one); right: 30, 50, 60.
    assert (groups["left"].median_referral_days, groups["right"].median_referral_days) == (
        20.0,
        50.0,
    )
    # Both injections are right: 8 weeks and 0 (even: the mean of the two middle ones).
    assert (groups["left"].median_relief_weeks, groups["right"].median_relief_weeks) == (None, 4.0)


def test_an_unreadable_diary_counts_without_a_referral_time(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    tell(db, personas)
    with db.begin():
        # The first block's diary (referred 10 days before) is now unreadable.
        first = db.scalars(sa.select(Interpretation.procedure_id).order_by(Interpretation.id))
        db.add(
            Interpretation(
                procedure_id=first.first(),
                kind="diagnostic",
                result={"error": {"message": "no"}},
                classification="not_assessable",
                knowledge_version="test",
                computed_at=NOW,
            )  # fmt: skip
        )
    total = figures(db, knowledge).total
    assert (total.procedures, total.unreadable) == (6, 2)
    # 20, 30, 40, 50 and 60 days: the unreadable one, without an injection time, is left
    # out (not ranked as a NULL, which SQLite sorts first and PostgreSQL last).
    assert total.median_referral_days == 40.0


def test_a_red_flag_counts_once_per_injection(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    tell(db, personas)
    with db.begin():
        readings = db.scalars(sa.select(Interpretation).order_by(Interpretation.id)).all()
        first, second = readings[0], readings[1]
        for reading, disposition in (
            (first, "expected"),
            (first, "emergency"),
            (second, "expected"),
        ):
            record = db.get(ProcedureRecord, reading.procedure_id)
            pathway = record and db.get(Pathway, record.pathway_id)
            assert record is not None and pathway is not None
            make_symptom_report(
                db, pathway=pathway, reported_by=personas.patient.user,
                procedure_id=record.id, disposition=disposition,
            )  # fmt: skip
    total = figures(db, knowledge).total
    assert (total.red_flags, total.emergencies) == (2, 1)


def test_filters_narrow_the_injections(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    tell(db, personas)
    assert figures(db, knowledge, side="left").total.procedures == 3
    since = (DAY0 + timedelta(days=5)).date()
    assert figures(db, knowledge, since=since).total.procedures == 3
    assert figures(db, knowledge, clinic_id=personas.other_clinic.id).total.procedures == 0


@pytest.mark.parametrize(
    ("typed", "procedures"),
    [
        pytest.param("Dr. Casey Clinician", 6, id="whole name"),
        pytest.param("casey", 6, id="part, other case"),
        pytest.param("  CLINICIAN", 6, id="part, capitals"),
        pytest.param("Rivera", 0, id="another name"),
        pytest.param("%", 0, id="percent is a plain character"),
        pytest.param("_", 0, id="underscore is a plain character"),
    ],
)
def test_the_physician_filter_finds_part_of_the_name(
    db: Session, personas: Personas, knowledge: Knowledge, typed: str, procedures: int
) -> None:
    tell(db, personas)
    assert figures(db, knowledge, physician=typed.strip()).total.procedures == procedures


def test_by_clinic_names_the_clinic(db: Session, personas: Personas, knowledge: Knowledge) -> None:
    tell(db, personas)
    (group,) = figures(db, knowledge, "clinic").groups
    assert group.label == personas.clinic.name


def test_csv_has_a_row_per_group_and_the_total(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    tell(db, personas)
    lines = outcomes.to_csv(figures(db, knowledge, "side")).splitlines()
    assert lines[0].split(",") == list(outcomes.CSV_COLUMNS)
    assert [line.split(",")[:2] for line in lines[1:]] == [
        ["side", "left"], ["side", "right"], ["total", "all"]
    ]  # fmt: skip


@pytest.mark.parametrize("who", ["patient", "scheduler", "outsider"])
def test_only_the_clinics_clinicians_and_admins_see_outcomes(
    db: Session, personas: Personas, knowledge: Knowledge, who: str
) -> None:
    tell(db, personas)
    with db.begin():
        actor = load_actor(db, personas[who].user.id, Origin())
    assert actor is not None
    if who == "outsider":  # a clinician of another clinic sees only their own clinic
        seen = outcomes.view_outcomes(
            db, actor=actor, by=None, where=outcomes.OutcomeFilter(), knowledge=knowledge, now=NOW
        )
        assert seen.total.procedures == 0
        return
    with pytest.raises(Forbidden):
        outcomes.view_outcomes(
            db, actor=actor, by=None, where=outcomes.OutcomeFilter(), knowledge=knowledge, now=NOW
        )


def test_a_view_is_audited_without_patients(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    tell(db, personas)
    with db.begin():
        actor = load_actor(db, personas.admin.user.id, Origin())
    assert actor is not None
    result = outcomes.view_outcomes(
        db, actor=actor, by="side", where=outcomes.OutcomeFilter(), knowledge=knowledge, now=NOW
    )
    assert result.total.procedures == 6
    from sijcare.db.models import AuditEvent

    with db.begin():
        event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "outcomes.view")).one()
    assert event.patient_id is None and event.detail["by"] == "side"


def _unused(_: Patient) -> None:
    return None


# Groups of referral times with odd and even counts, repeats, fractions and one value.
MEDIAN_GROUPS = {
    "a": [3.5],
    "b": [10.0, 2.0],
    "c": [7.0, 1.25, 7.0],
    "d": [40.0, 0.5, 12.0, 12.0],
    "e": [9.0, 1.0, 8.0, 2.0, 7.0, 3.0, 6.5],
}


# Many values on the same few days and on days far apart, so that the middle ranks fall
# inside one day, across two days, and at a day's first or last row.
_RANDOM = random.Random(7)
MEDIAN_GROUPS["f"] = [round(_RANDOM.uniform(0, 3), 3) for _ in range(201)]
MEDIAN_GROUPS["g"] = [float(_RANDOM.choice([1, 2, 2.5, 60])) for _ in range(100)]
MEDIAN_GROUPS["h"] = [5.0] * 3 + [6.0] * 3


def _median_statement(
    name: str,
    table: sa.Table,
    key: sa.ColumnElement[Any],
    where: sa.ColumnElement[bool],
    *,
    grouped: bool,
) -> sa.Select[Any]:
    value = table.c.v
    if name == "ordered":
        return outcome_queries._median_ordered(key, value, [where], grouped=grouped)
    return outcome_queries._median_by_whole_days(
        table, table.c.k if grouped else None, value, [where]
    )


@pytest.mark.parametrize("name", ["whole days", "ordered"])
@pytest.mark.parametrize("grouped", [True, False], ids=["by group", "whole"])
def test_each_median_statement_is_the_middle_value_or_the_mean_of_the_two(
    engine: sa.Engine, grouped: bool, name: str
) -> None:
    """Each way of writing the median (`_median_by_whole_days`, which SQLite runs;
    `_median_ordered`, PostgreSQL's) gives the median of every group, and no row for no
    value."""
    if name == "ordered" and engine.dialect.name != "postgresql":
        pytest.skip("an ordered-set aggregate: PostgreSQL only")
    table = sa.Table(
        "median_values", sa.MetaData(), sa.Column("k", sa.String), sa.Column("v", sa.Float),
        prefixes=["TEMPORARY"],
    )  # fmt: skip
    rows = [{"k": k, "v": v} for k, values in MEDIAN_GROUPS.items() for v in values]
    key = (table.c.k if grouped else sa.literal("all")).label("key")
    with engine.connect() as connection:
        table.create(connection)
        connection.execute(table.insert(), rows)
        statement = _median_statement(name, table, key, sa.true(), grouped=grouped)
        empty = _median_statement(name, table, key, sa.false(), grouped=grouped)
        found = {k: float(m) for k, m in connection.execute(statement)}
        assert connection.execute(empty).all() == []
    if grouped:
        expected = {k: statistics.median(values) for k, values in MEDIAN_GROUPS.items()}
    else:
        expected = {"all": statistics.median([r["v"] for r in rows])}
    assert found == pytest.approx(expected)


def test_a_view_lets_the_patients_write_while_it_counts(
    db: Session, engine: sa.Engine, personas: Personas, knowledge: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """On SQLite the figures are counted in a read-only transaction: a diary write can take
    the one write lock meanwhile (the audit event is written after, in a short one)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's one write lock")
    tell(db, personas)
    with db.begin():
        actor = load_actor(db, personas.clinician.user.id, Origin())
    assert actor is not None
    real, took = outcomes.compute, []

    def compute(*args: Any, **kwargs: Any) -> outcomes.Outcomes:
        counted = real(*args, **kwargs)
        writer = sqlite3.connect(str(engine.url.database), timeout=0)  # no waiting
        try:
            writer.execute("BEGIN IMMEDIATE")
            took.append("the write lock")
            writer.execute("ROLLBACK")
        finally:
            writer.close()
        return counted

    monkeypatch.setattr(outcomes, "compute", compute)
    outcomes.view_outcomes(
        db, actor=actor, by="side", where=outcomes.OutcomeFilter(), knowledge=knowledge, now=NOW
    )
    assert took == ["the write lock"]
