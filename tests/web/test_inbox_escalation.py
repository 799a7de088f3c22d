"""The red-flag inbox page shows which urgent reports are overdue, and which of them the
escalation job has already e-mailed about (and only those as escalated)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from factories.clinical import make_documented, make_symptom_report
from sijcare.db.models import Pathway
from sijcare.services import escalation
from web.conftest import FrozenClock, Web

AFTER = 30  # the shipped `escalation.after_minutes`


def test_an_overdue_urgent_report_is_flagged_then_escalated_by_the_job(
    web: Web, db: Session, clock: FrozenClock
) -> None:
    personas = web.personas
    assert personas.patient.patient is not None
    record = make_documented(
        db, patient=personas.patient.patient, clinician=personas.clinician.user
    )
    with db.begin():
        pathway = db.get_one(Pathway, record.pathway_id)
    db.expunge_all()
    report = make_symptom_report(
        db,
        pathway=pathway,
        reported_by=personas.patient.user,
        disposition="call_now",
        reported_at=clock.now - timedelta(minutes=AFTER - 1),
    )
    clinician = web.as_("clinician")
    early = clinician.get("/workspace/inbox").text
    assert "Overdue, escalated" not in early and "Waiting" in early
    clock.advance(minutes=1)
    due = clinician.get("/workspace/inbox").text
    # No job has run: the page must not say anyone was told.
    assert f"Overdue, not escalated yet: waiting {AFTER} minutes" in due
    assert "1 urgent report waited too long without acknowledgement." in due
    assert "told by e-mail" not in due and "Overdue, escalated" not in due
    assert "The others are not escalated yet" in due
    round_ = escalation.escalate_due(db, now=clock.now, knowledge=web.app.state.platform.knowledge)
    assert round_.escalated == 1 and round_.emails >= 1
    told = clinician.get("/workspace/inbox").text
    assert f"Overdue, escalated: waiting {AFTER} minutes" in told
    assert "For 1 of them, the clinic's clinicians and admins were told by e-mail." in told
    assert "not escalated yet" not in told
    done = clinician.post_form(
        f"/workspace/reports/{report.id}/acknowledge", {"note": "Called; sent to urgent care."}
    )
    assert done.status_code == 303
    after = clinician.get("/workspace/inbox").text
    assert "Overdue" not in after and "waited too long" not in after


def test_a_long_wait_is_told_in_hours_then_days(web: Web, db: Session, clock: FrozenClock) -> None:
    personas = web.personas
    assert personas.patient.patient is not None
    record = make_documented(
        db, patient=personas.patient.patient, clinician=personas.clinician.user
    )
    with db.begin():
        pathway = db.get_one(Pathway, record.pathway_id)
    db.expunge_all()
    for waited in (timedelta(hours=5, minutes=10), timedelta(days=335, hours=3)):
        make_symptom_report(
            db,
            pathway=pathway,
            reported_by=personas.patient.user,
            disposition="emergency",
            reported_at=clock.now - waited,
        )
    page = web.as_("clinician").get("/workspace/inbox").text
    assert "Overdue, not escalated yet: waiting 5 hours" in page
    assert "Overdue, not escalated yet: waiting 335 days" in page
    assert "minutes" not in page.split("<tbody>", 1)[1]
