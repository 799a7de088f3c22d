"""A clinic admin gives a registered patient a portal login (`patient_logins`).

The login is a patient account of the patient's clinic, linked to the patient, with a
temporary password returned once that must be changed at the first sign-in; only an
admin of the patient's clinic may create it, once per patient, with an address no
account uses. The audit event names no e-mail address.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import actor_of, make_patient, make_user
from fixtures_db import Personas
from sijcare.db.enums import Role
from sijcare.db.models import AuditEvent, LoginAttempt, Patient, User
from sijcare.services import auth, patient_logins
from sijcare.services.actor import Origin
from sijcare.services.errors import Conflict, Forbidden, Invalid, NotFound
from sijcare.settings import Environment, Secret, Settings

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


@pytest.fixture
def config(db_url: str) -> auth.AuthConfig:
    settings = Settings(database_url=db_url, env=Environment.TEST, secret_key=Secret("s" * 48))
    return auth.AuthConfig.from_settings(settings)


@pytest.fixture
def newcomer(db: Session, personas: Personas) -> Patient:
    """A patient registered by the front desk, with no login yet."""
    with db.begin():
        patient = make_patient(
            db, clinic=personas.clinic, name="Nora Newcomer", date_of_birth=date(1971, 4, 5)
        )
    db.expunge_all()
    return patient


def users(db: Session) -> int:
    with db.begin():
        return int(db.scalar(sa.select(sa.func.count()).select_from(User)) or 0)


def linked_user(db: Session, patient: Patient) -> int | None:
    with db.begin():
        return db.scalar(sa.select(Patient.user_id).where(Patient.id == patient.id))


def create(
    db: Session,
    personas: Personas,
    config: auth.AuthConfig,
    patient: Patient,
    *,
    who: str = "admin",
    email: str = "nora@example.org",
    locale: str = "en",
) -> str:
    return patient_logins.create_patient_login(
        db,
        actor=actor_of(db, personas[who].user.id),
        patient_public_id=patient.public_id,
        email=email,
        now=NOW,
        config=config,
        locale=locale,
    )


def test_the_admin_creates_a_patient_account_linked_to_the_patient(
    db: Session, personas: Personas, config: auth.AuthConfig, newcomer: Patient
) -> None:
    temporary = create(db, personas, config, newcomer, email="  Nora.N@Example.ORG ", locale="es")
    assert len(temporary) == 19
    with db.begin():
        user = db.scalars(sa.select(User).where(User.email == "nora.n@example.org")).one()
        assert (user.role, user.clinic_id, user.display_name, user.locale) == (
            Role.PATIENT,
            personas.clinic.id,
            "Nora Newcomer",
            "es",
        )
        assert user.must_change_password and user.active and user.time_zone is None
        assert (user.created_at, user.password_changed_at) == (NOW, NOW)
        assert config.passwords.verify(user.password_hash, temporary)
        assert db.get_one(Patient, newcomer.id).user_id == user.id
        event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.create")).one()
        assert (event.target_type, event.target_id, event.patient_id) == (
            "user",
            str(user.id),
            newcomer.id,
        )
        assert event.actor_user_id == personas.admin.user.id
        assert event.detail == {"role": "patient"}
        assert "nora" not in str(event.detail).lower()


def test_the_patient_signs_in_with_the_temporary_password_and_must_change_it(
    db: Session, personas: Personas, config: auth.AuthConfig, newcomer: Patient
) -> None:
    temporary = create(db, personas, config, newcomer)
    grant = auth.login(
        db, email="nora@example.org", password=temporary, origin=Origin(), now=NOW, config=config
    )
    assert grant.actor.role is Role.PATIENT
    assert grant.actor.patient_public_id == newcomer.public_id
    assert grant.actor.must_change_password is True


def test_earlier_failed_sign_ins_with_the_address_do_not_lock_the_new_login(
    db: Session, personas: Personas, config: auth.AuthConfig, newcomer: Patient
) -> None:
    for _ in range(config.throttle.max_failures_per_account):
        with pytest.raises(auth.LoginFailed):
            auth.login(
                db, email="nora@example.org", password="guess", origin=Origin(), now=NOW,
                config=config,
            )  # fmt: skip
    temporary = create(db, personas, config, newcomer)
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 0
    auth.login(
        db, email="nora@example.org", password=temporary, origin=Origin(), now=NOW, config=config
    )


@pytest.mark.parametrize("who", ["patient", "other_patient", "clinician", "scheduler", "outsider"])
def test_only_a_clinic_admin_creates_a_login(
    db: Session, personas: Personas, config: auth.AuthConfig, newcomer: Patient, who: str
) -> None:
    before = users(db)
    with pytest.raises(Forbidden):
        create(db, personas, config, newcomer, who=who)
    assert users(db) == before
    assert linked_user(db, newcomer) is None


def test_an_admin_of_another_clinic_is_refused(
    db: Session, personas: Personas, config: auth.AuthConfig, newcomer: Patient
) -> None:
    with db.begin():
        far_admin = make_user(db, clinic=personas.other_clinic, role=Role.ADMIN)
    db.expunge_all()
    before = users(db)
    with pytest.raises(Forbidden):
        patient_logins.create_patient_login(
            db,
            actor=actor_of(db, far_admin.id),
            patient_public_id=newcomer.public_id,
            email="nora@example.org",
            now=NOW,
            config=config,
        )
    with pytest.raises(Forbidden):
        patient_logins.get_login(
            db, actor=actor_of(db, far_admin.id), patient_public_id=newcomer.public_id, now=NOW
        )
    assert patient_logins.list_logins(db, actor=actor_of(db, far_admin.id), now=NOW) == []
    assert users(db) == before


def test_an_unknown_patient_is_not_found(
    db: Session, personas: Personas, config: auth.AuthConfig
) -> None:
    with pytest.raises(NotFound):
        patient_logins.create_patient_login(
            db,
            actor=actor_of(db, personas.admin.user.id),
            patient_public_id="p0000000000000000",
            email="nora@example.org",
            now=NOW,
            config=config,
        )


def test_a_patient_who_already_has_a_login_gets_no_second_one(
    db: Session, personas: Personas, config: auth.AuthConfig
) -> None:
    patient = personas.patient.patient
    assert patient is not None
    before = users(db)
    with pytest.raises(Conflict) as caught:
        create(db, personas, config, patient, email="second@example.org")
    assert caught.value.message.text == "This patient already has a portal login."
    assert users(db) == before
    assert linked_user(db, patient) == personas.patient.user.id


@pytest.mark.parametrize(
    ("email", "locale", "fields"),
    [
        ("", "en", {"email"}),
        ("not-an-address", "en", {"email"}),
        ("nora@example", "en", {"email"}),
        ("two words@example.org", "en", {"email"}),
        ("a" * 250 + "@example.org", "en", {"email"}),
        ("CLINICIAN@example.org", "en", {"email"}),  # taken, whatever the case
        ("nora@example.org", "fr", {"locale"}),
        ("nope", "fr", {"email", "locale"}),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    db: Session,
    personas: Personas,
    config: auth.AuthConfig,
    newcomer: Patient,
    email: str,
    locale: str,
    fields: set[str],
) -> None:
    before = users(db)
    with pytest.raises(Invalid) as caught:
        create(db, personas, config, newcomer, email=email, locale=locale)
    assert {e.field for e in caught.value.errors} == fields
    assert users(db) == before
    assert linked_user(db, newcomer) is None
    with db.begin():
        assert not db.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "user.create"))


def test_the_list_shows_who_has_a_login_to_the_admin_only(
    db: Session, personas: Personas, config: auth.AuthConfig, newcomer: Patient
) -> None:
    admin = actor_of(db, personas.admin.user.id)
    found = {p.name: p for p in patient_logins.list_logins(db, actor=admin, now=NOW)}
    assert set(found) == {"Pat Patient", "Olive Other", "Nora Newcomer"}
    assert found["Pat Patient"].email == "patient@example.org" and found["Pat Patient"].has_login
    assert not found["Nora Newcomer"].has_login and found["Nora Newcomer"].email is None
    create(db, personas, config, newcomer)
    searched = patient_logins.list_logins(db, actor=admin, now=NOW, search="NORA")
    assert [(p.name, p.email) for p in searched] == [("Nora Newcomer", "nora@example.org")]
    one = patient_logins.get_login(db, actor=admin, patient_public_id=newcomer.public_id, now=NOW)
    assert one.has_login and one.public_id == newcomer.public_id
    for who in ("patient", "clinician", "scheduler", "outsider"):
        with pytest.raises(Forbidden):
            patient_logins.list_logins(db, actor=actor_of(db, personas[who].user.id), now=NOW)
