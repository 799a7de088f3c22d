"""Signing in and out: forms and API, CSRF, throttling, session fixation and cookie flags."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.models import AuditEvent, WebSession
from web.conftest import Browser, FrozenClock, Web

SESSION_COOKIE = "__Host-sijcare_session"


def login_form(browser: Browser, email: str, password: str, **extra: str) -> object:
    page = browser.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return browser.client.post(
        "/login", data={"csrf_token": token.group(1), "email": email, "password": password, **extra}
    )


def test_login_page_works_without_javascript_and_labels_every_field(web: Web) -> None:
    page = web.browser().get("/login")
    assert page.status_code == 200
    assert "<script" not in page.text
    assert '<label for="field-email">' in page.text
    assert '<label for="field-password">' in page.text
    assert 'name="csrf_token"' in page.text


def test_login_form_signs_in_and_redirects_to_next(web: Web) -> None:
    browser = web.browser()
    response = login_form(
        browser, "patient@example.org", "correct horse battery staple", next="/account"
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    assert browser.get("/account").status_code == 200


def test_login_refuses_an_open_redirect(web: Web) -> None:
    browser = web.browser()
    response = login_form(
        browser, "patient@example.org", "correct horse battery staple", next="//evil.example/"
    )
    assert response.headers["location"] == "/"


def test_session_cookie_is_secure_httponly_and_samesite(web: Web) -> None:
    browser = web.browser()
    response = login_form(browser, "patient@example.org", "correct horse battery staple")
    cookie = next(
        value
        for name, value in response.headers.multi_items()
        if name == "set-cookie" and value.startswith(SESSION_COOKIE)
    ).lower()
    assert "httponly" in cookie
    assert "secure" in cookie
    assert "samesite=lax" in cookie
    assert "path=/" in cookie


def test_wrong_password_rerenders_the_form_with_the_email_kept(web: Web) -> None:
    browser = web.browser()
    response = login_form(browser, "patient@example.org", "wrong password!")
    assert response.status_code == 401
    assert "The e-mail address or password is not right." in response.text
    assert 'value="patient@example.org"' in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_empty_login_fields_get_field_messages(web: Web) -> None:
    response = login_form(web.browser(), "", "")
    assert response.status_code == 422
    assert 'id="error-email"' in response.text
    assert 'id="error-password"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_login_form_without_csrf_token_is_refused(web: Web) -> None:
    browser = web.browser()
    browser.get("/login")
    response = browser.client.post(
        "/login", data={"email": "patient@example.org", "password": "correct horse battery staple"}
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_login_csrf_token_of_another_browser_is_refused(web: Web) -> None:
    first, second = web.browser(), web.browser()
    first_token = first.refresh_csrf()
    second.refresh_csrf()
    response = second.client.post(
        "/login",
        data={
            "csrf_token": first_token,
            "email": "patient@example.org",
            "password": "correct horse battery staple",
        },
    )
    assert response.status_code == 403


def test_api_login_needs_the_csrf_header(web: Web) -> None:
    browser = web.browser()
    browser.refresh_csrf()
    response = browser.api(
        "POST",
        "/api/v1/session",
        {"email": "patient@example.org", "password": "correct horse battery staple"},
        csrf=False,
    )
    assert response.status_code == 403
    assert response.json()["errors"] == []


def test_api_login_returns_the_user_and_a_session_csrf_token(web: Web) -> None:
    browser = web.browser()
    response = browser.sign_in("Patient@Example.org ", "correct horse battery staple")
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["role"] == "patient"
    assert body["user"]["time_zone"] == "America/Los_Angeles"
    assert browser.api("GET", "/api/v1/me").json()["display_name"] == "Pat Patient"


def test_api_login_with_missing_fields_is_422_with_field_errors(web: Web) -> None:
    browser = web.browser()
    response = browser.api("POST", "/api/v1/session", {"email": "patient@example.org"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "password", "message": "This field is required."}
    ]


def test_unsafe_api_call_without_csrf_header_is_refused_even_when_signed_in(web: Web) -> None:
    browser = web.as_("patient")
    response = browser.api("DELETE", "/api/v1/session", csrf=False)
    assert response.status_code == 403
    assert browser.api("GET", "/api/v1/me").status_code == 200


def test_login_rotates_the_session_token(web: Web, db: Session) -> None:
    browser = web.as_("patient")
    before = browser.client.cookies.get(SESSION_COOKIE)
    assert before
    browser.sign_in("patient@example.org", "correct horse battery staple")
    after = browser.client.cookies.get(SESSION_COOKIE)
    assert after and after != before
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(WebSession)) == 1


def test_a_planted_session_token_is_never_adopted(web: Web) -> None:
    browser = web.browser()
    browser.client.cookies.set(SESSION_COOKIE, "attacker-chosen-token")
    response = login_form(browser, "patient@example.org", "correct horse battery staple")
    issued = response.cookies.get(SESSION_COOKIE)
    assert issued and issued != "attacker-chosen-token"
    attacker = web.browser()
    attacker.client.cookies.set(SESSION_COOKIE, "attacker-chosen-token")
    assert attacker.api("GET", "/api/v1/me").status_code == 401


def test_logout_ends_the_session(web: Web) -> None:
    browser = web.as_("patient")
    token = browser.client.cookies.get(SESSION_COOKIE)
    response = browser.post_form("/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    replay = web.browser()
    replay.client.cookies.set(SESSION_COOKIE, token or "")
    assert replay.api("GET", "/api/v1/me").status_code == 401
    assert replay.get("/account").headers["location"] == "/login?next=%2Faccount"


def test_api_logout(web: Web) -> None:
    browser = web.as_("patient")
    assert browser.api("DELETE", "/api/v1/session").status_code == 204
    assert browser.api("GET", "/api/v1/me").status_code == 401


def test_idle_session_expires(web: Web, clock: FrozenClock) -> None:
    browser = web.as_("patient")
    clock.advance(minutes=29)
    assert browser.api("GET", "/api/v1/me").status_code == 200
    clock.advance(minutes=31)
    assert browser.api("GET", "/api/v1/me").status_code == 401


def test_repeated_failures_throttle_the_account_even_with_the_right_password(
    web: Web, clock: FrozenClock
) -> None:
    browser = web.browser()
    for _ in range(5):
        assert browser.sign_in("patient@example.org", "wrong password!").status_code == 401
    throttled = browser.sign_in("patient@example.org", "correct horse battery staple")
    assert throttled.status_code == 429
    assert throttled.headers["retry-after"] == "900"
    clock.advance(minutes=15)
    assert browser.sign_in("patient@example.org", "correct horse battery staple").status_code == 200


def test_throttle_counts_failures_per_address_across_accounts(web: Web) -> None:
    browser = web.browser()
    for n in range(20):
        browser.sign_in(f"nobody{n}@example.org", "wrong password!")
    assert browser.sign_in("admin@example.org", "correct horse battery staple").status_code == 429


def test_throttled_login_form_says_when_to_try_again(web: Web) -> None:
    browser = web.browser()
    for _ in range(5):
        login_form(browser, "patient@example.org", "wrong password!")
    response = login_form(browser, "patient@example.org", "correct horse battery staple")
    assert response.status_code == 429
    assert "Try again in 15 minutes." in response.text


def test_failed_and_successful_logins_are_audited(web: Web, db: Session) -> None:
    browser = web.browser()
    browser.sign_in("patient@example.org", "wrong password!")
    browser.sign_in("patient@example.org", "correct horse battery staple")
    with db.begin():
        actions = db.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["auth.login_failed", "auth.login"]


@pytest.mark.parametrize("path", ["/", "/account", "/account/password", "/admin/users"])
def test_pages_need_sign_in(web: Web, path: str) -> None:
    response = web.browser().get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
