"""The demo clinic's patients at different stages of their pathway, for trying the workspace.

`populate` takes four patients with accounts and brings each to a stage through the
real services and the core, as the clinicians and the patients themselves would:

1. screened, with a blood thinner (apixaban) waiting for a clinician's review;
2. screened clean, consented and witnessed, booked for today and about to be documented;
3. a diagnostic block done yesterday, documented, with the pain diary of its first hours;
4. a therapeutic injection five weeks ago with its diary over the weeks since, and a
   symptom report the triage sends to the red-flag inbox.

Times are relative to `now`. A procedure still to come takes a free slot of the
physician; procedures that have started are entered as the booking they had (the
schedule of hours may not reach that far back, and a slot cannot be booked once past). Each story uses a joint of the patient that has no
active pathway. For a local trial only, like the rest of the demo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import (
    AppointmentKind,
    AppointmentMode,
    AppointmentStatus,
    Kind,
    PathwayStatus,
    PractitionerKind,
    Side,
)
from sijcare.db.models import (
    Appointment,
    Clinic,
    Location,
    Pathway,
    Patient,
    Practitioner,
    PractitionerLocation,
    Room,
)
from sijcare.domain.consent import Question
from sijcare.domain.intake import ProcedurePlan
from sijcare.domain.knowledge import Knowledge
from sijcare.services import (
    appointments,
    audit,
    consent,
    diary,
    free_times,
    pathways,
    procedures,
    screening,
    triage,
)
from sijcare.services.actor import Actor, Origin, load_actor

_ORIGIN = Origin(user_agent="sijcare demo pathways")
_DRIVER = screening.DriverDetails("Chris Morgan", "+1 310-555-0147", "friend")
# A diagnostic block's first hours and the next morning: (minutes after, pain); baseline 7.
_BLOCK_DIARY = ((15, 3), (30, 2), (60, 1), (120, 1), (240, 4), (360, 6), (1440, 7))
# A therapeutic injection's diary over five weeks: (days after, hour of day, pain); baseline 8.
_INJECTION_DIARY = (
    (0, 11, 3),
    (0, 15, 5),
    (1, 9, 8),
    (2, 9, 9),
    (3, 9, 7),
    (4, 9, 6),
    (5, 9, 5),
    (6, 9, 4),
    (7, 9, 4),
    (8, 9, 3),
    (10, 9, 3),
    (12, 9, 3),
    (14, 9, 2),
    (21, 9, 3),
    (28, 9, 3),
    (34, 9, 4),
)


@dataclass(frozen=True)
class DemoPathways:
    """The pathway of each story (ids), for a trial's first clicks."""

    blood_thinner_review: int
    consented_and_booked: int
    diagnostic_diary: int
    therapeutic_with_red_flag: int


def populate(
    db: Session,
    *,
    clinic: Clinic,
    patients: Sequence[Patient],
    practitioners: Sequence[Practitioner],
    now: datetime,
    knowledge: Knowledge,
) -> DemoPathways:
    """Bring four patients (with accounts) to the four stages above.

    `practitioners` must include a physician with an account and weekly hours in the
    next two weeks (the first such physician does everything).
    """
    if len(patients) < 4:
        raise ValueError("the demo pathways need four patients")
    story = _Story(db, clinic, _physician(practitioners), now, knowledge)
    first, second, third, fourth = patients[:4]
    return DemoPathways(
        blood_thinner_review=story.blood_thinner(first),
        consented_and_booked=story.consented(second),
        diagnostic_diary=story.block_with_diary(third),
        therapeutic_with_red_flag=story.injection_with_red_flag(fourth),
    )


def _physician(practitioners: Sequence[Practitioner]) -> Practitioner:
    for practitioner in practitioners:
        if practitioner.kind is PractitionerKind.PHYSICIAN and practitioner.user_id is not None:
            return practitioner
    raise ValueError("the demo pathways need a physician with an account")


