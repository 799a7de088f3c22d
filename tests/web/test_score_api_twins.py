"""The score API's two routes give the same answers.

`portal_diary.record_score` serves `POST .../diary-entries` ahead of FastAPI (the app's
busiest request, see the module); `portal_diary.post_entry` is the same request through
FastAPI's routing and dependencies. Each case is sent twice, once with the fast route and
once without it, and the answers must match: status, JSON body, and the audit events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.orm import Session

from sijcare.db.enums import Kind
from sijcare.db.models import AuditEvent, DiaryEntry
from sijcare.web.routes import portal_diary
from web.conftest import Browser, FrozenClock, Web
from web.test_portal_api import documented

Send = Callable[[Browser], httpx.Response]


def _both(app: FastAPI, clock: FrozenClock, send: Send, browser: Browser) -> list[httpx.Response]:
    """`send` with the fast route, then without it (a minute later: a new score's time)."""
    fast = [route for route in app.router.routes if route in portal_diary.fast_routes]
    assert fast, "the app serves the score API's fast route"
    first = send(browser)
    clock.advance(minutes=1)
    for route in fast:
        app.router.routes.remove(route)
    try:
        second = send(browser)
    finally:
        app.router.routes[:0] = fast
    return [first, second]


def _answer(response: httpx.Response) -> tuple[int, Any]:
    body = response.json()
    if response.status_code == 201:
        # Each send records its own score: another id, a minute later.
        body = {k: v for k, v in body.items() if k not in ("id", "recorded_at")}
    return response.status_code, body


def _url(procedure_id: int) -> str:
    return f"/api/v1/portal/procedures/{procedure_id}/diary-entries"


# Each case: who sends, and how (`_send`: a JSON body, raw content, headers, no CSRF
# header, a form, or the score of a procedure that does not exist).
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "recorded": ("patient", {"json": {"pain": 3, "activity": "yes", "note": " ok "}}),
    "broken JSON": ("patient", {"content": b'{"pain": ', "type": "application/json"}),
    "not JSON": ("patient", {"content": b'{"pain": 2}', "type": "text/plain"}),
    "no content type": ("patient", {"content": b'{"pain": 2}', "type": None}),
    "empty body": ("patient", {}),
    "null body": ("patient", {"content": b"null", "type": "application/json"}),
    "a list": ("patient", {"json": [1, 2]}),
    "pain too high": ("patient", {"json": {"pain": 11}}),
    "pain not a number": ("patient", {"json": {"pain": "x"}}),
    "no pain": ("patient", {"json": {"note": "hi"}}),
    "no zone": ("patient", {"json": {"pain": 2, "recorded_at": "2026-03-02T07:00:00"}}),
    "before the injection": (
        "patient",
        {"json": {"pain": 2, "recorded_at": "2026-03-01T07:00:00-08:00"}},
    ),
    "note too long": ("patient", {"json": {"pain": 2, "note": "n" * 1001}}),
    "unknown activity": ("patient", {"json": {"pain": 2, "activity": "maybe"}}),
    "in Spanish": ("patient", {"json": {"pain": 12}, "headers": {"accept-language": "es"}}),
    "no CSRF header": ("patient", {"json": {"pain": 2}, "csrf": False}),
    "a wrong CSRF token": ("patient", {"json": {"pain": 2}, "headers": {"X-CSRF-Token": "x"}}),
    "CSRF in a form": ("patient", {"form": {"pain": "2"}}),
    "a wrong CSRF token and broken JSON": (
        "patient",
        {"content": b"{", "type": "application/json", "headers": {"X-CSRF-Token": "x"}},
    ),
    "signed out": ("anonymous", {"json": {"pain": 2}}),
    "signed out, no token": ("anonymous", {"json": {"pain": 2}, "csrf": False}),
    "another patient": ("other_patient", {"json": {"pain": 2}}),
    "the clinician": ("clinician", {"json": {"pain": 2}}),
    "an outsider": ("outsider", {"json": {"pain": 2}}),
    "no such procedure": ("patient", {"json": {"pain": 2}, "missing": True}),
}


def _sender(procedure_id: int, how: dict[str, Any]) -> Send:
    url = _url(procedure_id + 1000 if how.get("missing") else procedure_id)

    def send(browser: Browser) -> httpx.Response:
        if "form" in how:
            return browser.post_form(url, how["form"])
        headers = dict(how.get("headers", {}))
        if "content" not in how:
            csrf = how.get("csrf", True)
            return browser.api("POST", url, how.get("json"), csrf=csrf, headers=headers)
        if how["type"] is not None:
            headers["content-type"] = how["type"]
            return browser.api("POST", url, content=how["content"], headers=headers)
        # No content type at all (a client that leaves it out).
        headers.setdefault("X-CSRF-Token", browser.csrf_token)
        return browser.client.post(url, content=how["content"], headers=headers)

    return send


@pytest.mark.parametrize("case", CASES)
def test_the_fast_route_answers_as_fastapi_does(
    case: str, web: Web, db: Session, clock: FrozenClock
) -> None:
    who, how = CASES[case]
    procedure_id = documented(db, web.personas, kind=Kind.THERAPEUTIC)
    browser = web.browser() if who == "anonymous" else web.as_(who)
    if who == "anonymous":
        browser.refresh_csrf()
    fast, slow = _both(web.app, clock, _sender(procedure_id, how), browser)
    assert _answer(fast) == _answer(slow)
    assert fast.headers["content-type"] == slow.headers["content-type"]
    with db.begin():
        events = db.execute(
            sa.select(AuditEvent.action, AuditEvent.actor_user_id, AuditEvent.target_type)
            .where(AuditEvent.action.in_(("diary.record", "access.denied")))
            .order_by(AuditEvent.id)
        ).all()
        entries = db.scalar(sa.select(sa.func.count()).select_from(DiaryEntry))
    # Both recorded the same events (none, one each, or a refusal each).
    assert len(events) % 2 == 0 and events[: len(events) // 2] == events[len(events) // 2 :]
    assert entries == (2 if fast.status_code == 201 else 0)


def test_a_replayed_form_answers_alike(web: Web, db: Session, clock: FrozenClock) -> None:
    procedure_id = documented(db, web.personas, kind=Kind.THERAPEUTIC)
    patient = web.as_("patient")
    body = {"pain": 4, "idempotency_key": "twin-1"}
    first = patient.api("POST", _url(procedure_id), body)
    assert first.status_code == 201

    def again(b: Browser) -> httpx.Response:
        return b.api("POST", _url(procedure_id), body)

    fast, slow = _both(web.app, clock, again, patient)
    assert fast.status_code == slow.status_code == 201
    assert fast.json() == slow.json() == first.json()


def test_a_path_that_is_not_a_number_is_left_to_fastapi(web: Web) -> None:
    answer = web.as_("patient").api("POST", _url("x"), {"pain": 2})  # type: ignore[arg-type]
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "procedure_id"


def test_other_methods_are_refused_alike(web: Web, db: Session, clock: FrozenClock) -> None:
    procedure_id = documented(db, web.personas)

    def put(b: Browser) -> httpx.Response:
        return b.api("PUT", _url(procedure_id), {"pain": 2})

    fast, slow = _both(web.app, clock, put, web.as_("patient"))
    assert fast.status_code == slow.status_code == 405
