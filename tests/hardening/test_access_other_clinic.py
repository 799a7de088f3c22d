"""The refusal matrix, mirrored: another clinic's records (tests/web/access_matrix.py).

`tests/web/test_access_matrix.py` checks every patient-scoped route for every persona
against a record of `personas.patient` (own record for the patient, another patient's
for `other_patient`, another clinic's for `outsider`). This test completes the grid:
the same routes, with the records made for a patient of the *other* clinic (by that
clinic's clinician), requested by every persona of the first clinic. Each one must be
refused (403, or 404 where a record of another clinic is not even acknowledged); and
the other clinic's own clinician gets what the matrix grants a clinician.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from factories import link_practitioner, make_location, make_patient, make_room, make_user
from fixtures_db import Persona, Personas
from sijcare.db.enums import Role
from web.access_matrix import ALLOW, ENTRIES, World
from web.conftest import Web
from web.test_access_matrix import ALLOWED, _request

FIRST_CLINIC = ("patient", "other_patient", "clinician", "scheduler", "admin")
REFUSED = {403, 404}


def other_clinic_world(db: Session, personas: Personas) -> World:
    """Records of a patient of the other clinic, made by that clinic's clinician."""
    clinic = personas.other_clinic
    with db.begin():
        user = make_user(db, clinic=clinic, role=Role.PATIENT, email="far.patient@example.org")
        patient = make_patient(db, clinic=clinic, user=user, name="Far Patient")
        location = make_location(
            db, clinic=clinic, name="Eastside Main", time_zone=clinic.time_zone
        )
        room = make_room(db, location=location)
        assert personas.outsider.practitioner is not None
        link_practitioner(db, personas.outsider.practitioner, location)
    db.expunge_all()
    mirrored = replace(
        personas,
        clinic=clinic,
        other_clinic=personas.clinic,
        location=location,
        room=room,
        patient=Persona("Far Patient", user, patient=patient),
        clinician=personas.outsider,
    )
    return World(db, mirrored)


def test_first_clinic_is_refused_every_record_of_the_other_clinic(web: Web, db: Session) -> None:
    world = other_clinic_world(db, web.personas)
    browsers = {name: web.as_(name) for name in FIRST_CLINIC}
    their_clinician = web.as_("outsider")
    unexpected = []
    for entry in ENTRIES:
        for name, browser in browsers.items():
            status = _request(browser, entry, world)
            if status not in REFUSED:
                unexpected.append(f"{name} {entry.method} {entry.path}: {status}")
        if entry.expect["clinician"] == ALLOW:
            status = _request(their_clinician, entry, world)
            if status not in ALLOWED:
                unexpected.append(f"their clinician {entry.method} {entry.path}: {status}")
    assert unexpected == []
    print(
        f"checked {len(ENTRIES)} routes x {len(FIRST_CLINIC) + 1} personas on another clinic's records"
    )
