"""A fault of ours (an exception nobody expected): the answer says that this may not
have been saved and who to phone at this hour, as a page or as JSON, and never shows a
traceback or the exception's message. The server logs it without its message
(`web.logs.PrivateFormatter`, tests/web/test_logs.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sijcare.domain.contact import who_to_call
from sijcare.services import patients
from web.conftest import Browser, FrozenClock, Web

PATIENT = "Pat Patient, born 1960-01-01"  # what a fault's message might hold


def _fault(*args: object, **kwargs: object) -> object:
    raise RuntimeError(PATIENT)


@pytest.fixture
def clinician(app: FastAPI, web: Web, monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    # The server's way: the answer is sent, not the exception raised into the test.
    client = TestClient(
        app, base_url="https://testserver", follow_redirects=False, raise_server_exceptions=False
    )
    browser = Browser(client)
    persona = web.personas.clinician
    assert browser.sign_in(persona.email, persona.password).status_code == 200
    monkeypatch.setattr(patients, "list_patients", _fault)
    yield browser
    client.close()


def _expected_sentence(app: FastAPI, clock: FrozenClock) -> str:
    knowledge = app.state.platform.knowledge
    number = who_to_call(clock(), knowledge, emergency=False).number
    emergency = knowledge.text("clinic.emergency_phone")
    return (
        "Something went wrong on our side, and this may not have been saved. Please try "
        f"again. If you are reporting symptoms or are worried, phone the clinic now at "
        f"{number}. In an emergency, call {emergency}."
    )


def test_a_page_says_it_may_not_be_saved_and_who_to_phone(
    clinician: Browser, app: FastAPI, clock: FrozenClock
) -> None:
    answer = clinician.get("/patients")
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("text/html")
    assert _expected_sentence(app, clock).replace("'", "&#39;") in answer.text
    assert "Pat Patient" not in answer.text and "Traceback" not in answer.text


def test_the_api_says_the_same_in_json(
    clinician: Browser, app: FastAPI, clock: FrozenClock
) -> None:
    answer = clinician.get("/api/v1/patients")
    assert answer.status_code == 500
    assert answer.json() == {"detail": _expected_sentence(app, clock), "errors": []}
    assert "Pat Patient" not in answer.text
