"""A clinic admin gives a registered patient a portal login (admin pages and API).

The whole way in for a new patient: the front desk registers them, the admin gives them
a login with a temporary password shown once, the patient signs in and must choose
their own password, a clinician starts their care pathway and the patient sees it in
the portal. Bad input names its field (422), a second login is a conflict (409), and
everyone but the clinic's admin is refused (403); nothing is saved then.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import Role
from sijcare.db.models import AuditEvent, Patient, User
from web.conftest import Browser, Web

REFUSED = ("patient", "other_patient", "clinician", "scheduler", "outsider")
TEMPORARY = re.compile(r"<code>([a-z0-9-]{19})</code>")
NEW_PASSWORD = "a brand new passphrase"


def register(web: Web, name: str = "Nora Newcomer") -> str:
    """A patient registered by the front desk (no login); their public id."""
    response = web.as_("scheduler").api(
        "POST", "/api/v1/patients", {"name": name, "date_of_birth": "1971-04-05"}
    )
    assert response.status_code == 201, response.text
    public_id: str = response.json()["id"]
    return public_id


def users(db: Session) -> int:
    with db.begin():
        return int(db.scalar(sa.select(sa.func.count()).select_from(User)) or 0)


def login_of(db: Session, public_id: str) -> User | None:
    with db.begin():
        user = db.scalar(
            sa.select(User)
            .join(Patient, Patient.user_id == User.id)
            .where(Patient.public_id == public_id)
        )
        db.expunge_all()
    return user


def first_sign_in(web: Web, email: str, temporary: str) -> Browser:
    """Sign in with the temporary password; the portal waits for a new password."""
    browser = web.browser()
    signed_in = browser.sign_in(email, temporary)
    assert signed_in.status_code == 200
    assert signed_in.json()["user"]["must_change_password"] is True
    assert browser.get("/portal").headers["location"] == "/account/password"
    assert browser.api("GET", "/api/v1/portal").status_code == 403
    changed = browser.api(
        "POST",
        "/api/v1/me/password",
        {"current_password": temporary, "new_password": NEW_PASSWORD,
         "confirm_password": NEW_PASSWORD},
    )  # fmt: skip
    assert changed.status_code == 204
    return browser


# -- the pages -------------------------------------------------------------------------------


def test_the_admin_finds_patient_logins_in_the_navigation_and_the_list(web: Web) -> None:
    public_id = register(web)
    admin = web.as_("admin")
    assert 'href="/admin/patient-logins"' in admin.get("/").text
    page = admin.get("/admin/patient-logins")
    assert page.status_code == 200
    assert "patient@example.org" in page.text and "No login yet" in page.text
    assert f'href="/admin/patients/{public_id}/portal-login"' in page.text
    # A patient with a login has no link to give one.
    assert web.personas.patient.patient is not None
    assert f"/admin/patients/{web.personas.patient.patient.public_id}/" not in page.text
    searched = admin.get("/admin/patient-logins", params={"search": "nora"}).text
    assert "Nora Newcomer" in searched and "Pat Patient" not in searched
    for who in ("clinician", "scheduler"):
        assert 'href="/admin/patient-logins"' not in web.as_(who).get("/").text


def test_a_new_patient_gets_a_login_signs_in_and_enters_the_care_pathway(
    web: Web, db: Session
) -> None:
    public_id = register(web)
    admin = web.as_("admin")
    url = f"/admin/patients/{public_id}/portal-login"
    form = admin.get(url)
    assert form.status_code == 200
    assert "Nora Newcomer" in form.text and 'name="email"' in form.text
    done = admin.post_form(url, {"email": " Nora.Newcomer@Example.org ", "locale": "es"})
    assert done.status_code == 200
    found = TEMPORARY.search(done.text)
    assert found is not None
    temporary = found.group(1)
    assert "It is shown only once." in done.text
    # Shown once: the page now only says there is a login.
    later = admin.get(url).text
    assert temporary not in later
    assert "This patient already has a portal login: nora.newcomer@example.org." in later
    user = login_of(db, public_id)
    assert user is not None
    assert (user.email, user.role, user.locale, user.must_change_password) == (
        "nora.newcomer@example.org",
        Role.PATIENT,
        "es",
        True,
    )
    assert f'href="/admin/users/{user.id}/reset-password"' in later
    with db.begin():
        event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.create")).one()
        assert (event.target_id, event.actor_user_id) == (str(user.id), web.personas.admin.user.id)
        assert "nora" not in str(event.detail).lower()

    patient = first_sign_in(web, "nora.newcomer@example.org", temporary)
    assert patient.api("GET", "/api/v1/portal").json()["pathways"] == []
    started = web.as_("clinician").post_form(
        f"/workspace/patients/{public_id}/pathways", {"side": "right", "kind": "diagnostic"}
    )
    assert started.status_code == 303
    home = patient.api("GET", "/api/v1/portal").json()
    assert home["patient_id"] == public_id
    assert [(p["side"], p["kind"]) for p in home["pathways"]] == [("right", "diagnostic")]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"email": "", "locale": "en"}, "email"),
        ({"email": "nora at example dot org", "locale": "en"}, "email"),
        ({"email": "Clinician@Example.org", "locale": "en"}, "email"),
        ({"email": "nora@example.org", "locale": "xx"}, "locale"),
    ],
)
def test_bad_input_on_the_page_names_the_field_and_saves_nothing(
    web: Web, db: Session, form: dict[str, str], field: str
) -> None:
    public_id = register(web)
    before = users(db)
    response = web.as_("admin").post_form(f"/admin/patients/{public_id}/portal-login", form)
    assert response.status_code == 422
    assert f'id="error-{field}"' in response.text
    assert f'href="#field-{field}"' in response.text
    assert TEMPORARY.search(response.text) is None
    assert f'value="{form["email"]}"' in response.text  # what was typed is kept
    assert users(db) == before
    assert login_of(db, public_id) is None


def test_a_patient_who_has_a_login_gets_no_second_one_on_the_page(web: Web, db: Session) -> None:
    patient = web.personas.patient.patient
    assert patient is not None
    before = users(db)
    url = f"/admin/patients/{patient.public_id}/portal-login"
    admin = web.as_("admin")
    assert "This patient already has a portal login: patient@example.org." in admin.get(url).text
    response = admin.post_form(url, {"email": "second@example.org", "locale": "en"})
    assert response.status_code == 409
    assert "This patient already has a portal login." in response.text
    assert TEMPORARY.search(response.text) is None
    assert users(db) == before


@pytest.mark.parametrize("who", REFUSED)
def test_everyone_but_the_clinic_admin_is_refused_the_pages(
    web: Web, db: Session, who: str
) -> None:
    public_id = register(web)
    before = users(db)
    browser = web.as_(who)
    url = f"/admin/patients/{public_id}/portal-login"
    assert browser.get("/admin/patient-logins").status_code == 403
    assert browser.get(url).status_code == 403
    response = browser.post_form(url, {"email": "nora@example.org", "locale": "en"})
    assert response.status_code == 403
    assert TEMPORARY.search(response.text) is None
    assert users(db) == before
    assert login_of(db, public_id) is None


def test_an_unknown_patient_is_not_found(web: Web) -> None:
    admin = web.as_("admin")
    url = "/admin/patients/p0000000000000000/portal-login"
    assert admin.get(url).status_code == 404
    assert admin.post_form(url, {"email": "nora@example.org"}).status_code == 404


# -- the API ---------------------------------------------------------------------------------


def test_api_gives_a_login_and_lists_it(web: Web, db: Session) -> None:
    public_id = register(web)
    admin = web.as_("admin")
    response = admin.api(
        "POST",
        f"/api/v1/admin/patients/{public_id}/portal-login",
        {"email": "Nora@Example.org"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["patient_id"] == public_id and body["email"] == "nora@example.org"
    assert len(body["temporary_password"]) == 19
    user = login_of(db, public_id)
    assert user is not None and user.locale == "en"
    listed = admin.api("GET", "/api/v1/admin/patient-logins", params={"search": "Nora"}).json()
    assert listed == [
        {
            "patient_id": public_id,
            "number": listed[0]["number"],
            "name": "Nora Newcomer",
            "date_of_birth": "1971-04-05",
            "user_id": user.id,
            "email": "nora@example.org",
        }
    ]
    first_sign_in(web, "nora@example.org", body["temporary_password"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": "nora"}, "email"),
        ({"email": "x" * 255}, "email"),
        ({"email": "scheduler@example.org"}, "email"),
        ({"email": "nora@example.org", "locale": "de"}, "locale"),
    ],
)
def test_api_bad_input_names_the_field_and_saves_nothing(
    web: Web, db: Session, body: dict[str, str], field: str
) -> None:
    public_id = register(web)
    before = users(db)
    response = web.as_("admin").api(
        "POST", f"/api/v1/admin/patients/{public_id}/portal-login", body
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert users(db) == before


def test_api_second_login_is_a_conflict(web: Web, db: Session) -> None:
    patient = web.personas.patient.patient
    assert patient is not None
    before = users(db)
    response = web.as_("admin").api(
        "POST",
        f"/api/v1/admin/patients/{patient.public_id}/portal-login",
        {"email": "second@example.org"},
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "This patient already has a portal login."
    assert users(db) == before


@pytest.mark.parametrize("who", REFUSED)
def test_api_refuses_everyone_but_the_clinic_admin(web: Web, db: Session, who: str) -> None:
    public_id = register(web)
    before = users(db)
    browser = web.as_(who)
    assert browser.api("GET", "/api/v1/admin/patient-logins").status_code == 403
    response = browser.api(
        "POST",
        f"/api/v1/admin/patients/{public_id}/portal-login",
        {"email": "nora@example.org"},
    )
    assert response.status_code == 403
    assert "temporary_password" not in response.text
    assert users(db) == before


def test_api_unknown_patient_is_not_found(web: Web) -> None:
    response = web.as_("admin").api(
        "POST",
        "/api/v1/admin/patients/p0000000000000000/portal-login",
        {"email": "nora@example.org"},
    )
    assert response.status_code == 404
