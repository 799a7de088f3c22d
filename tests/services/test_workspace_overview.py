"""The worklist, a patient's summary, the timeline and the next-step plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.workspace import APIXABAN, NOW, POSITIVE_BLOCK, PROCEDURE_AT, Story
from fixtures_db import Personas
from sijcare.db.enums import AppointmentStatus
from sijcare.db.models import Appointment, AuditEvent
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.next_steps import recommend_next_step
from sijcare.services import plans, timeline, worklist
from sijcare.services.errors import Forbidden, Invalid
from sijcare.services.procedures import ConsentState

MONDAY = date(2026, 3, 2)


@pytest.fixture
def story(db: Session, personas: Personas, knowledge: Knowledge) -> Story:
    return Story(db, personas, knowledge)


def _worklist(story: Story, who: str = "clinician", **kw: object) -> worklist.Worklist:
    return worklist.list_worklist(
        story.db,
        actor=story.actor(who),
        day=kw.pop("day", MONDAY),  # type: ignore[arg-type]
        knowledge=story.knowledge,
        now=NOW,
        **kw,  # type: ignore[arg-type]
    )


def _public_id(personas: Personas, who: str = "patient") -> str:
    patient = personas[who].patient
    assert patient is not None
    return patient.public_id


def test_worklist_lists_the_days_procedures_with_what_each_needs(story: Story) -> None:
    first = story.pathway()
    story.book(first)
    story.screen(first, medicines=[APIXABAN])
    early = story.pathway(patient="other_patient")
    story.book(early, PROCEDURE_AT - timedelta(hours=3))
    found = _worklist(story)
    assert [i.patient_name for i in found.items] == ["Olive Other", "Pat Patient"]
    waiting, screened = found.items
    assert waiting.clinical is not None and waiting.clinical.readiness is None
    assert waiting.clinical.consent is ConsentState.NO_PLAN and not waiting.driver_recorded
    assert screened.clinical is not None
    assert (screened.clinical.readiness, screened.clinical.open_findings) == ("needs_review", 1)
    assert screened.clinical.consent is ConsentState.NONE and screened.driver_recorded
    assert found.zone == "America/Los_Angeles" and found.clinical


def test_worklist_days_are_the_clinics_and_cancelled_procedures_drop_out(story: Story) -> None:
    pathway = story.pathway()
    # 23:30 in Los Angeles on Monday is Tuesday in UTC: still Monday's list.
    late = datetime(2026, 3, 3, 7, 30, tzinfo=UTC)
    story.book(pathway, late)
    assert [i.starts_at for i in _worklist(story).items] == [late]
    assert _worklist(story, day=MONDAY + timedelta(days=1)).items == ()
    with story.db.begin():
        appointment = story.db.scalar(sa.select(Appointment))
        assert appointment is not None
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = NOW
        appointment.cancelled_by = story.personas.scheduler.user.id
    assert _worklist(story).items == ()


def test_worklist_filters_by_physician(story: Story, personas: Personas) -> None:
    story.book(story.pathway())
    practitioner = personas.clinician.practitioner
    assert practitioner is not None
    assert len(_worklist(story, practitioner_id=practitioner.id).items) == 1
    assert _worklist(story, practitioner_id=practitioner.id + 100).items == ()


def test_schedulers_see_the_worklist_without_clinical_columns(story: Story) -> None:
    story.book(story.pathway())
    found = _worklist(story, "scheduler")
    assert not found.clinical and found.items[0].clinical is None
    for who in ("patient", "admin"):
        with pytest.raises(Forbidden):
            _worklist(story, who)
    assert _worklist(story, "outsider").items == ()
    with story.db.begin():
        events = story.db.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "worklist.view")
        ).all()
    assert len(events) == 1


def test_patient_summary_lists_pathways_with_their_status(story: Story, personas: Personas) -> None:
    pathway = story.ready(story.pathway())
    view = story.document(pathway)
    story.report(view.id, PROCEDURE_AT + timedelta(hours=8), temperature_c=38.6)
    summary = worklist.patient_summary(
        story.db,
        actor=story.actor("clinician"),
        public_id=_public_id(personas),
        knowledge=story.knowledge,
        now=NOW,
    )
    [status] = summary.pathways
    assert status.procedure_id == view.id and status.consent is ConsentState.COMPLETE
    assert status.open_red_flags == 1
    for who in ("patient", "scheduler", "outsider"):
        with pytest.raises(Forbidden):
            worklist.patient_summary(
                story.db,
                actor=story.actor(who),
                public_id=_public_id(personas),
                knowledge=story.knowledge,
                now=NOW,
            )


def test_timeline_tells_what_happened_in_order(story: Story, personas: Personas) -> None:
    pathway = story.ready(story.pathway(), medicines=[APIXABAN])
    view = story.document(pathway)
    story.scores(view.id, PROCEDURE_AT, [*POSITIVE_BLOCK, (timedelta(days=1), 6)])
    found = timeline.patient_timeline(
        story.db,
        actor=story.actor("clinician"),
        public_id=_public_id(personas),
        knowledge=story.knowledge,
        now=NOW + timedelta(days=2),
    )
    kinds = [e.kind for e in found.events]
    assert kinds.index("pathway_opened") < kinds.index("screening_submitted")
    assert kinds.index("consent_agreed") < kinds.index("consent_witnessed")
    agreed = next(e for e in found.events if e.kind == "consent_agreed")
    assert agreed.values == {"language": "en"}  # the language of the page the patient read
    assert kinds.index("procedure_performed") < kinds.index("diary_entries")
    assert [e.at for e in found.events] == sorted(e.at for e in found.events)
    counts = [e.values["count"] for e in found.events if e.kind == "diary_entries"]
    assert counts == [4, 1]  # four scores on the injection day, one the next day
    with pytest.raises(Forbidden):
        timeline.patient_timeline(
            story.db,
            actor=story.actor("scheduler"),
            public_id=_public_id(personas),
            knowledge=story.knowledge,
            now=NOW,
        )


def test_plan_is_the_cores_next_step_for_the_patients_history(
    story: Story, personas: Personas
) -> None:
    pathway = story.ready(story.pathway())
    view = story.document(pathway)
    story.scores(view.id, PROCEDURE_AT, POSITIVE_BLOCK)
    later = NOW + timedelta(days=3)
    found = plans.recommend(
        story.db,
        actor=story.actor("clinician"),
        public_id=_public_id(personas),
        payer="medicare",
        knowledge=story.knowledge,
        now=later,
    )
    assert found.problem is None and found.plan is not None and found.procedures == 1
    with story.db.begin():
        history = plans.patient_history(story.db, personas.patient.patient.id, story.knowledge)  # type: ignore[union-attr]
    assert history is not None
    expected = recommend_next_step(history, "medicare", later.date(), story.knowledge)
    assert found.plan.step is expected.step
    assert found.plan.earliest_date == expected.earliest_date
    assert {p.id for p in found.payers} == {"medicare", "evicore"}


def test_plan_without_a_procedure_says_so_and_payers_come_from_the_list(
    story: Story, personas: Personas
) -> None:
    story.pathway()
    found = plans.recommend(
        story.db,
        actor=story.actor("clinician"),
        public_id=_public_id(personas),
        payer="evicore",
        knowledge=story.knowledge,
        now=NOW,
    )
    assert found.plan is None and found.problem is not None
    with pytest.raises(Invalid) as refused:
        plans.recommend(
            story.db,
            actor=story.actor("clinician"),
            public_id=_public_id(personas),
            payer="acme",
            knowledge=story.knowledge,
            now=NOW,
        )
    assert [e.field for e in refused.value.errors] == ["payer"]
    with pytest.raises(Forbidden):
        plans.recommend(
            story.db,
            actor=story.actor("outsider"),
            public_id=_public_id(personas),
            payer="medicare",
            knowledge=story.knowledge,
            now=NOW,
        )
