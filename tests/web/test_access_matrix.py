"""Every patient-scoped route refuses every persona the matrix does not allow (access_matrix.py)."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from sijcare.web.app import ROUTE_MODULES
from web.access_matrix import ALLOW, ENTRIES, NOT_PATIENT_SCOPED, PATIENT_SCOPED, Entry, World
from web.conftest import Browser, Web

REFUSED = 403
ALLOWED = {200, 201, 204, 303, 409, 422}
_PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")


def _routes(app: FastAPI) -> list[tuple[str, str, set[str]]]:
    """Every (method, path, path parameters) of the app's route modules."""
    assert app.state.platform is not None
    out = []
    for module in ROUTE_MODULES:
        for route in module.router.routes:
            assert isinstance(route, APIRoute), route
            params = set(_PARAM.findall(route.path))
            for method in sorted(route.methods - {"HEAD"}):
                out.append((method, route.path, params))
    assert out
    return out


def test_every_path_parameter_is_classified(app: FastAPI) -> None:
    unclassified = {
        (method, path, param)
        for method, path, params in _routes(app)
        for param in params
        if param not in PATIENT_SCOPED and param not in NOT_PATIENT_SCOPED
    }
    assert not unclassified, "classify these in tests/web/access_matrix.py"


def test_every_patient_scoped_route_is_in_the_matrix(app: FastAPI) -> None:
    listed = {(entry.method, entry.path) for entry in ENTRIES}
    scoped = {
        (method, path) for method, path, params in _routes(app) if params & set(PATIENT_SCOPED)
    }
    assert scoped - listed == set(), "add these routes to tests/web/access_matrix.py"
    assert listed - scoped == set(), "these matrix entries match no route"


def _request(browser: Browser, entry: Entry, world: World) -> int:
    path = _PARAM.sub(lambda m: PATIENT_SCOPED[m.group(1)](world), entry.path)
    body = entry.body(world) if entry.body else {}
    if entry.is_api:
        response = browser.api(entry.method, path, body if entry.method != "GET" else None)
    elif entry.method == "GET":
        response = browser.get(path)
    else:
        response = browser.post_form(path, {k: str(v) for k, v in body.items()})
    if response.status_code == 303 and response.headers["location"].startswith("/login"):
        return 401
    return response.status_code


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.method} {e.path}")
def test_route_refuses_who_the_matrix_refuses(entry: Entry, web: Web, db: Session) -> None:
    world = World(db, web.personas)
    anonymous = web.browser()
    anonymous.refresh_csrf()
    assert _request(anonymous, entry, world) == 401, "anonymous"
    # Refusals first: a permitted persona's request may change what the others would see.
    for name in sorted(entry.expect, key=lambda n: entry.expect[n] == ALLOW):
        status = _request(web.as_(name), entry, world)
        if entry.expect[name] == ALLOW:
            assert status in ALLOWED, f"{name} was refused or failed: {status}"
        else:
            assert status == REFUSED, f"{name} was not refused: {status}"
