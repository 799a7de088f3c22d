"""Diary review: the core's reading, its sign-off, and comparative blocks."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.workspace import POSITIVE_BLOCK, PROCEDURE_AT, Story
from fixtures_db import Personas
from sijcare.db.enums import Kind
from sijcare.db.models import AuditEvent, Interpretation
from sijcare.domain.comparative import ComparativeStatus
from sijcare.domain.diagnostic import Classification, DiagnosticResult
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.therapeutic import TherapeuticResult
from sijcare.services import diary_review, pathways
from sijcare.services.errors import Conflict, Forbidden

LATER = PROCEDURE_AT + timedelta(hours=10)


@pytest.fixture
def story(db: Session, personas: Personas, knowledge: Knowledge) -> Story:
    return Story(db, personas, knowledge)


def _block(story: Story, **document: object) -> int:
    pathway = story.ready(story.pathway())
    view = story.document(pathway, **document)  # type: ignore[arg-type]
    story.scores(view.id, PROCEDURE_AT, POSITIVE_BLOCK)
    return view.id


def _review(story: Story, procedure_id: int, now: object = LATER) -> diary_review.DiaryReview:
    return diary_review.get_review(
        story.db,
        actor=story.actor("clinician"),
        procedure_id=procedure_id,
        knowledge=story.knowledge,
        now=now,  # type: ignore[arg-type]
    )


def _sign(story: Story, procedure_id: int, interpretation_id: int) -> diary_review.SignOff:
    return diary_review.sign_off(
        story.db,
        actor=story.actor("clinician"),
        procedure_id=procedure_id,
        interpretation_id=interpretation_id,
        knowledge=story.knowledge,
        now=LATER,
    )


def test_review_gives_the_cores_reading_and_the_stored_one_to_sign(story: Story) -> None:
    procedure_id = _block(story)
    review = _review(story, procedure_id)
    assert isinstance(review.reading, DiagnosticResult)
    assert review.reading.classification is Classification.POSITIVE
    assert review.reading.peak_relief_percent == pytest.approx(100 * 6 / 7)
    assert [e.pain for e in review.entries] == [2, 1, 2, 5]
    assert review.entries[1].relief_percent == pytest.approx(100 * 6 / 7)
    assert review.current is not None and review.current.classification == "positive"
    assert review.needs_sign_off and review.comparison is None


def test_sign_off_records_who_and_when_once(story: Story) -> None:
    procedure_id = _block(story)
    current = _review(story, procedure_id).current
    assert current is not None
    signed = _sign(story, procedure_id, current.interpretation_id)
    again = _sign(story, procedure_id, current.interpretation_id)
    assert signed.signed_off_at == LATER and signed.signed_off_by == "Dr. Casey Clinician"
    assert again == signed
    with story.db.begin():
        events = story.db.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "interpretation.sign_off")
        ).all()
    assert len(events) == 1
    assert not _review(story, procedure_id).needs_sign_off


def test_a_new_entry_needs_a_new_sign_off_and_the_old_one_is_refused(story: Story) -> None:
    procedure_id = _block(story)
    first = _review(story, procedure_id).current
    assert first is not None
    _sign(story, procedure_id, first.interpretation_id)
    story.scores(procedure_id, PROCEDURE_AT, [(timedelta(hours=6), 6)])
    review = _review(story, procedure_id)
    assert (
        review.current is not None and review.current.interpretation_id != first.interpretation_id
    )
    assert review.needs_sign_off
    assert review.earlier[0].signed_off_at is not None
    with pytest.raises(Conflict):
        _sign(story, procedure_id, first.interpretation_id)


def test_a_reading_older_than_the_knowledge_is_stored_again_on_review(story: Story) -> None:
    procedure_id = _block(story)
    with story.db.begin():
        for row in story.db.scalars(sa.select(Interpretation)):
            row.knowledge_version = "older"
        stale = max(row.id for row in story.db.scalars(sa.select(Interpretation)))
    with pytest.raises(Conflict):
        _sign(story, procedure_id, stale)
    review = _review(story, procedure_id)
    assert review.current is not None and review.current.interpretation_id > stale
    assert review.current.knowledge_version == story.knowledge.version


def test_a_diary_without_entries_has_nothing_to_sign(story: Story) -> None:
    pathway = story.ready(story.pathway())
    view = story.document(pathway)
    review = _review(story, view.id)
    # The empty diary's reading is stored when the injection is documented (the quality
    # dashboard counts it), but there is nothing to sign.
    assert review.current is not None and not review.needs_sign_off
    assert isinstance(review.reading, DiagnosticResult)
    assert review.reading.classification is Classification.INSUFFICIENT_DATA
    with pytest.raises(Conflict) as refused:
        diary_review.sign_off(
            story.db,
            actor=story.actor("clinician"),
            procedure_id=view.id,
            interpretation_id=review.current.interpretation_id,
            knowledge=story.knowledge,
            now=LATER,
        )
    assert "nothing to sign" in refused.value.message.text


def test_two_blocks_of_the_same_joint_are_compared_by_the_core(story: Story) -> None:
    first = _block(story)
    pathways.close_pathway(
        story.db, actor=story.actor("clinician"), pathway_id=1, reason="block done", now=LATER
    )
    second_at = PROCEDURE_AT + timedelta(days=7)
    pathway = story.pathway()
    story.ready(pathway, starts_at=second_at)
    view = story.document(pathway, performed_at=second_at, anesthetic="bupivacaine")
    long_relief = ((1, 1), (4, 1), (7, 2), (10, 6))
    story.scores(view.id, second_at, [(timedelta(hours=h), pain) for h, pain in long_relief])
    review = _review(story, view.id, second_at + timedelta(hours=12))
    assert review.comparison is not None and review.comparison.result is not None
    assert review.comparison.other_procedure_id == first
    assert review.comparison.result.status is ComparativeStatus.CONFIRMED
    assert review.comparison.result.short_acting.anesthetic == "lidocaine"


def test_therapeutic_reading(story: Story) -> None:
    pathway = story.ready(story.pathway(kind=Kind.THERAPEUTIC))
    view = story.document(pathway)
    story.scores(view.id, PROCEDURE_AT, [(timedelta(days=d), 2) for d in (1, 3, 7, 14)])
    review = _review(story, view.id, PROCEDURE_AT + timedelta(days=15))
    assert isinstance(review.reading, TherapeuticResult)
    assert review.reading.responders["2w"] is True


@pytest.mark.parametrize("who", ["patient", "scheduler", "admin", "outsider"])
def test_only_the_clinics_clinicians_review_and_sign(story: Story, who: str) -> None:
    procedure_id = _block(story)
    with pytest.raises(Forbidden):
        diary_review.get_review(
            story.db,
            actor=story.actor(who),
            procedure_id=procedure_id,
            knowledge=story.knowledge,
            now=LATER,
        )
    with pytest.raises(Forbidden):
        diary_review.sign_off(
            story.db,
            actor=story.actor(who),
            procedure_id=procedure_id,
            interpretation_id=1,
            knowledge=story.knowledge,
            now=LATER,
        )
