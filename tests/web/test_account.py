"""The user's own account: language, time zone, password."""

from __future__ import annotations

from web.conftest import Web


def test_choosing_spanish_translates_the_pages(web: Web) -> None:
    browser = web.as_("patient")
    saved = browser.post_form("/account", {"locale": "es", "time_zone": ""})
    assert saved.status_code == 303
    page = browser.get("/account")
    assert '<html lang="es">' in page.text
    assert "Mi cuenta" in page.text
    assert "Se guardó su configuración." in page.text


def test_time_zone_preference_changes_how_times_are_shown(web: Web) -> None:
    browser = web.as_("patient")
    response = browser.api("PATCH", "/api/v1/me", {"locale": "en", "time_zone": "America/New_York"})
    assert response.json()["time_zone"] == "America/New_York"
    assert "America/New_York" in browser.get("/account").text


def test_unknown_language_or_zone_is_refused_per_field(web: Web) -> None:
    browser = web.as_("patient")
    page = browser.post_form("/account", {"locale": "xx", "time_zone": "Mars/Olympus"})
    assert page.status_code == 422
    assert 'id="error-locale"' in page.text and 'id="error-time_zone"' in page.text
    api = browser.api("PATCH", "/api/v1/me", {"locale": "xx", "time_zone": "Mars/Olympus"})
    assert {e["field"] for e in api.json()["errors"]} == {"locale", "time_zone"}


def test_change_password_form_checks_each_field(web: Web) -> None:
    browser = web.as_("patient")
    page = browser.post_form(
        "/account/password",
        {
            "current_password": "wrong",
            "new_password": "short",
            "confirm_password": "other",
        },
    )
    assert page.status_code == 422
    for field in ("current_password", "new_password", "confirm_password"):
        assert f'id="error-{field}"' in page.text
    assert 'value="wrong"' not in page.text
    assert "This is not your current password." in page.text
    empty = browser.post_form("/account/password", {"current_password": ""})
    assert "Enter your current password." in empty.text
    assert "This is not your current password." not in empty.text


def test_change_password_ends_other_sessions_but_keeps_this_one(web: Web) -> None:
    here, elsewhere = web.as_("patient"), web.as_("patient")
    response = here.post_form(
        "/account/password",
        {
            "current_password": "correct horse battery staple",
            "new_password": "another long passphrase",
            "confirm_password": "another long passphrase",
        },
    )
    assert response.status_code == 303
    assert here.api("GET", "/api/v1/me").status_code == 200
    assert elsewhere.api("GET", "/api/v1/me").status_code == 401
    assert (
        web.browser().sign_in("patient@example.org", "another long passphrase").status_code == 200
    )


def test_browser_language_is_used_before_sign_in(web: Web) -> None:
    page = web.browser().get("/login", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert '<html lang="es">' in page.text
    assert "Iniciar sesión" in page.text
