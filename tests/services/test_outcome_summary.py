"""The outcome summary (`services.outcome_summary`), on SQLite and PostgreSQL: the whole
health system's figures are the same with it as with every injection counted, for every
grouping; a change after the build that touches a settled injection makes it out of date
(and the dashboard counts every injection until the next build), one that touches only
recent injections does not; and its medians are the medians of the values together.
"""

from __future__ import annotations

import dataclasses
import random
import statistics
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from factories import password_hash
from factories.clinical import make_symptom_report
from sijcare.db.models import (
    AuditEvent,
    Interpretation,
    OutcomeSummary,
    Pathway,
    ProcedureRecord,
    SymptomReport,
    User,
)
from sijcare.domain.knowledge import Knowledge
from sijcare.services import outcome_summary, outcomes
from sijcare.synth.run import synthesize

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
EVERYTHING = outcomes.OutcomeFilter()
CURRENT = sa.literal_column("interpretation.current")


@pytest.fixture
def population(engine: Engine, db: Session, knowledge: Knowledge) -> None:
    synthesize(
        engine, clinics=2, patients=40, seed=11, now=NOW, knowledge=knowledge,
        password_hash=password_hash(),
    )  # fmt: skip
    # And a diary that could not be read (no injection time, so no month): it counts as
    # a block, on the recent side of the line (it may be read tomorrow).
    with db.begin():
        first = db.scalars(
            sa.select(Interpretation).where(CURRENT).order_by(Interpretation.id)
        ).first()
        assert first is not None
        db.add(
            Interpretation(
                procedure_id=first.procedure_id, kind="diagnostic",
                result={"error": "no injection time"}, classification="insufficient_data",
                knowledge_version=knowledge.version, computed_at=NOW,
            )
        )  # fmt: skip


def figures(
    db: Session,
    knowledge: Knowledge,
    by: str | None,
    *,
    use_summary: bool,
    now: datetime = NOW,
    where: outcomes.OutcomeFilter = EVERYTHING,
) -> outcomes.Outcomes:
    with db.begin():
        return outcomes.compute(
            db, by=by, where=where, knowledge=knowledge, now=now, use_summary=use_summary
        )


def used(db: Session, knowledge: Knowledge, now: datetime = NOW) -> bool:
    with db.begin():
        found = outcome_summary.usable(
            db, knowledge=knowledge, now=now, groupings=outcome_summary.GROUPINGS,
            where=EVERYTHING,
        )  # fmt: skip
    return found is not None


def same_either_way(db: Session, knowledge: Knowledge, by: str | None) -> None:
    assert figures(db, knowledge, by, use_summary=True) == figures(
        db, knowledge, by, use_summary=False
    )


@pytest.mark.usefixtures("population")
@pytest.mark.parametrize("by", [None, *outcomes.GROUPS])
def test_the_summary_gives_the_figures_of_every_injection_counted(
    db: Session, knowledge: Knowledge, by: str | None
) -> None:
    assert outcome_summary.refresh(db, knowledge=knowledge, now=NOW) == outcome_summary.REBUILT
    assert used(db, knowledge)
    before = outcome_summary.settled_before(knowledge, NOW)
    with db.begin():
        months = db.scalars(sa.select(Interpretation.performed_month).where(CURRENT)).all()
    # Both sides of the line hold injections, so both parts of the sum are checked.
    assert None in months and any(m is not None and m < before for m in months)
    assert any(m is not None and m >= before for m in months)
    same_either_way(db, knowledge, by)


def _settled_and_recent(db: Session, knowledge: Knowledge) -> tuple[Interpretation, Interpretation]:
    before = outcome_summary.settled_before(knowledge, NOW)
    with db.begin():
        rows = db.scalars(
            sa.select(Interpretation).where(CURRENT, Interpretation.performed_month.is_not(None))
        ).all()
        flagged = set(db.scalars(sa.select(SymptomReport.procedure_id)))
        db.expunge_all()
    # Diagnostic blocks without a report: a new class or a red flag changes the figures.
    blocks = [r for r in rows if r.kind == "diagnostic" and r.procedure_id not in flagged]
    settled = next(r for r in blocks if r.performed_month < before)
    recent = next(r for r in blocks if r.performed_month >= before)
    return settled, recent


def _read_again(db: Session, row: Interpretation) -> None:
    """A new reading of the row's diary (as a correction stores one), of another class."""
    with db.begin():
        db.add(
            Interpretation(
                procedure_id=row.procedure_id, kind=row.kind, result=row.result,
                classification="positive" if row.classification == "negative" else "negative",
                knowledge_version=row.knowledge_version, computed_at=NOW,
            )
        )  # fmt: skip


