"""The next-step plan: what the core recommends after a patient's blocks and injections.

The patient's documented procedures (every pathway, in time order) with their diaries
make the core's `History`; `recommend_next_step` reads it under the chosen payer
profile (table `payer_profiles`) on today's date in the clinic's time zone. Nothing is
stored: the plan is recomputed whenever it is viewed, and the view is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.models import DiaryEntry, Pathway, ProcedureRecord
from sijcare.domain.contact import clinic_zone
from sijcare.domain.eligibility import History, RecordedProcedure
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.next_steps import NextStepPlan, recommend_next_step
from sijcare.domain.relief import PainScore
from sijcare.services import access, audit, patients, procedures
from sijcare.services.actor import Actor
from sijcare.services.errors import Invalid, Message, msg

PAYER_TABLE = "payer_profiles"


@dataclass(frozen=True)
class Payer:
    id: str
    title: str


@dataclass(frozen=True)
class PlanView:
    """The plan for the patient under `payer`; `problem` says why there is none."""

    patient_public_id: str
    patient_name: str
    payer: str
    payers: tuple[Payer, ...]
    procedures: int
    plan: NextStepPlan | None
    problem: Message | None


def payers(knowledge: Knowledge) -> tuple[Payer, ...]:
    """The payer profiles a clinic may choose, from the knowledge base."""
    return tuple(Payer(str(row["id"]), str(row["title"])) for row in knowledge.table(PAYER_TABLE))


def patient_history(db: Session, patient_id: int, knowledge: Knowledge) -> History | None:
    """Every documented procedure of the patient with its diary, oldest first (None: none)."""
    records = db.scalars(
        sa.select(ProcedureRecord)
        .join(Pathway, Pathway.id == ProcedureRecord.pathway_id)
        .where(Pathway.patient_id == patient_id)
        .order_by(ProcedureRecord.performed_at, ProcedureRecord.id)
    ).all()
    if not records:
        return None
    return History(
        procedures=tuple(
            RecordedProcedure(
                procedure=procedures.read_procedure(record, knowledge),
                diary=diary_scores(db, record.id),
            )
            for record in records
        )
    )


def diary_scores(db: Session, procedure_id: int) -> tuple[PainScore, ...]:
    """The procedure's diary as the core's pain scores, in time order."""
    entries = db.scalars(
        sa.select(DiaryEntry)
        .where(DiaryEntry.procedure_id == procedure_id)
        .order_by(DiaryEntry.recorded_at, DiaryEntry.id)
    ).all()
    return tuple(
        PainScore(
            recorded_at=entry.recorded_at,
            pain=entry.pain,
            note=entry.note or None,
            activity_done=entry.activity_done,
        )
        for entry in entries
    )


def recommend(
    db: Session,
    *,
    actor: Actor,
    public_id: str,
    payer: str,
    knowledge: Knowledge,
    now: datetime,
) -> PlanView:
    """The core's next step for the patient under `payer` (a clinician of their clinic)."""
    choices = payers(knowledge)
    if payer not in {p.id for p in choices}:
        raise Invalid.one("payer", msg("Choose a payer from the list."))
    with db.begin():
        patient = patients.load(db, actor, public_id, clinical=True)
        access.require_clinician(actor, patient)
        history = patient_history(db, patient.id, knowledge)
        plan, problem = None, None
        if history is None:
            problem = msg("No procedure is documented for this patient yet.")
        else:
            today = now.astimezone(clinic_zone(knowledge)).date()
            try:
                plan = recommend_next_step(history, payer, today, knowledge)
            except InputError as exc:
                problem = msg("The plan cannot be worked out: {detail}.", detail=str(exc))
        audit.record(
            db,
            actor=actor,
            action="plan.view",
            at=now,
            target_type="patient",
            target_id=patient.public_id,
            patient_id=patient.id,
            detail={"payer": payer},
        )
        return PlanView(
            patient_public_id=patient.public_id,
            patient_name=patient.name,
            payer=payer,
            payers=choices,
            procedures=0 if history is None else len(history.procedures),
            plan=plan,
            problem=problem,
        )
