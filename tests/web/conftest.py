"""Fixtures of the web tests: the app on the test database, a frozen clock, and browsers.

`web.browser()` is an anonymous browser; `web.as_("patient")` (any name of `Personas`)
is a browser signed in as that persona. Browsers add the CSRF token to forms
(`post_form`) and to unsafe API calls (`api`) unless told not to (`csrf=False`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

# Starlette now prefers the httpx2 package; until the dev dependencies include it, the
# test client works with httpx and only warns once, at import.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from fixtures_db import *  # noqa: F403  (the shared fixtures; pytest finds them by name)
from fixtures_db import Persona, Personas
from sijcare.settings import Environment, Secret, Settings
from sijcare.web.app import create_app

# Monday 2 March 2026, 08:00 in Los Angeles (PST).
START = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
SECRET = "test-secret-key-that-is-long-enough-0123456789"


class FrozenClock:
    """The app's clock, frozen at `now`; `advance` moves it forward."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        database_url=db_url,
        env=Environment.TEST,
        secret_key=Secret(SECRET),
        secure_cookies=True,
    )


@pytest.fixture
def app(settings: Settings, clock: FrozenClock) -> Iterator[FastAPI]:
    app = create_app(settings, clock=clock)
    yield app
    app.state.platform.engine.dispose()


@dataclass
class Browser:
    """A test client with its own cookies, and the CSRF token of its page or session."""

    client: TestClient
    csrf_token: str = ""
    persona: Persona | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(url, **kwargs)

    def refresh_csrf(self) -> str:
        self.csrf_token = self.client.get("/api/v1/session/csrf").json()["csrf_token"]
        return self.csrf_token

    def post_form(
        self, url: str, data: dict[str, str] | None = None, *, csrf: bool = True
    ) -> httpx.Response:
        payload = dict(data or {})
        if csrf:
            payload.setdefault("csrf_token", self.csrf_token or self.refresh_csrf())
        return self.client.post(url, data=payload)

    def api(
        self, method: str, url: str, json: Any = None, *, csrf: bool = True, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if csrf and method.upper() not in ("GET", "HEAD", "OPTIONS"):
            headers.setdefault("X-CSRF-Token", self.csrf_token or self.refresh_csrf())
        return self.client.request(method, url, json=json, headers=headers, **kwargs)

    def sign_in(self, email: str, password: str) -> httpx.Response:
        self.refresh_csrf()
        response = self.api("POST", "/api/v1/session", {"email": email, "password": password})
        if response.status_code == 200:
            self.csrf_token = response.json()["csrf_token"]
        return response


@dataclass
class Web:
    app: FastAPI
    personas: Personas
    _clients: list[TestClient] = field(default_factory=list)

    def browser(self) -> Browser:
        client = TestClient(self.app, base_url="https://testserver", follow_redirects=False)
        self._clients.append(client)
        return Browser(client)

    def as_(self, who: str | Persona) -> Browser:
        persona = self.personas[who] if isinstance(who, str) else who
        browser = self.browser()
        response = browser.sign_in(persona.email, persona.password)
        assert response.status_code == 200, response.text
        browser.persona = persona
        return browser

    def close(self) -> None:
        for client in self._clients:
            client.close()


@pytest.fixture
def web(app: FastAPI, personas: Personas) -> Iterator[Web]:
    helper = Web(app, personas)
    yield helper
    helper.close()
