"""App-wide properties: security headers, CSRF on every unsafe route, OpenAPI, assets, i18n."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from sijcare.web import i18n
from sijcare.web.app import ROUTE_MODULES
from web.conftest import Web

TEMPLATES = Path(str(resources.files("sijcare.web").joinpath("templates")))
STATIC = Path(str(resources.files("sijcare.web").joinpath("static")))


def test_security_headers_on_pages_api_and_errors(web: Web) -> None:
    browser = web.browser()
    for response in (
        browser.get("/login"),
        browser.get("/api/v1/me"),
        browser.get("/no-such-page"),
    ):
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["cache-control"] == "no-store"


def test_unknown_pages_and_api_routes_are_404_in_the_right_form(web: Web) -> None:
    browser = web.as_("patient")
    page = browser.get("/no-such-page")
    assert page.status_code == 404 and "This page does not exist." in page.text
    api = browser.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json() == {
        "detail": "This page does not exist.",
        "errors": [],
    }


def _unsafe_routes() -> list[tuple[str, str]]:
    out = []
    for module in ROUTE_MODULES:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods & {"POST", "PUT", "PATCH", "DELETE"}):
                out.append((method, route.path))
    return out


def test_every_unsafe_route_refuses_a_request_without_the_csrf_token(web: Web) -> None:
    browser = web.as_("admin")
    accepted = []
    for method, path in _unsafe_routes():
        url = re.sub(r"{[^}]+}", "1", path)
        if path.startswith("/api/"):
            response = browser.api(method, url, {}, csrf=False)
        else:
            response = browser.client.request(method, url, data={"anything": "x"})
        if response.status_code != 403 or "expired" not in response.text:
            accepted.append((method, path, response.status_code))
    assert accepted == []


def test_openapi_describes_every_api_route_with_its_errors(web: Web) -> None:
    schema = web.browser().get("/api/v1/openapi.json").json()
    api_paths = {
        (method.lower(), route.path)
        for module in ROUTE_MODULES
        for route in module.router.routes
        if isinstance(route, APIRoute) and route.path.startswith("/api/")
        for method in route.methods
    }
    documented = {(m, p) for p, ops in schema["paths"].items() for m in ops}
    assert api_paths <= documented
    assert all(path.startswith("/api/v1/") for _, path in documented)
    booking = schema["paths"]["/api/v1/patients/{patient_id}/appointments"]["post"]
    assert {"401", "403", "409", "422"} <= set(booking["responses"])
    assert schema["components"]["schemas"]["ErrorBody"]["required"] == ["detail"]


def test_no_page_loads_anything_from_another_site() -> None:
    external = re.compile(r"""(src|href)=["']?(https?:)?//""")
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not external.search(text), template
        assert "<script" not in text, template
        assert "style=" not in text, template
    css = (STATIC / "app.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css


def test_stylesheet_is_served_and_cacheable(web: Web) -> None:
    response = web.browser().get("/static/app.css")
    assert response.status_code == 200
    assert ":focus-visible" in response.text
    assert response.headers.get("cache-control") != "no-store"


def test_interactive_api_docs_that_load_scripts_from_the_internet_are_off(web: Web) -> None:
    browser = web.browser()
    assert browser.get("/docs").status_code == 404
    assert browser.get("/redoc").status_code == 404


def test_catalogs_are_up_to_date_with_the_code_and_templates() -> None:
    extracted = {message.id for message in i18n.extract() if message.id}
    from babel.messages.pofile import read_po

    with (i18n.locale_dir() / "messages.pot").open("rb") as pot:
        committed = {message.id for message in read_po(pot) if message.id}
    assert extracted == committed, "run: uv run python -m sijcare.web.i18n extract"


def test_every_message_has_a_spanish_translation() -> None:
    from babel.messages.pofile import read_po

    with (i18n.locale_dir() / "es" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="es")
    with (i18n.locale_dir() / "messages.pot").open("rb") as pot:
        wanted = {message.id for message in read_po(pot) if message.id}
    # A plural entry ("1 day" / "2 days") needs every form of the language.
    translated = {
        m.id
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.id, tuple) else m.string)
    }
    assert sorted(wanted - translated, key=str) == []


def test_the_shipped_risk_labels_are_in_the_catalogue() -> None:
    # The leaflet's risks are named by the knowledge table's labels (web.knowledge_text).
    from sijcare import knowledge as loader
    from sijcare.domain.education import RISK_TABLE
    from sijcare.web.knowledge_text import RISK_LABELS

    shipped = {str(row["label"]) for row in loader.load().table(RISK_TABLE)}
    assert shipped == {label.text for label in RISK_LABELS}


def test_dates_and_numbers_follow_the_locale() -> None:
    from datetime import UTC, datetime

    at = datetime(2026, 11, 1, 17, 30, tzinfo=UTC)
    assert i18n.format_datetime(at, "America/Los_Angeles", "en").endswith("9:30\u202fAM PST")
    assert i18n.format_datetime(at, "America/Los_Angeles", "es").startswith(
        "domingo, 1 de noviembre de 2026"
    )
    assert i18n.format_number(1234.5, "es") == "1.234,5"
    assert i18n.format_number(1234.5, "en") == "1,234.5"


def test_app_state_is_built_per_app(app: FastAPI) -> None:
    assert app.state.platform.settings.env.value == "test"


class _Watched:
    """An OpenTelemetry provider as a configured environment would set it: any use of
    it by the framework is noted."""

    def __init__(self, used: list[str], kind: str) -> None:
        self.used, self.kind = used, kind

    def __getattr__(self, name: str) -> object:
        self.used.append(f"{self.kind}.{name}")
        raise AttributeError(name)


def test_the_framework_sends_no_telemetry_even_when_the_environment_sets_it_up(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A span or an exception log would carry the request's path (patient and procedure
    # ids) and the exception's message out of the clinic.
    from fastapi.telemetry import _asgi

    asked: list[str] = []
    for kind, module, getter in (
        ("tracer", _asgi.trace, "get_tracer_provider"),
        ("meter", _asgi.metrics, "get_meter_provider"),
        ("logger", _asgi._logs, "get_logger_provider"),
    ):
        watched = _Watched(asked, kind)
        monkeypatch.setattr(module, getter, lambda w=watched, k=kind: asked.append(k) or w)
    patient = web.as_("patient")
    assert patient.get("/api/v1/me").status_code == 200
    assert patient.get("/no-such-page").status_code == 404
    assert asked == []
