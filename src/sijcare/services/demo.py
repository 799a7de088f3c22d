"""A demo clinic to try the app with: people, places, hours and patients at different stages.

`load_demo` is idempotent: when the demo clinic exists it changes nothing and returns the
logins again. Every demo account has the password `DEMO_PASSWORD`. The demo is for a
local trial only (`sijcare demo` refuses to run in production).

Times are relative to `now`: hours start on the Monday of the current week, and the
appointments and the procedure fall around today. The clinic's earlier patients (its
history, for the quality dashboard and a full worklist) come from `history`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import AppointmentKind, AppointmentMode, Kind, PractitionerKind, Role, Side
from sijcare.db.models import (
    Availability,
    Clinic,
    DiaryEntry,
    Location,
    Patient,
    Practitioner,
    PractitionerLocation,
    ProcedureRecord,
    Room,
    User,
)
from sijcare.domain.knowledge import Knowledge
from sijcare.formats.procedure import procedure_from_dict, procedure_to_dict
from sijcare.services import (
    appointments,
    audit,
    demo_pathways,
    drivers,
    free_times,
    pathways,
    patients,
)
from sijcare.services.actor import Actor, Origin, load_actor
from sijcare.services.passwords import Passwords

DEMO_CLINIC = "Sunset Spine and Pain Clinic (demo)"
DEMO_PASSWORD = "sijcare-demo-2026"
ZONE = "America/Los_Angeles"
_ORIGIN = Origin(user_agent="sijcare demo loader")


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    email: str


@dataclass(frozen=True)
class DemoResult:
    created: bool
    logins: list[DemoLogin]
    password: str = DEMO_PASSWORD


# (name, e-mail, kind, specialty, qualifications, virtual, locations, weekly hours)
_PRACTITIONERS = (
    (
        "Dr. Maya Chen",
        "maya.chen@example.org",
        PractitionerKind.PHYSICIAN,
        "Interventional pain medicine",
        "Board certified in Anesthesiology\nSubspecialty certification in Pain Medicine\n"
        "Fellowship in Interventional Pain Medicine",
        True,
        ("Santa Monica",),
        ((0, "08:00", "12:00"), (2, "08:00", "12:00"), (4, "13:00", "17:00")),
    ),
    (
        "Dr. Luis Ortega",
        "luis.ortega@example.org",
        PractitionerKind.PHYSICIAN,
        "Physical medicine and rehabilitation",
        "Board certified in Physical Medicine and Rehabilitation\nSubspecialty certification in Pain Medicine",
        True,
        ("Santa Monica", "Pasadena"),
        ((1, "09:00", "15:00"), (3, "09:00", "15:00")),
    ),
    (
        "Dr. Priya Natarajan",
        "priya.natarajan@example.org",
        PractitionerKind.PHYSICIAN,
        "Anesthesiology and pain medicine",
        "Board certified in Anesthesiology\nFellowship in Pain Medicine",
        False,
        ("Pasadena",),
        ((0, "13:00", "17:00"), (2, "13:00", "17:00"), (4, "08:00", "12:00")),
    ),
    (
        "Jordan Lee, RN",
        "jordan.lee@example.org",
        PractitionerKind.NURSE,
        "Procedure nursing",
        "Registered Nurse\nCertified Post Anesthesia Nurse",
        True,
        ("Santa Monica", "Pasadena"),
        (),
    ),
)
_PATIENTS = (
    ("Jamie Brooks", "jamie.brooks@example.org", date(1968, 4, 12), "en"),
    ("Alex Rivera", "alex.rivera@example.org", date(1975, 9, 3), "es"),
    ("Morgan Lee", "morgan.lee@example.org", date(1959, 1, 27), "en"),
    ("Taylor Kim", "taylor.kim@example.org", date(1982, 11, 8), "en"),
)
# Patients whose pathways `demo_pathways` brings to the clinical stages (a blood thinner
# awaiting review, consented and booked, a diagnostic block's diary, a red flag).
_STORY_PATIENTS = (
    ("Riley Stone", "riley.stone@example.org", date(1964, 6, 21), "en"),
    ("Casey Park", "casey.park@example.org", date(1971, 2, 14), "en"),
    ("Dana Wells", "dana.wells@example.org", date(1957, 10, 5), "en"),
    ("Tom Reyes", "tom.reyes@example.org", date(1979, 7, 30), "es"),
)


History = Callable[[int, str], None]


def load_demo(
    db: Session,
    *,
    now: datetime,
    passwords: Passwords,
    knowledge: Knowledge,
    history: History | None = None,
) -> DemoResult:
    """Create the demo clinic unless it exists; the logins either way.

    `history(clinic_id, password_hash)`, when given, writes the clinic's earlier patients
    (the CLI passes a small synthetic run) once its people and places exist and before
    the hand-made patients book their times, so those take what is still free.
    """
    with db.begin():
        exists = db.scalar(sa.select(Clinic.id).where(Clinic.name == DEMO_CLINIC)) is not None
    if not exists:
        _create(db, now, passwords, knowledge, history)
    with db.begin():
        users = db.execute(
            sa.select(User.role, User.display_name, User.email)
            .join(Clinic, Clinic.id == User.clinic_id)
            .where(Clinic.name == DEMO_CLINIC, User.email.in_(_demo_emails()))
            .order_by(User.role, User.id)
        ).all()
    return DemoResult(not exists, [DemoLogin(r.value, n, e) for r, n, e in users])


def _demo_emails() -> list[str]:
    """The hand-made accounts (the history's patients are not listed as logins)."""
    people = [row[1] for row in _PRACTITIONERS + _PATIENTS + _STORY_PATIENTS]
    return ["admin@example.org", "scheduler@example.org", *people]


def _create(
    db: Session, now: datetime, passwords: Passwords, knowledge: Knowledge, history: History | None
) -> None:
    password_hash = passwords.hash(DEMO_PASSWORD)
    with db.begin():
        clinic = Clinic(name=DEMO_CLINIC, time_zone=ZONE)
        db.add(clinic)
        db.flush()

        def user(name: str, email: str, role: Role, locale: str = "en") -> User:
            row = User(
                clinic_id=clinic.id,
                email=email,
                password_hash=password_hash,
                role=role,
                display_name=name,
                locale=locale,
                created_at=now,
            )
            db.add(row)
            db.flush()
            return row

        admin = user("Ada Admin", "admin@example.org", Role.ADMIN)
        scheduler = user("Sam Scheduler", "scheduler@example.org", Role.SCHEDULER)
        places = _places(db, clinic)
        physicians = _practitioners(db, clinic, places, user, now)
        patient_users = [
            user(name, email, Role.PATIENT, locale)
            for name, email, _, locale in _PATIENTS + _STORY_PATIENTS
        ]
    if history is not None:
        history(clinic.id, password_hash)
    staff = _actor(db, scheduler.id)
    clinician = _actor(db, physicians[0].user_id)
    ids = []
    for (name, _, born, _), account in zip(_PATIENTS + _STORY_PATIENTS, patient_users, strict=True):
        summary = patients.register_patient(
            db,
            actor=staff,
            name=name,
            date_of_birth=born,
            phone="+1 310-555-0123",
            now=now,
            user_id=account.id,
        )
        ids.append(summary.public_id)
    _stories(db, ids[: len(_PATIENTS)], clinician, staff, physicians, places, now, knowledge)
    with db.begin():
        story_patients = [
            db.scalars(sa.select(Patient).where(Patient.public_id == public_id)).one()
            for public_id in ids[len(_PATIENTS) :]
        ]
    demo_pathways.populate(
        db,
        clinic=clinic,
        patients=story_patients,
        practitioners=physicians,
        now=now,
        knowledge=knowledge,
    )
    admin_actor = _actor(db, admin.id)
    with db.begin():
        audit.record(db, actor=admin_actor, action="demo.load", at=now)


def _places(db: Session, clinic: Clinic) -> dict[str, Location]:
    out = {}
    for name, address in (
        ("Santa Monica", "1200 Wilshire Blvd, Santa Monica, CA"),
        ("Pasadena", "75 Colorado Blvd, Pasadena, CA"),
    ):
        location = Location(clinic_id=clinic.id, name=name, address=address, time_zone=ZONE)
        db.add(location)
        db.flush()
        db.add_all(
            [
                Room(location_id=location.id, name="Procedure room 1", fluoroscopy=True),
                Room(location_id=location.id, name="Consult room A", fluoroscopy=False),
            ]
        )
        out[name] = location
    return out


def _practitioners(
    db: Session, clinic: Clinic, places: dict[str, Location], user: object, now: datetime
) -> list[Practitioner]:
    monday = _monday(now)
    out = []
    for name, email, kind, specialty, qualifications, virtual, where, hours in _PRACTITIONERS:
        account = user(name, email, Role.CLINICIAN)  # type: ignore[operator]
        practitioner = Practitioner(
            clinic_id=clinic.id,
            user_id=account.id,
            name=name,
            kind=kind,
            specialty=specialty,
            qualifications=qualifications,
            accepts_virtual=virtual,
        )
        db.add(practitioner)
        db.flush()
        for place in where:
            db.add(
                PractitionerLocation(practitioner_id=practitioner.id, location_id=places[place].id)
            )
        db.flush()
        for weekday, start, end in hours:
            for place in where:
                db.add(
                    Availability(
                        practitioner_id=practitioner.id,
                        location_id=places[place].id,
                        weekday=weekday,
                        start_local=time.fromisoformat(start),
                        end_local=time.fromisoformat(end),
                        slot_minutes=30,
                        valid_from=monday,
                    )
                )
                break  # weekly hours at the first location; others by arrangement
        out.append(practitioner)
    return out


def _stories(
    db: Session,
    ids: list[str],
    clinician: Actor,
    staff: Actor,
    physicians: list[Practitioner],
    places: dict[str, Location],
    now: datetime,
    knowledge: Knowledge,
) -> None:
    jamie, alex, morgan, taylor = ids
    chen = physicians[0]
    santa_monica = places["Santa Monica"]
    # Jamie: a new diagnostic pathway on the left; a virtual follow-up visit soon.
    left = pathways.open_pathway(
        db, actor=clinician, public_id=jamie, side=Side.LEFT, kind=Kind.DIAGNOSTIC, now=now
    )
    _book(
        db,
        staff,
        jamie,
        chen,
        santa_monica,
        now,
        AppointmentKind.FOLLOW_UP,
        AppointmentMode.VIRTUAL,
        left.id,
        skip=0,
    )
    # Alex: a therapeutic injection on both sides, booked, with a driver home.
    both = pathways.open_pathway(
        db, actor=clinician, public_id=alex, side=Side.BILATERAL, kind=Kind.THERAPEUTIC, now=now
    )
    _book(
        db,
        staff,
        alex,
        chen,
        santa_monica,
        now,
        AppointmentKind.PROCEDURE,
        AppointmentMode.IN_PERSON,
        both.id,
        skip=3,
    )
    drivers.record_driver(
        db,
        actor=clinician,
        pathway_id=both.id,
        driver=drivers.DriverDetails("Sam Rivera", "+1 310-555-0177", "spouse"),
        now=now,
    )
    # Morgan: a diagnostic block done yesterday, with pain scores in the diary.
    right = pathways.open_pathway(
        db,
        actor=clinician,
        public_id=morgan,
        side=Side.RIGHT,
        kind=Kind.DIAGNOSTIC,
        now=now - timedelta(days=14),
    )
    _procedure(db, clinician, right.id, now, knowledge)
    # Taylor: an earlier pathway on the left, closed.
    done = pathways.open_pathway(
        db,
        actor=clinician,
        public_id=taylor,
        side=Side.LEFT,
        kind=Kind.DIAGNOSTIC,
        now=now - timedelta(days=120),
    )
    pathways.close_pathway(
        db,
        actor=clinician,
        pathway_id=done.id,
        reason="Lasting relief; no further injection planned.",
        now=now,
    )


def _book(
    db: Session,
    staff: Actor,
    public_id: str,
    practitioner: Practitioner,
    location: Location,
    now: datetime,
    kind: AppointmentKind,
    mode: AppointmentMode,
    pathway_id: int,
    skip: int,
) -> None:
    free = free_times.free_slots(
        db,
        actor=staff,
        practitioner_id=practitioner.id,
        location_id=location.id,
        first_day=now.date(),
        days=14,
        now=now,
    )
    slot = free[min(skip * 6, len(free) - 1)]
    appointments.book(
        db,
        actor=staff,
        public_id=public_id,
        now=now,
        request=appointments.BookingRequest(
            practitioner_id=practitioner.id,
            location_id=location.id,
            starts_at=slot.starts_at,
            kind=kind,
            mode=mode,
            pathway_id=pathway_id,
        ),
    )


def _procedure(
    db: Session, clinician: Actor, pathway_id: int, now: datetime, knowledge: Knowledge
) -> None:
    zone = ZoneInfo(ZONE)
    performed = datetime.combine(
        now.astimezone(zone).date() - timedelta(days=1), time(9, 0), tzinfo=zone
    )
    procedure = procedure_from_dict(
        {
            "performed_at": performed.isoformat(),
            "kind": "diagnostic",
            "side": "right",
            "anesthetic": {"agent": "lidocaine", "concentration_percent": 1.0, "volume_ml": 2.0},
            "steroid": None,
            "baseline_pain": 7,
            "guidance": "fluoroscopy",
            "contrast": {"used": True, "agent": "iohexol", "reason_not_used": None},
            "physician": "Dr. Maya Chen",
            "driver_present": True,
        },
        knowledge,
    )
    with db.begin():
        pathway, patient = pathways.load(db, clinician, pathway_id)
        record = ProcedureRecord(
            pathway_id=pathway.id,
            data=procedure_to_dict(procedure),
            performed_at=procedure.performed_at,
            kind=procedure.kind,
            side=procedure.side,
            documented_at=now,
            documented_by=clinician.user_id,
        )
        db.add(record)
        db.flush()
        for minutes, pain in ((0, 7), (30, 2), (60, 1), (120, 2), (240, 5), (480, 7)):
            db.add(
                DiaryEntry(
                    procedure_id=record.id,
                    recorded_at=performed + timedelta(minutes=minutes),
                    pain=pain,
                    activity_done=pain <= 2,
                    # Saved when it was scored (yesterday): not offered for correction.
                    created_at=min(now, performed + timedelta(minutes=minutes)),
                    created_by=patient.user_id or clinician.user_id,
                )
            )
        audit.record(
            db,
            actor=clinician,
            action="procedure.record",
            at=now,
            target_type="procedure_record",
            target_id=record.id,
            patient_id=patient.id,
        )


def _actor(db: Session, user_id: int | None) -> Actor:
    assert user_id is not None
    with db.begin():
        actor = load_actor(db, user_id, _ORIGIN)
    assert actor is not None
    return actor


def _monday(now: datetime) -> date:
    today = now.astimezone(ZoneInfo(ZONE)).date()
    return today - timedelta(days=today.weekday())
