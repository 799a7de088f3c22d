"""The red-flag inbox: order, acknowledgement with a note, and who sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.workspace import PROCEDURE_AT, Story
from fixtures_db import Personas
from sijcare.db.models import AuditEvent, SymptomReport
from sijcare.domain.knowledge import Knowledge
from sijcare.services import inbox
from sijcare.services.errors import Conflict, Forbidden, Invalid

LATER = PROCEDURE_AT + timedelta(days=2)


@pytest.fixture
def story(db: Session, personas: Personas, knowledge: Knowledge) -> Story:
    return Story(db, personas, knowledge)


def _reports(story: Story) -> dict[str, int]:
    """One report of each disposition, at different hours after the injection."""
    pathway = story.ready(story.pathway())
    procedure = story.document(pathway).id
    at = PROCEDURE_AT
    return {
        "call_soon_old": story.report(procedure, at + timedelta(hours=20), hives=True),
        "emergency": story.report(procedure, at + timedelta(hours=10), trouble_breathing=True),
        "call_now": story.report(procedure, at + timedelta(hours=30), temperature_c=38.6),
        "call_soon_new": story.report(procedure, at + timedelta(hours=40), hives=True),
        "expected": story.report(procedure, at + timedelta(hours=41), soreness_at_site=True),
    }


def _list(story: Story, who: str = "clinician") -> list[inbox.InboxItem]:
    return inbox.list_inbox(story.db, actor=story.actor(who), now=LATER)


def test_open_reports_come_first_most_urgent_then_newest(story: Story) -> None:
    ids = _reports(story)
    assert [i.id for i in _list(story)] == [
        ids["emergency"],
        ids["call_now"],
        ids["call_soon_new"],
        ids["call_soon_old"],
    ]
    inbox.acknowledge(
        story.db,
        actor=story.actor("clinician"),
        report_id=ids["emergency"],
        note="Called 911 dispatch; patient seen in the ED.",
        now=LATER,
    )
    order = [i.id for i in _list(story)]
    assert order == [ids["call_now"], ids["call_soon_new"], ids["call_soon_old"], ids["emergency"]]
    assert inbox.count_open(story.db, actor=story.actor("clinician")) == 3


def test_expected_reports_never_reach_the_inbox(story: Story) -> None:
    ids = _reports(story)
    assert ids["expected"] not in {i.id for i in _list(story)}


def test_acknowledging_needs_a_note_and_keeps_who_when_and_the_note(story: Story) -> None:
    report_id = _reports(story)["call_now"]
    clinician = story.actor("clinician")
    with pytest.raises(Invalid) as refused:
        inbox.acknowledge(story.db, actor=clinician, report_id=report_id, note="  ", now=LATER)
    assert [e.field for e in refused.value.errors] == ["note"]
    item = inbox.acknowledge(
        story.db, actor=clinician, report_id=report_id, note="Called; fever settled.", now=LATER
    )
    assert not item.open
    assert (item.acknowledged_by, item.acknowledged_note) == (
        "Dr. Casey Clinician",
        "Called; fever settled.",
    )
    # The same form again changes nothing; another note does not overwrite the first.
    inbox.acknowledge(
        story.db, actor=clinician, report_id=report_id, note="Called; fever settled.", now=LATER
    )
    with pytest.raises(Conflict):
        inbox.acknowledge(story.db, actor=clinician, report_id=report_id, note="Other", now=LATER)
    with story.db.begin():
        row = story.db.get(SymptomReport, report_id)
        assert row is not None and row.acknowledged_note == "Called; fever settled."
        events = story.db.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "symptom_report.acknowledge")
        ).all()
    assert len(events) == 1 and "fever" not in str(events[0].detail)


def test_the_inbox_is_the_clinics_and_for_clinicians(story: Story) -> None:
    _reports(story)
    assert _list(story, "outsider") == []
    assert inbox.count_open(story.db, actor=story.actor("outsider")) == 0
    for who in ("patient", "scheduler", "admin"):
        with pytest.raises(Forbidden):
            _list(story, who)
        assert inbox.count_open(story.db, actor=story.actor(who)) == 0


@pytest.mark.parametrize("who", ["patient", "scheduler", "admin", "outsider"])
def test_only_the_clinics_clinicians_read_and_acknowledge_a_report(story: Story, who: str) -> None:
    report_id = _reports(story)["call_now"]
    with pytest.raises(Forbidden):
        inbox.get_report(story.db, actor=story.actor(who), report_id=report_id, now=LATER)
    with pytest.raises(Forbidden):
        inbox.acknowledge(
            story.db, actor=story.actor(who), report_id=report_id, note="x", now=LATER
        )


def test_listing_is_audited_once_per_patient(story: Story) -> None:
    _reports(story)
    _list(story)
    with story.db.begin():
        events = story.db.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "symptom_report.list")
        ).all()
    assert len(events) == 1