def _report(db: Session, row: Interpretation, disposition: str) -> None:
    with db.begin():
        record = db.get(ProcedureRecord, row.procedure_id)
        assert record is not None
        pathway = db.get(Pathway, record.pathway_id)
        user = db.scalars(sa.select(User).order_by(User.id)).first()
        assert pathway is not None and user is not None
        make_symptom_report(
            db, pathway=pathway, reported_by=user, procedure_id=record.id,
            disposition=disposition,
        )  # fmt: skip


def _unreadable(db: Session, row: Interpretation) -> None:
    """A reading without an injection time (no month), as an unreadable diary stores."""
    with db.begin():
        db.add(
            Interpretation(
                procedure_id=row.procedure_id, kind=row.kind, result={"error": "unreadable"},
                classification="insufficient_data", knowledge_version=row.knowledge_version,
                computed_at=NOW,
            )
        )  # fmt: skip


Change = Callable[[Session, Interpretation, Interpretation], None]
# (what changes, the change, whether the figures change, whether the summary still stands)
CHANGES: list[tuple[str, Change, bool, bool]] = [
    ("a settled diary read again", lambda db, old, new: _read_again(db, old), True, False),
    ("a red flag on a settled injection", lambda db, old, new: _report(db, old, "call_now"), True, False),
    ("an expected report on a settled injection", lambda db, old, new: _report(db, old, "expected"), False, True),
    ("a recent diary read again", lambda db, old, new: _read_again(db, new), True, True),
    ("a red flag on a recent injection", lambda db, old, new: _report(db, new, "emergency"), True, True),
    ("a recent diary unreadable", lambda db, old, new: _unreadable(db, new), True, True),
    ("a settled diary unreadable", lambda db, old, new: _unreadable(db, old), True, False),
]  # fmt: skip


@pytest.mark.usefixtures("population")
@pytest.mark.parametrize(
    ("change", "shows", "still_used"), [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES]
)
def test_a_change_after_the_build(
    db: Session, knowledge: Knowledge, change: Change, shows: bool, still_used: bool
) -> None:
    """The figures follow every change at once; the summary stands only while no change
    touches what it counted, and the next refresh builds it again."""
    outcome_summary.refresh(db, knowledge=knowledge, now=NOW)
    counted = figures(db, knowledge, "side", use_summary=False)
    change(db, *_settled_and_recent(db, knowledge))
    assert (figures(db, knowledge, "side", use_summary=False) != counted) is shows
    assert used(db, knowledge) is still_used
    for by in (None, "side", "month"):
        same_either_way(db, knowledge, by)
    rebuilt = outcome_summary.refresh(db, knowledge=knowledge, now=NOW) == "rebuilt"
    assert rebuilt is not still_used
    assert used(db, knowledge)
    same_either_way(db, knowledge, "side")


@pytest.mark.usefixtures("population")
def test_the_summary_stands_only_for_its_knowledge_and_only_once_its_diaries_ended(
    db: Session, knowledge: Knowledge
) -> None:
    assert outcome_summary.refresh(db, knowledge=knowledge, now=NOW) == outcome_summary.REBUILT
    assert outcome_summary.refresh(db, knowledge=knowledge, now=NOW) == outcome_summary.UP_TO_DATE
    # Built again once an hour old (each view reads the rows newer than the build).
    hour = outcome_summary.REFRESH_AFTER
    assert outcome_summary.refresh(db, knowledge=knowledge, now=NOW + hour / 2) == "up to date"
    assert outcome_summary.refresh(db, knowledge=knowledge, now=NOW + hour) == "rebuilt"
    assert not used(db, dataclasses.replace(knowledge, version="2099.1.1"))
    # An override keeps the version but may change the figures (a diary's prompts).
    overridden = dataclasses.replace(
        knowledge, overrides=MappingProxyType({"diary.therapeutic_weekly_every_days": 6})
    )
    assert not used(db, overridden)
    # Earlier than its month allows, some of its diaries had not ended.
    assert not used(db, knowledge, NOW - timedelta(days=45))
    # A month later more injections have settled: used, and built again by a refresh.
    later = NOW + timedelta(days=31)
    assert used(db, knowledge, later)
    assert outcome_summary.refresh(db, knowledge=knowledge, now=later) == "rebuilt"
    with db.begin():
        months = set(db.scalars(sa.select(OutcomeSummary.settled_before)))
        events = db.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "outcomes.summarise")
        ).all()
    assert months == {outcome_summary.settled_before(knowledge, later)}
    assert len(events) == 3 and all(
        e.actor_role == "system" and e.patient_id is None for e in events
    )


