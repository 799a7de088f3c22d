"""Pathways at each stage for the workspace tests, made through the real services and core.

`Story(db, personas, knowledge)` acts as the personas: the clinician opens a pathway and
plans the injection, a procedure is booked, the patient answers the screening and
agrees to the injection, the clinician witnesses and documents it, the patient keeps a
diary and reports symptoms. Each step returns what it made. Times are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from factories import detach, make_appointment
from factories.clinical import procedure_document
from fixtures_db import Persona, Personas
from sijcare.db.enums import AppointmentKind, Kind, Side
from sijcare.db.models import Appointment, ConsentRecord, Pathway, Patient, ScreeningResponse
from sijcare.domain.consent import Question
from sijcare.domain.intake import ProcedurePlan
from sijcare.domain.knowledge import Knowledge
from sijcare.services import consent, diary, pathways, procedures, screening, triage
from sijcare.services.actor import Actor, Origin, load_actor

# Monday 2 March 2026, 08:00 in Los Angeles: the web tests' frozen "now".
NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
# The procedure, that afternoon at 12:00 PST.
PROCEDURE_AT = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
APIXABAN = {"name": "Eliquis 5 mg", "dose": "5 mg", "frequency": "twice a day"}


def answers(**overrides: Any) -> dict[str, Any]:
    """The patient's screening answers (INTAKE.json without the plan and decisions)."""
    values: dict[str, Any] = {
        "current_infection": False,
        "immunocompromised": False,
        "possibly_pregnant": False,
        "diabetes": {"has": False, "uses_insulin": None},
        "driver_arranged": True,
        "kidney_function_impaired": False,
        "medicines": [],
        "allergies": [],
        "past_reactions": [],
    }
    return values | overrides


def plan_of(kind: Kind, side: Side) -> ProcedurePlan:
    if kind is Kind.DIAGNOSTIC:
        return ProcedurePlan(kind=kind, side=side, anesthetic_agent="lidocaine")
    return ProcedurePlan(
        kind=kind, side=side, anesthetic_agent="bupivacaine", steroid_agent="triamcinolone"
    )