@dataclass
class _Story:
    db: Session
    clinic: Clinic
    physician: Practitioner
    now: datetime
    knowledge: Knowledge

    # -- who acts --------------------------------------------------------------------

    def actor(self, user_id: int | None) -> Actor:
        if user_id is None:
            raise ValueError("every demo patient needs an account")
        with self.db.begin():
            actor = load_actor(self.db, user_id, _ORIGIN)
        if actor is None:
            raise ValueError(f"user {user_id} is not active")
        return actor

    @property
    def clinician(self) -> Actor:
        return self.actor(self.physician.user_id)

    @cached_property
    def zone(self) -> ZoneInfo:
        # Read once, in a transaction: after a commit the clinic's attributes are expired
        # and this session does not begin one by itself.
        if self.db.in_transaction():
            return ZoneInfo(self.clinic.time_zone)
        with self.db.begin():
            return ZoneInfo(self.clinic.time_zone)

    def local(self, days: int, hour: int, minute: int = 0) -> datetime:
        """`hour`:`minute` local time `days` after today (negative: before)."""
        day = self.now.astimezone(self.zone).date() + timedelta(days=days)
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)

    # -- the stories -----------------------------------------------------------------

    def blood_thinner(self, patient: Patient) -> int:
        pathway = self.open(patient, Kind.DIAGNOSTIC, self.now - timedelta(days=10))
        self.plan(pathway, self.now - timedelta(days=9))
        self.book_next(patient, pathway, skip=4)
        self.answer(
            patient,
            pathway,
            self.now - timedelta(hours=1),
            medicines=[
                {"name": "Eliquis 5 mg", "dose": "5 mg", "frequency": "twice a day"},
                {"name": "Lisinopril 10 mg", "dose": "10 mg", "frequency": "once a day"},
            ],
        )
        return pathway.id

    def consented(self, patient: Patient) -> int:
        """Today's procedure, started a little while ago: ready to be documented."""
        starts = self.now - timedelta(minutes=60 + self.now.minute % 15)
        pathway = self.open(patient, Kind.DIAGNOSTIC, self.now - timedelta(days=20))
        self.plan(pathway, self.now - timedelta(days=19))
        self.booked_in_the_past(patient, pathway, starts, self.now - timedelta(days=7))
        self.answer(patient, pathway, self.now - timedelta(days=2))
        self.agree_and_witness(patient, pathway, starts - timedelta(minutes=40))
        return pathway.id

    def block_with_diary(self, patient: Patient) -> int:
        performed = self.local(-1, 9)
        pathway = self.open(patient, Kind.DIAGNOSTIC, performed - timedelta(days=14))
        self.plan(pathway, performed - timedelta(days=13))
        self.booked_in_the_past(patient, pathway, performed, performed - timedelta(days=12))
        self.answer(patient, pathway, performed - timedelta(days=3))
        self.agree_and_witness(patient, pathway, performed - timedelta(hours=1))
        record = self.document(pathway, performed, baseline=7, steroid=None)
        self.diary(
            patient,
            record,
            [performed + timedelta(minutes=m) for m, _ in _BLOCK_DIARY],
            [pain for _, pain in _BLOCK_DIARY],
            documented=performed + timedelta(minutes=45),
        )
        return pathway.id

    def injection_with_red_flag(self, patient: Patient) -> int:
        performed = self.local(-35, 10)
        pathway = self.open(patient, Kind.THERAPEUTIC, performed - timedelta(days=21))
        self.plan(pathway, performed - timedelta(days=20))
        self.booked_in_the_past(patient, pathway, performed, performed - timedelta(days=18))
        self.answer(patient, pathway, performed - timedelta(days=4))
        self.agree_and_witness(patient, pathway, performed - timedelta(hours=1))
        record = self.document(pathway, performed, baseline=8, steroid="triamcinolone")
        times = [self.local(-35 + day, hour) for day, hour, _ in _INJECTION_DIARY]
        self.diary(
            patient,
            record,
            times,
            [pain for _, _, pain in _INJECTION_DIARY],
            documented=performed + timedelta(minutes=50),
        )
        triage.report_symptoms(
            self.db,
            actor=self.actor(patient.user_id),
            procedure_id=record,
            symptoms={"temperature_c": 38.4, "site_redness": True, "site_warmth": True},
            knowledge=self.knowledge,
            now=self.now - timedelta(hours=2),
        )
        return pathway.id

    # -- the steps -------------------------------------------------------------------

    def open(self, patient: Patient, kind: Kind, at: datetime) -> Pathway:
        return pathways.open_pathway(
            self.db,
            actor=self.clinician,
            public_id=patient.public_id,
            side=self.free_side(patient),
            kind=kind,
            now=at,
        )

    def free_side(self, patient: Patient) -> Side:
        with self.db.begin():
            busy = self.db.scalars(
                sa.select(Pathway).where(
                    Pathway.patient_id == patient.id, Pathway.status == PathwayStatus.ACTIVE
                )
            ).all()
        for side, covered in ((Side.LEFT, "covers_left"), (Side.RIGHT, "covers_right")):
            if not any(getattr(p, covered) for p in busy):
                return side
        raise ValueError(f"patient {patient.public_id} has active pathways on both sides")

    def plan(self, pathway: Pathway, at: datetime) -> None:
        therapeutic = pathway.kind is Kind.THERAPEUTIC
        screening.plan_injection(
            self.db,
            actor=self.clinician,
            pathway_id=pathway.id,
            plan=ProcedurePlan(
                kind=pathway.kind,
                side=pathway.side,
                anesthetic_agent="bupivacaine" if therapeutic else "lidocaine",
                steroid_agent="triamcinolone" if therapeutic else None,
            ),
            knowledge=self.knowledge,
            now=at,
        )

    def book_next(self, patient: Patient, pathway: Pathway, *, skip: int) -> None:
        """Book a procedure in a free slot of the physician, `skip` slots after the first."""
        with self.db.begin():
            location = self.location()
        free = free_times.free_slots(
            self.db,
            actor=self.clinician,
            practitioner_id=self.physician.id,
            location_id=location.id,
            first_day=(self.now + timedelta(days=1)).astimezone(self.zone).date(),
            days=14,
            now=self.now,
        )
        if not free:
            raise ValueError("the demo physician has no free time in the next two weeks")
        slot = free[min(skip, len(free) - 1)]
        appointments.book(
            self.db,
            actor=self.clinician,
            public_id=patient.public_id,
            now=self.now - timedelta(hours=4),
            request=appointments.BookingRequest(
                practitioner_id=self.physician.id,
                location_id=location.id,
                starts_at=slot.starts_at,
                kind=AppointmentKind.PROCEDURE,
                mode=AppointmentMode.IN_PERSON,
                pathway_id=pathway.id,
            ),
        )

    def booked_in_the_past(
        self, patient: Patient, pathway: Pathway, starts_at: datetime, booked_at: datetime
    ) -> None:
        """The booking a past procedure had (the schedule of hours may not reach back)."""
        actor = self.clinician
        with self.db.begin():
            location = self.location()
            room = self.db.scalar(
                sa.select(Room.id)
                .where(Room.location_id == location.id)
                .order_by(Room.fluoroscopy.desc(), Room.id)
                .limit(1)
            )
            row = Appointment(
                clinic_id=self.clinic.id,
                patient_id=patient.id,
                practitioner_id=self.physician.id,
                location_id=location.id,
                room_id=room,
                pathway_id=pathway.id,
                kind=AppointmentKind.PROCEDURE,
                mode=AppointmentMode.IN_PERSON,
                status=AppointmentStatus.BOOKED,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=45),
                created_at=booked_at,
                created_by=actor.user_id,
            )
            self.db.add(row)
            self.db.flush()
            audit.record(
                self.db,
                actor=actor,
                action="appointment.book",
                at=booked_at,
                target_type="appointment",
                target_id=row.id,
                patient_id=patient.id,
                detail={"kind": "procedure", "mode": "in_person", "demo": True},
            )

    def location(self) -> Location:
        """The physician's first place of work (call inside a transaction)."""
        location = self.db.scalar(
            sa.select(Location)
            .join(PractitionerLocation, PractitionerLocation.location_id == Location.id)
            .where(PractitionerLocation.practitioner_id == self.physician.id)
            .order_by(Location.id)
            .limit(1)
        )
        if location is None:
            raise ValueError("the demo physician works at no location")
        return location

    def answer(
        self,
        patient: Patient,
        pathway: Pathway,
        at: datetime,
        medicines: list[dict[str, Any]] | None = None,
    ) -> None:
        screening.submit(
            self.db,
            actor=self.actor(patient.user_id),
            pathway_id=pathway.id,
            answers={
                "current_infection": False,
                "immunocompromised": False,
                "possibly_pregnant": False,
                "diabetes": {"has": False, "uses_insulin": None},
                "driver_arranged": True,
                "kidney_function_impaired": False,
                "medicines": medicines or [],
                "allergies": [],
                "past_reactions": [],
            },
            driver=_DRIVER,
            knowledge=self.knowledge,
            now=at,
        )

    def agree_and_witness(self, patient: Patient, pathway: Pathway, at: datetime) -> None:
        reader = self.actor(patient.user_id)
        page = consent.view_consent(
            self.db,
            actor=reader,
            pathway_id=pathway.id,
            knowledge=self.knowledge,
            now=at,
        )
        if page.questions is None:
            raise ValueError(f"pathway {pathway.id} has nothing to consent to")
        row = consent.give_consent(
            self.db,
            actor=reader,
            pathway_id=pathway.id,
            plan_version=page.questions.plan_version,
            confirmed=[q.value for q in Question],
            agree=True,
            language=reader.locale,  # the demo patient reads in their account's language
            knowledge=self.knowledge,
            now=at,
        )
        procedures.witness_consent(
            self.db,
            actor=self.clinician,
            pathway_id=pathway.id,
            consent_id=row.id,
            knowledge=self.knowledge,
            now=at + timedelta(minutes=10),
        )

    def document(
        self, pathway: Pathway, performed: datetime, *, baseline: int, steroid: str | None
    ) -> int:
        return procedures.document_procedure(
            self.db,
            actor=self.clinician,
            pathway_id=pathway.id,
            document={
                "performed_at": performed.isoformat(),
                "kind": pathway.kind.value,
                "side": pathway.side.value,
                "anesthetic": {
                    "agent": "bupivacaine" if steroid else "lidocaine",
                    "concentration_percent": 0.25 if steroid else 1.0,
                    "volume_ml": 2.0,
                },
                "steroid": None if steroid is None else {"agent": steroid, "dose_mg": 40.0},
                "baseline_pain": baseline,
                "guidance": "fluoroscopy",
                "contrast": {"used": True, "agent": "iohexol", "reason_not_used": None},
                "sedation": "none",
                "physician": self.physician.name,
                "observation_end": (performed + timedelta(minutes=30)).isoformat(),
                "discharged_at": (performed + timedelta(minutes=40)).isoformat(),
                "driver_present": True,
            },
            knowledge=self.knowledge,
            now=performed + timedelta(minutes=45),
        ).id

    def diary(
        self,
        patient: Patient,
        procedure_id: int,
        times: Sequence[datetime],
        pains: Sequence[int],
        *,
        documented: datetime,
    ) -> None:
        """The patient records each score when it happens (none after `now`)."""
        actor = self.actor(patient.user_id)
        for at, pain in zip(times, pains, strict=True):
            if at >= self.now:
                continue
            diary.record_entry(
                self.db,
                actor=actor,
                procedure_id=procedure_id,
                entry=diary.NewEntry(pain=pain, recorded_at=at),
                knowledge=self.knowledge,
                now=min(max(at, documented) + timedelta(minutes=1), self.now),
            )