@pytest.mark.usefixtures("population")
def test_a_filtered_view_counts_every_injection(db: Session, knowledge: Knowledge) -> None:
    outcome_summary.refresh(db, knowledge=knowledge, now=NOW)
    with db.begin():
        clinic = db.scalar(sa.select(sa.func.min(Interpretation.clinic_id)))
    for where in (outcomes.OutcomeFilter(clinic_id=clinic), outcomes.OutcomeFilter(side="left")):
        with db.begin():
            assert (
                outcome_summary.usable(
                    db, knowledge=knowledge, now=NOW, groupings=("all",), where=where
                )
                is None
            )
        assert figures(db, knowledge, "month", use_summary=True, where=where) == figures(
            db, knowledge, "month", use_summary=False, where=where
        )


def test_without_a_summary_every_injection_is_counted(
    db: Session, knowledge: Knowledge, population: None
) -> None:
    assert not used(db, knowledge)
    same_either_way(db, knowledge, "clinic")


# -- the medians, pure ---------------------------------------------------------------------------


def test_the_median_of_two_sorted_lists_is_the_median_of_their_values_together() -> None:
    chance = random.Random(5)
    for _ in range(2000):
        first = sorted(
            chance.choice([0.5, 1.0, 2.5]) * chance.randint(0, 9)
            for _ in range(chance.randint(0, 12))
        )
        second = sorted(round(chance.uniform(0, 60), 3) for _ in range(chance.randint(0, 12)))
        both = sorted(first + second)
        expected = statistics.median(both) if both else None
        assert outcome_summary.median_of_two(first, second) == expected
        assert outcome_summary.median_of_two(second, first) == expected
        # PostgreSQL's way: the lower middle value and half the step to the upper one.
        if both:
            low, high = both[(len(both) - 1) // 2], both[len(both) // 2]
            interpolated = low + 0.5 * (high - low)
            assert outcome_summary.median_of_two(first, second, interpolate=True) == interpolated


def test_the_median_of_counted_values_is_the_median_of_the_values() -> None:
    chance = random.Random(6)
    assert outcome_summary.median_of_counts({}) is None
    for _ in range(2000):
        counts = {
            float(chance.randint(0, 12)): chance.randint(1, 4) for _ in range(chance.randint(1, 6))
        }
        values = [v for v, n in counts.items() for _ in range(n)]
        assert outcome_summary.median_of_counts(counts) == statistics.median(values)


@pytest.mark.usefixtures("population")
def test_a_pair_across_the_line_is_counted_with_the_recent_injections(
    db: Session, knowledge: Knowledge
) -> None:
    """An earlier block can have a later month than its pair's later block (its local
    offset): such a pair is counted with the recent injections, so a new reading of
    its earlier block is seen at once, and the summary still stands."""
    assert outcome_summary.settled_before(knowledge, NOW) == "2025-11"
    with db.begin():
        blocks = db.scalars(
            sa.select(Interpretation).where(
                CURRENT, Interpretation.kind == "diagnostic",
                Interpretation.anesthetic_action.is_not(None),
            )
        ).all()  # fmt: skip
        by_joint: dict[tuple[Any, Any], list[Interpretation]] = {}
        for row in blocks:
            by_joint.setdefault((row.patient_id, row.side), []).append(row)
        earlier, later = next(
            (first, second) for rows in by_joint.values() for first in rows for second in rows
            if first.anesthetic_action != second.anesthetic_action
            and first.performed_month >= "2025-11"  # never settled: nothing old to touch
        )  # fmt: skip
        moved_id = earlier.procedure_id
        # The later block at 23:45 UTC on 31 October (month 2025-10, settled); the earlier
        # 15 minutes before, written with a +01:00 offset (month 2025-11, recent).
        for row, at in (
            (later, "2025-10-31T23:45:00+00:00"),
            (earlier, "2025-11-01T00:30:00+01:00"),
        ):
            db.add(
                Interpretation(
                    procedure_id=row.procedure_id, kind=row.kind,
                    result={**row.result, "performed_at": at}, classification="positive",
                    knowledge_version=row.knowledge_version, computed_at=NOW,
                )
            )  # fmt: skip
    assert outcome_summary.refresh(db, knowledge=knowledge, now=NOW) == outcome_summary.REBUILT
    same_either_way(db, knowledge, None)
    with db.begin():
        moved = db.scalars(
            sa.select(Interpretation).where(CURRENT, Interpretation.procedure_id == moved_id)
        ).one()
        db.expunge_all()
    assert moved.performed_month == "2025-11"
    confirmed = figures(db, knowledge, None, use_summary=False).total.confirmed
    _read_again(db, moved)  # the earlier block now negative
    assert figures(db, knowledge, None, use_summary=False).total.confirmed < confirmed
    assert used(db, knowledge)
    same_either_way(db, knowledge, None)


@pytest.mark.usefixtures("population")
def test_a_change_between_the_check_and_the_count_is_seen(
    db: Session, knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At READ COMMITTED a reading can commit after `usable` said the summary stands and
    before the recent months are counted: the view checks again and counts every
    injection then."""
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite: a view reads one snapshot, and nothing commits into it")
    outcome_summary.refresh(db, knowledge=knowledge, now=NOW)
    settled, _recent = _settled_and_recent(db, knowledge)
    real = outcome_summary.recent

    def recent(*args: Any, **kwargs: Any) -> outcome_summary.Recent:
        with Session(db.get_bind()) as other:  # another connection, committed at once
            _read_again(other, settled)
        return real(*args, **kwargs)

    monkeypatch.setattr(outcome_summary, "recent", recent)
    served = figures(db, knowledge, "side", use_summary=True)
    monkeypatch.setattr(outcome_summary, "recent", real)
    assert served == figures(db, knowledge, "side", use_summary=False)


def test_the_median_of_an_even_count_is_the_engines_own(
    db: Session, knowledge: Knowledge, population: None
) -> None:
    """Of two middle values a and b, PostgreSQL's `percentile_cont` takes a + 0.5 * (b - a),
    and SQLite's `avg` summed in extended precision: each can differ in the last bit from
    (a + b) / 2, and then in the rounded figure. Half the referral times 79,913 s and
    half 214,711 s (rounded means 1.7 or 1.71 days): the summary's median is the count's."""
    with db.begin():
        rows = db.execute(
            sa.select(Interpretation.id, Interpretation.performed_at).where(
                CURRENT, Interpretation.clinic_id.is_not(None),
                Interpretation.performed_at.is_not(None), Interpretation.referred_at.is_not(None),
            ).order_by(Interpretation.id)
        ).all()  # fmt: skip
        rows = rows[: len(rows) // 2 * 2]
        for n, (row_id, performed) in enumerate(rows):
            seconds = 79913 if n < len(rows) // 2 else 214711
            db.execute(
                sa.update(Interpretation)
                .where(Interpretation.id == row_id)
                .values(referred_at=performed - timedelta(seconds=seconds))
            )
        db.execute(  # the others: no referral time (the median of these values only)
            sa.update(Interpretation)
            .where(CURRENT, Interpretation.id.not_in([r for r, _ in rows]))
            .values(referred_at=None)
        )
    assert outcome_summary.refresh(db, knowledge=knowledge, now=NOW) == outcome_summary.REBUILT
    served = figures(db, knowledge, None, use_summary=True).total.median_referral_days
    counted = figures(db, knowledge, None, use_summary=False).total.median_referral_days
    assert served == counted and served in (1.7, 1.71)


@pytest.mark.usefixtures("population")
def test_a_build_gives_way_to_a_long_write_on_postgresql(
    db: Session, engine: Engine, knowledge: Knowledge
) -> None:
    """The build reads its ids with the tables locked; behind a long write it would hold
    every diary write up, so it waits a moment and gives up until the next round."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: no lock to wait for")
    with engine.connect() as writer:
        writer.execute(sa.text("LOCK TABLE interpretation IN ROW EXCLUSIVE MODE"))  # a write
        assert outcome_summary.refresh(db, knowledge=knowledge, now=NOW) == outcome_summary.BUSY
        writer.rollback()
    assert outcome_summary.refresh(db, knowledge=knowledge, now=NOW) == outcome_summary.REBUILT


def test_postgresql_keeps_a_readings_kind_to_those_the_recent_count_names(
    db: Session, engine: Engine, population: None
) -> None:
    """On PostgreSQL the recent months are read kind by kind (it cannot skip over the
    covering index's first column): a reading of another kind would go uncounted, so the
    database refuses one (migration 0012)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite skips over the kinds without naming them")
    with db.begin():
        row = db.scalars(sa.select(Interpretation).where(CURRENT)).first()
        assert row is not None
        procedure_id, result, version = row.procedure_id, row.result, row.knowledge_version
    with pytest.raises(sa.exc.IntegrityError, match="ck_interpretation_kind_known"):
        with db.begin():
            db.add(
                Interpretation(
                    procedure_id=procedure_id, kind="other", result=result,
                    classification="", knowledge_version=version, computed_at=NOW,
                )
            )  # fmt: skip