@dataclass
class Story:
    db: Session
    personas: Personas
    knowledge: Knowledge

    def actor(self, persona: Persona | str) -> Actor:
        who = self.personas[persona] if isinstance(persona, str) else persona
        with self.db.begin():
            actor = load_actor(self.db, who.user.id, Origin(user_agent="tests"))
        assert actor is not None
        return actor

    def pathway(
        self, *, kind: Kind = Kind.DIAGNOSTIC, side: Side = Side.LEFT, patient: str = "patient"
    ) -> Pathway:
        person = self.personas[patient].patient
        assert person is not None
        return pathways.open_pathway(
            self.db,
            actor=self.actor("clinician"),
            public_id=person.public_id,
            side=side,
            kind=kind,
            now=NOW - timedelta(days=14),
        )

    def book(self, pathway: Pathway, starts_at: datetime = PROCEDURE_AT) -> Appointment:
        practitioner = self.personas.clinician.practitioner
        assert practitioner is not None
        with self.db.begin():
            patient = self.db.get(Patient, pathway.patient_id)
            assert patient is not None
            appointment = make_appointment(
                self.db,
                patient=patient,
                practitioner=practitioner,
                location=self.personas.location,
                created_by=self.personas.scheduler.user,
                kind=AppointmentKind.PROCEDURE,
                room_id=self.personas.room.id,
                pathway_id=pathway.id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=45),
                created_at=NOW - timedelta(days=10),
            )
        detach(self.db)
        return appointment

    def screen(
        self,
        pathway: Pathway,
        *,
        medicines: Iterable[dict[str, Any]] = (),
        at: datetime = NOW - timedelta(days=3),
        patient: str = "patient",
        **overrides: Any,
    ) -> ScreeningResponse:
        """Plan the injection (clinician), then the patient answers the screening."""
        screening.plan_injection(
            self.db,
            actor=self.actor("clinician"),
            pathway_id=pathway.id,
            plan=plan_of(pathway.kind, pathway.side),
            knowledge=self.knowledge,
            now=at - timedelta(hours=1),
        )
        driver = screening.DriverDetails("Robin Patient", "+1 310-555-0199", "partner")
        return screening.submit(
            self.db,
            actor=self.actor(patient),
            pathway_id=pathway.id,
            answers=answers(medicines=list(medicines), **overrides),
            driver=driver,
            knowledge=self.knowledge,
            now=at,
        )

    def agree(
        self,
        pathway: Pathway,
        *,
        at: datetime = NOW - timedelta(days=2),
        patient: str = "patient",
        language: str = "en",
    ) -> ConsentRecord:
        """The patient confirms every consent answer, read in `language`, and agrees."""
        page = consent.view_consent(
            self.db,
            actor=self.actor(patient),
            pathway_id=pathway.id,
            knowledge=self.knowledge,
            now=at,
        )
        assert page.questions is not None, page.status
        return consent.give_consent(
            self.db,
            actor=self.actor(patient),
            pathway_id=pathway.id,
            plan_version=page.questions.plan_version,
            confirmed=[q.value for q in Question],
            agree=True,
            language=language,
            knowledge=self.knowledge,
            now=at,
        )

    def witness(self, pathway: Pathway, *, at: datetime = NOW - timedelta(days=2)) -> None:
        with self.db.begin():
            row = procedures.latest_consent(self.db, pathway.id)
        assert row is not None
        procedures.witness_consent(
            self.db,
            actor=self.actor("clinician"),
            pathway_id=pathway.id,
            consent_id=row.id,
            knowledge=self.knowledge,
            now=at + timedelta(minutes=5),
        )

    def ready(
        self, pathway: Pathway, *, starts_at: datetime = PROCEDURE_AT, **screen: Any
    ) -> Pathway:
        """Booked, screened, consented and witnessed: ready to be documented."""
        self.book(pathway, starts_at)
        self.screen(pathway, **screen)
        self.agree(pathway)
        self.witness(pathway)
        return pathway

    def document(
        self, pathway: Pathway, *, performed_at: datetime = PROCEDURE_AT, **overrides: Any
    ) -> procedures.ProcedureView:
        document = procedure_document(
            performed_at=performed_at, kind=pathway.kind, side=pathway.side, **overrides
        )
        if pathway.kind is Kind.THERAPEUTIC:
            document["anesthetic"]["agent"] = "bupivacaine"
        return procedures.document_procedure(
            self.db,
            actor=self.actor("clinician"),
            pathway_id=pathway.id,
            document=document,
            knowledge=self.knowledge,
            now=performed_at + timedelta(hours=1),
        )

    def scores(
        self, procedure_id: int, performed_at: datetime, entries: Iterable[tuple[timedelta, int]]
    ) -> None:
        """The patient records each (time after the injection, pain) when it happens."""
        for after, pain in entries:
            at = performed_at + after
            diary.record_entry(
                self.db,
                actor=self.actor("patient"),
                procedure_id=procedure_id,
                entry=diary.NewEntry(pain=pain, recorded_at=at),
                knowledge=self.knowledge,
                now=at + timedelta(minutes=1),
            )

    def report(self, procedure_id: int, at: datetime, **symptoms: Any) -> int:
        outcome = triage.report_symptoms(
            self.db,
            actor=self.actor("patient"),
            procedure_id=procedure_id,
            symptoms=symptoms,
            knowledge=self.knowledge,
            now=at,
        )
        assert outcome.report_id is not None
        return outcome.report_id


# A diagnostic block's diary: scores in the first hours (relief 86% at 1 h with baseline 7).
POSITIVE_BLOCK = (
    (timedelta(minutes=30), 2),
    (timedelta(hours=1), 1),
    (timedelta(hours=2), 2),
    (timedelta(hours=4), 5),
)
