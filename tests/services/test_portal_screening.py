"""The patient's screening: the clinic's plan, answering, the result and getting ready."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import actor_of, make_pathway
from factories.clinical import READY_ANSWERS, make_documented, make_planned_pathway
from fixtures_db import Personas
from sijcare.db.enums import Kind, Side
from sijcare.db.models import Appointment, AuditEvent, Driver, Pathway, ScreeningResponse
from sijcare.domain import screening_words
from sijcare.domain.intake import HoldDecision, ProcedurePlan
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Sedation
from sijcare.domain.words import Words
from sijcare.formats.words import words_or_english
from sijcare.services import screening, screening_pages, screening_review
from sijcare.services.errors import Conflict, Forbidden, Invalid
from sijcare.services.screening import DriverDetails
from sijcare.services.screening_pages import Stage
from sijcare.services.screening_results import stored_actions

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # Monday 08:00 PST
BOOKED = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)  # the next Monday 10:00 PDT
DRIVER = DriverDetails("Sam Rivera", "+1 310-555-0177", "partner")


def planned(db: Session, personas: Personas, **options: Any) -> Pathway:
    assert personas.patient.patient and personas.clinician.practitioner
    return make_planned_pathway(
        db,
        patient=personas.patient.patient,
        clinician=personas.clinician.user,
        practitioner=personas.clinician.practitioner,
        location=personas.location,
        room=personas.room,
        starts_at=BOOKED,
        **options,
    )


def submit(
    db: Session,
    personas: Personas,
    pathway: Pathway,
    knowledge: Knowledge,
    answers: dict[str, Any] | None = None,
    driver: DriverDetails | None = DRIVER,
    who: str = "patient",
) -> ScreeningResponse:
    return screening.submit(
        db,
        actor=actor_of(db, personas[who].user.id),
        pathway_id=pathway.id,
        answers=READY_ANSWERS if answers is None else answers,
        driver=driver,
        knowledge=knowledge,
        now=NOW,
    )


def page(db: Session, personas: Personas, pathway: Pathway, knowledge: Knowledge) -> Any:
    return screening_pages.view_screening(
        db,
        actor=actor_of(db, personas.patient.user.id),
        pathway_id=pathway.id,
        knowledge=knowledge,
        zone="America/Los_Angeles",
        now=NOW,
    )


def count(db: Session, model: Any) -> int:
    with db.begin():
        return int(db.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_submitting_stores_the_answers_with_the_plan_the_result_and_the_driver(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    pathway = planned(db, personas)
    row = submit(db, personas, pathway, knowledge)
    assert row.status == "submitted" and row.submitted_by == personas.patient.user.id
    assert row.answers["procedure"]["anesthetic_agent"] == "lidocaine"
    assert row.answers["medicines"][0]["name"] == "Lisinopril"
    assert row.result is not None and row.result["status"] == "ready"
    assert row.knowledge_version == knowledge.version
    assert datetime.fromisoformat(row.result["procedure_time"]) == BOOKED
    with db.begin():
        driver = db.scalars(sa.select(Driver)).one()
        actions = set(db.scalars(sa.select(AuditEvent.action)))
    assert (driver.name, driver.phone, driver.relationship) == (
        "Sam Rivera",
        DRIVER.phone,
        "partner",
    )
    assert {"screening.submit", "driver.record"} <= actions
    shown = page(db, personas, pathway, knowledge)
    assert shown.stage is Stage.ANSWERED and shown.readiness == "ready"
    assert shown.preparation is not None and not shown.time_changed
    assert shown.driver is not None and shown.driver.name == "Sam Rivera"


def test_the_same_driver_again_is_recorded_once(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    pathway = planned(db, personas)
    submit(db, personas, pathway, knowledge)
    submit(db, personas, pathway, knowledge)
    assert count(db, Driver) == 1


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        pytest.param(
            {"current_infection": None, "possibly_pregnant": None},
            ["current_infection"],
            id="unanswered-the-core-names-the-first",
        ),
        pytest.param(
            {"fever_recent": {"max_temperature": 46.0, "unit": "C", "on": "2026-03-01"}},
            ["fever_recent.max_temperature"],
            id="temperature-out-of-range",
        ),
        pytest.param(
            {"fever_recent": {"max_temperature": 38.5, "unit": "C", "on": "2026-03-10"}},
            ["fever_recent.on"],
            id="fever-after-the-procedure-day",
        ),
        pytest.param(
            {"fever_recent": {"max_temperature": 38.5, "unit": "C", "on": "2026-03-03"}},
            ["fever_recent.on"],
            id="fever-measured-tomorrow",
        ),
        pytest.param(
            {"recent_illness": {"description": "a cold", "last_symptoms_on": "2026-03-05"}},
            ["recent_illness.last_symptoms_on"],
            id="illness-ending-on-a-day-to-come",
        ),
        pytest.param(
            {"medicines": [{"name": "Aspirin"}, {"name": " "}]},
            ["medicines[1].name"],
            id="blank-medicine-name",
        ),
        pytest.param({"shoe_size": 9}, ["shoe_size"], id="unknown-question"),
    ],
)
def test_bad_answers_name_the_field_and_nothing_is_stored(
    db: Session, personas: Personas, knowledge: Knowledge, change: dict[str, Any], fields: list[str]
) -> None:
    pathway = planned(db, personas)
    with pytest.raises(Invalid) as refused:
        submit(db, personas, pathway, knowledge, {**READY_ANSWERS, **change})
    assert [e.field for e in refused.value.errors] == fields
    assert count(db, Driver) == 0
    with db.begin():
        assert db.scalars(sa.select(ScreeningResponse.status)).all() == ["draft"]


def test_a_driver_needs_a_name_and_a_phone(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    pathway = planned(db, personas)
    with pytest.raises(Invalid) as refused:
        submit(db, personas, pathway, knowledge, driver=DriverDetails(" ", ""))
    assert [e.field for e in refused.value.errors] == ["driver_name", "driver_phone"]


@pytest.mark.parametrize("phone", ["abc", "555", "call my son", "+1 310 555 0177 0177 0177"])
def test_a_drivers_phone_must_be_a_number_to_call(
    db: Session, personas: Personas, knowledge: Knowledge, phone: str
) -> None:
    pathway = planned(db, personas)
    with pytest.raises(Invalid) as refused:
        submit(db, personas, pathway, knowledge, driver=DriverDetails("Sam Rivera", phone))
    assert [e.field for e in refused.value.errors] == ["driver_phone"]
    assert "area code" in refused.value.errors[0].message.text
    assert count(db, Driver) == 0


@pytest.mark.parametrize("phone", ["+1 310-555-0177", "(310) 555.0177", "3105550177"])
def test_usual_ways_of_writing_a_phone_number_are_accepted(
    db: Session, personas: Personas, knowledge: Knowledge, phone: str
) -> None:
    submit(db, personas, planned(db, personas), knowledge, driver=DriverDetails("Sam", phone))
    assert count(db, Driver) == 1


def test_a_driver_said_no_to_is_no_longer_shown_or_offered(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    pathway = planned(db, personas)
    submit(db, personas, pathway, knowledge)
    assert page(db, personas, pathway, knowledge).driver is not None
    submit(db, personas, pathway, knowledge, {**READY_ANSWERS, "driver_arranged": False})
    assert page(db, personas, pathway, knowledge).driver is None
    patient = actor_of(db, personas.patient.user.id)
    form = screening_pages.view_form(db, actor=patient, pathway_id=pathway.id, now=NOW)
    assert form.driver is None
    assert count(db, Driver) == 1  # kept on record


def test_getting_ready_is_on_the_clock_of_the_injections_place(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    """A patient whose own zone is New York reads the Los Angeles arrival time (10:00 PDT
    booking, arrive at 09:30), not 13:30."""
    pathway = planned(db, personas)
    submit(db, personas, pathway, knowledge)
    shown = screening_pages.view_screening(
        db,
        actor=actor_of(db, personas.patient.user.id),
        pathway_id=pathway.id,
        knowledge=knowledge,
        zone="America/New_York",
        now=NOW,
    )
    assert shown.preparation is not None
    assert shown.preparation.time_zone == personas.location.time_zone == "America/Los_Angeles"
    assert shown.preparation.procedure_at.hour == 10
    texts = " ".join(i.text for s in shown.preparation.sections for i in s.items)
    assert "1:00 pm" not in texts and "10:00 am" in texts


def test_without_a_driver_and_with_sedation_the_injection_must_wait(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    pathway = planned(db, personas, sedation="moderate")
    row = submit(db, personas, pathway, knowledge, {**READY_ANSWERS, "driver_arranged": False})
    assert row.result is not None and row.result["status"] == "postpone"
    shown = page(db, personas, pathway, knowledge)
    assert "driver.missing_with_sedation" in [f.code for f in shown.findings]
    assert count(db, Driver) == 0
    # The day's steps (arrive, fast, a medicine hold) are not given for a date not kept.
    assert shown.readiness == "postpone" and shown.preparation is None


def test_no_plan_or_no_booking_means_nothing_to_answer_yet(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    assert personas.patient.patient is not None
    bare = make_pathway(db, patient=personas.patient.patient, opened_by=personas.clinician.user)
    unbooked = planned(db, personas, side=Side.RIGHT, booked=False)
    assert page(db, personas, bare, knowledge).stage is Stage.NOT_PLANNED
    assert page(db, personas, unbooked, knowledge).stage is Stage.NOT_BOOKED
    for pathway in (bare, unbooked):
        with pytest.raises(Conflict):
            submit(db, personas, pathway, knowledge)


@pytest.mark.parametrize("who", ["clinician", "other_patient", "outsider", "scheduler"])
def test_only_the_patient_answers(
    db: Session, personas: Personas, knowledge: Knowledge, who: str
) -> None:
    pathway = planned(db, personas)
    with pytest.raises(Forbidden):
        submit(db, personas, pathway, knowledge, who=who)


def test_a_blood_thinner_hold_reaches_the_patient_only_once_confirmed(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    pathway = planned(db, personas)
    answers = {**READY_ANSWERS, "medicines": [{"name": "Eliquis 5 mg", "frequency": "twice"}]}
    first = submit(db, personas, pathway, knowledge, answers)
    shown = page(db, personas, pathway, knowledge)
    assert shown.readiness == "needs_review"
    assert not [s for s in shown.steps if "blood_thinner" in s.code]
    decide(db, personas, pathway, knowledge, first.id, confirmed=True)
    shown = page(db, personas, pathway, knowledge)
    holds = [s for s in shown.steps if "blood_thinner" in s.code]
    assert holds and all(s.at < BOOKED for s in holds if "last_dose" in s.code)
    texts = [i.text for s in shown.preparation.sections for i in s.items]
    assert any(h.what in t for h in holds for t in texts)


def test_each_patient_sentence_is_stored_with_its_words_beside_its_english(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    # The patient's answers and a clinician's decision both store the core's result with
    # the words of each finding's message and each action's text (ADR 0007).
    pathway = planned(db, personas)
    answers = {**READY_ANSWERS, "medicines": [{"name": "Eliquis 5 mg"}]}
    first = submit(db, personas, pathway, knowledge, answers)
    decide(db, personas, pathway, knowledge, first.id, confirmed=True)
    with db.begin():
        rows = db.scalars(sa.select(ScreeningResponse).order_by(ScreeningResponse.id)).all()
        answered, held = (r.result for r in rows if r.result is not None)
    assert held["actions"] and answered == first.result
    for result in (answered, held):
        for finding in result["findings"]:
            said = words_or_english(finding["patient_message"], finding["words"])
            assert isinstance(said, Words) and said.text in screening_words_texts()
            # The clinicians' options stay English only.
            assert all("words" not in step for o in finding["options"] for step in o["steps"])
    actions = [*held["actions"], *(a for f in held["findings"] for a in f["actions"])]
    assert {a["code"] for a in actions} >= {"blood_thinner.last_dose", "blood_thinner.restart"}
    for action in actions:
        assert isinstance(words_or_english(action["what"], action["words"]), Words)
    assert [a.words is not None for a in stored_actions(held)] == [True] * len(held["actions"])


def screening_words_texts() -> set[str]:
    return {said.text for said in screening_words.FINDINGS.values()}


def test_decisions_are_carried_over_and_dropped_with_their_medicine(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    pathway = planned(db, personas)
    answers = {**READY_ANSWERS, "medicines": [{"name": "Eliquis 5 mg"}]}
    first = submit(db, personas, pathway, knowledge, answers)
    decide(db, personas, pathway, knowledge, first.id, confirmed=True)
    again = submit(db, personas, pathway, knowledge, {**answers, "kidney_function_impaired": None})
    assert len(again.answers["clinician_decisions"]) == 1
    without = submit(db, personas, pathway, knowledge, READY_ANSWERS)
    assert without.answers["clinician_decisions"] == []


def decide(
    db: Session,
    personas: Personas,
    pathway: Pathway,
    knowledge: Knowledge,
    response_id: int,
    *,
    confirmed: bool,
) -> None:
    screening_review.decide_medicine(
        db,
        actor=actor_of(db, personas.clinician.user.id),
        pathway_id=pathway.id,
        decision=screening_review.MedicineDecision(
            response_id=response_id,
            medicine="Eliquis 5 mg",
            decision=HoldDecision.HOLD,
            confirmed_with_prescriber=confirmed,
            prescriber="Dr. Prescriber",
            confirmed_on=date(2026, 3, 2),
        ),
        knowledge=knowledge,
        now=NOW,
    )


def test_a_moved_booking_marks_the_dates_stale(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    pathway = planned(db, personas)
    submit(db, personas, pathway, knowledge)
    with db.begin():
        appointment = db.scalars(sa.select(Appointment)).one()
        appointment.starts_at = BOOKED.replace(hour=18)
        appointment.ends_at = BOOKED.replace(hour=19)
    assert page(db, personas, pathway, knowledge).time_changed


# -- the clinic's plan ---------------------------------------------------------------------


def plan(**changes: Any) -> ProcedurePlan:
    values: dict[str, Any] = {
        "kind": Kind.DIAGNOSTIC,
        "side": Side.LEFT,
        "anesthetic_agent": "bupivacaine",
    }
    return ProcedurePlan(**(values | changes))


def set_plan(
    db: Session, personas: Personas, pathway: Pathway, knowledge: Knowledge, **changes: Any
) -> ScreeningResponse:
    return screening.plan_injection(
        db,
        actor=actor_of(db, personas.clinician.user.id),
        pathway_id=pathway.id,
        plan=plan(**changes),
        knowledge=knowledge,
        now=NOW,
    )


def test_a_plan_before_any_answers_is_a_draft(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    assert personas.patient.patient is not None
    pathway = make_pathway(db, patient=personas.patient.patient, opened_by=personas.clinician.user)
    row = set_plan(db, personas, pathway, knowledge)
    again = set_plan(db, personas, pathway, knowledge, sedation=Sedation.MINIMAL)
    assert (row.status, again.id) == ("draft", row.id)
    assert again.answers["procedure"]["sedation"] == "minimal"
    with db.begin():
        assert screening.plan_document(db, pathway.id) == again.answers["procedure"]


def test_a_new_plan_screens_the_answers_again(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    pathway = planned(db, personas)
    submit(db, personas, pathway, knowledge)
    row = set_plan(db, personas, pathway, knowledge, sedation=Sedation.MODERATE)
    assert row.status == "submitted" and row.answers["procedure"]["sedation"] == "moderate"
    assert row.answers["medicines"] == READY_ANSWERS["medicines"]
    assert row.result is not None
    assert any(a["code"].startswith("fasting.") for a in row.result["actions"])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"side": Side.RIGHT}, "side", id="another-side"),
        pytest.param({"anesthetic_agent": "novocaine"}, "anesthetic_agent", id="unknown-agent"),
    ],
)
def test_a_plan_must_match_the_pathway_and_the_knowledge(
    db: Session, personas: Personas, knowledge: Knowledge, changes: dict[str, Any], field: str
) -> None:
    pathway = planned(db, personas)
    with pytest.raises(Invalid) as refused:
        set_plan(db, personas, pathway, knowledge, **changes)
    assert [e.field for e in refused.value.errors] == [field]


def test_a_documented_injections_plan_is_final(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    assert personas.patient.patient is not None
    record = make_documented(
        db, patient=personas.patient.patient, clinician=personas.clinician.user
    )
    with db.begin():
        pathway = db.get(Pathway, record.pathway_id)
        assert pathway is not None
        before = db.scalar(sa.select(sa.func.count()).select_from(ScreeningResponse))
    with pytest.raises(Conflict) as refused:
        set_plan(db, personas, pathway, knowledge, anesthetic_agent="lidocaine")
    assert "already documented" in refused.value.message.text
    assert count(db, ScreeningResponse) == before


@pytest.mark.parametrize("who", ["patient", "scheduler", "outsider"])
def test_only_a_clinician_of_the_clinic_plans(
    db: Session, personas: Personas, knowledge: Knowledge, who: str
) -> None:
    pathway = planned(db, personas)
    with pytest.raises(Forbidden):
        screening.plan_injection(
            db,
            actor=actor_of(db, personas[who].user.id),
            pathway_id=pathway.id,
            plan=plan(),
            knowledge=knowledge,
            now=NOW,
        )
