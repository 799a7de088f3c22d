"""Clinic admin: users, password resets, the audit log and its CSV export."""

from __future__ import annotations

import csv
import io
import re

from web.conftest import FrozenClock, Web


def test_users_page_lists_the_clinics_accounts_only(web: Web) -> None:
    page = web.as_("admin").get("/admin/users").text
    assert "Pat Patient" in page and "Sam Scheduler" in page
    assert "Dr. Oscar Outsider" not in page


def test_users_api(web: Web) -> None:
    users = web.as_("admin").api("GET", "/api/v1/admin/users").json()
    assert {u["email"] for u in users} == {
        "patient@example.org",
        "other.patient@example.org",
        "clinician@example.org",
        "scheduler@example.org",
        "admin@example.org",
    }


def test_reset_password_gives_a_temporary_password_that_must_be_changed(web: Web) -> None:
    admin = web.as_("admin")
    patient_browser = web.as_("patient")
    user_id = web.personas.patient.user.id
    confirm = admin.get(f"/admin/users/{user_id}/reset-password")
    assert "patient@example.org" in confirm.text
    done = admin.post_form(f"/admin/users/{user_id}/reset-password")
    temporary = re.search(r"<code>([a-z0-9-]{19})</code>", done.text)
    assert temporary is not None
    # The patient's open session ended; the old password no longer works.
    assert patient_browser.api("GET", "/api/v1/me").status_code == 401
    assert (
        web.browser().sign_in("patient@example.org", "correct horse battery staple").status_code
        == 401
    )
    browser = web.browser()
    signed_in = browser.sign_in("patient@example.org", temporary.group(1))
    assert signed_in.json()["user"]["must_change_password"] is True
    assert browser.get("/appointments").headers["location"] == "/account/password"
    assert browser.api("GET", "/api/v1/appointments").status_code == 403
    changed = browser.api(
        "POST",
        "/api/v1/me/password",
        {
            "current_password": temporary.group(1),
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert changed.status_code == 204
    assert browser.get("/appointments").status_code == 200


def test_reset_password_api_and_its_refusals(web: Web) -> None:
    user_id = web.personas.patient.user.id
    response = web.as_("admin").api("POST", f"/api/v1/admin/users/{user_id}/password-reset")
    assert response.status_code == 200
    assert len(response.json()["temporary_password"]) == 19
    assert (
        web.as_("scheduler")
        .api("POST", f"/api/v1/admin/users/{user_id}/password-reset")
        .status_code
        == 403
    )
    outsider_user = web.personas.outsider.user.id
    assert (
        web.as_("admin")
        .api("POST", f"/api/v1/admin/users/{outsider_user}/password-reset")
        .status_code
        == 404
    )


def test_audit_log_page_filters_and_exports(web: Web, clock: FrozenClock) -> None:
    web.as_("patient")
    admin = web.as_("admin")
    page = admin.get("/admin/audit", params={"action": "auth.login"})
    assert page.status_code == 200
    assert page.text.count("<code>auth.login</code>") == 2
    # Who: the person's name with their number, not the number alone.
    patient = web.personas.patient.user
    assert f"<td>Pat Patient #{patient.id} (patient)</td>" in page.text
    export = admin.get("/admin/audit.csv", params={"action": "auth.login"})
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [r["actor_role"] for r in rows] == ["patient", "admin"]
    assert rows[0]["at"] == "2026-03-02T16:00:00+00:00"


def test_audit_log_filter_by_patient_and_dates(web: Web) -> None:
    patient = web.personas.patient.patient
    assert patient is not None
    admin = web.as_("admin")
    web.as_("scheduler").api("GET", f"/api/v1/patients/{patient.public_id}")
    events = admin.api("GET", "/api/v1/admin/audit", params={"patient_id": patient.id}).json()
    assert [e["action"] for e in events] == ["patient.view"]
    assert events[0]["patient_id"] == patient.id
    assert admin.api("GET", "/api/v1/admin/audit", params={"since": "2026-03-03"}).json() == []
    bad = admin.get("/admin/audit", params={"since": "yesterday", "patient": "x"})
    assert bad.status_code == 422
    assert 'id="error-since"' in bad.text and 'id="error-patient"' in bad.text


def test_viewing_and_exporting_the_audit_log_is_itself_audited(web: Web) -> None:
    admin = web.as_("admin")
    admin.get("/admin/audit")
    admin.get("/admin/audit.csv")
    rows = list(csv.DictReader(io.StringIO(admin.get("/api/v1/admin/audit.csv").text)))
    # An export holds the events before it: the first export, but not its own.
    assert [r["action"] for r in rows][-2:] == ["audit.view", "audit.export"]


def test_only_the_admin_sees_the_audit_log(web: Web) -> None:
    for who in ("patient", "clinician", "scheduler"):
        browser = web.as_(who)
        assert browser.get("/admin/audit").status_code == 403
        assert browser.api("GET", "/api/v1/admin/audit.csv").status_code == 403


def test_refused_access_is_audited(web: Web) -> None:
    web.as_("patient").get("/admin/users")
    events = (
        web.as_("admin")
        .api("GET", "/api/v1/admin/audit", params={"action": "access.denied"})
        .json()
    )
    assert [(e["target_id"], e["actor_role"]) for e in events] == [("/admin/users", "patient")]
