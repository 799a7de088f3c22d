"""What the patient reads: the leaflet about the injection and the aftercare instructions.

Both come from the core: `compose_leaflet` (the same for everyone, no patient data) and
`aftercare_instructions` for the documented injection, with the blood sugar section when
the patient's newest screening answers say they have diabetes, and the dated steps of
the newest screening result that fall after the injection (a confirmed blood-thinner
restart).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from sijcare.db.models import Pathway, ProcedureRecord
from sijcare.domain.contact import Contact, contact_words, who_to_call
from sijcare.domain.education import Leaflet, compose_leaflet
from sijcare.domain.instructions import Instructions, aftercare_instructions
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.words import Words
from sijcare.services import audit, diary, screening_review
from sijcare.services.actor import Actor
from sijcare.services.screening_results import stored_actions


@dataclass(frozen=True)
class AftercarePage:
    record: ProcedureRecord
    pathway: Pathway
    instructions: Instructions
    contact: Contact  # who to call now (not an emergency)
    contact_words: Words  # its sentence, for a page in the reader's language
    emergency_number: str


def leaflet(knowledge: Knowledge) -> Leaflet:
    """The leaflet about the SI joint injection (no patient data: nothing to audit)."""
    return compose_leaflet(knowledge)


def view_aftercare(
    db: Session,
    *,
    actor: Actor,
    procedure_id: int,
    knowledge: Knowledge,
    zone: str,
    now: datetime,
) -> AftercarePage:
    """The aftercare instructions of a documented injection, with who to call now."""
    with db.begin():
        record, pathway, patient = diary.load_record(db, actor, procedure_id)
        procedure = diary.procedure_of(record, knowledge)
        response = screening_review.latest_response(db, pathway.id)
        answers = {} if response is None else response.answers
        result = {} if response is None else (response.result or {})
        actions = stored_actions(result)
        instructions = aftercare_instructions(
            procedure,
            knowledge,
            bool(answers.get("diabetes", {}).get("has")),
            screening_actions=actions,
            time_zone=zone,
        )
        audit.record(
            db,
            actor=actor,
            action="aftercare.view",
            at=now,
            target_type="procedure_record",
            target_id=record.id,
            patient_id=patient.id,
        )
    contact = who_to_call(now, knowledge, emergency=False)
    return AftercarePage(
        record=record,
        pathway=pathway,
        instructions=instructions,
        contact=contact,
        contact_words=contact_words(contact.kind, contact.number, knowledge),
        emergency_number=knowledge.text("clinic.emergency_phone"),
    )
