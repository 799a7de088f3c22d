"""New passwords follow NIST SP 800-63B: length, no breached or common password, no runs,
none of the account's own words, and no composition rules (services/password_policy.py)."""

from __future__ import annotations

import pytest

from sijcare.services import password_policy
from sijcare.services.passwords import temporary_password
from web.conftest import Web

CONTEXT = ("pat.patient@example.org", "Pat Patient")
REFUSED = [
    pytest.param("short", id="too-short"),
    pytest.param("x" * 201 + "yz", id="too-long"),
    pytest.param(" " * 14, id="only-spaces"),
    pytest.param("qwerty123456", id="listed"),
    pytest.param("Sonyericsson", id="listed-any-case"),
    pytest.param("password123456!", id="listed-with-digits-added"),
    pytest.param("dragondragon", id="listed-twice"),
    pytest.param("aaaaaaaaaaaaaa", id="one-character"),
    pytest.param("ababababababab", id="two-characters"),
    pytest.param("123456789012", id="digit-run"),
    pytest.param("zyxwvutsrqponm", id="alphabet-backwards"),
    pytest.param("asdfghjklzxc", id="keyboard-row"),
    pytest.param("my sijcare login", id="product-name"),
    pytest.param("hello patient 2026", id="name-word"),
    pytest.param("pat.patient rocks", id="email-name"),
]
ACCEPTED = [
    pytest.param("correct horse battery staple", id="passphrase"),
    pytest.param("lantern orbit mango 42", id="words-and-digits"),
    pytest.param("alllowercaseletters", id="no-composition-rule"),
    pytest.param("çàè ñüö 漢字 ok!", id="unicode"),
    pytest.param("x" * 198 + "yz", id="longest"),
]


@pytest.mark.parametrize("password", REFUSED)
def test_password_is_refused(password: str) -> None:
    assert password_policy.problems(password, context=CONTEXT) != []


@pytest.mark.parametrize("password", ACCEPTED)
def test_password_is_accepted(password: str) -> None:
    assert password_policy.problems(password, context=CONTEXT) == []


def test_shipped_list_is_large_and_lowercase() -> None:
    words = password_policy.common_passwords()
    assert len(words) == 30_000
    assert all(word == word.lower() for word in words)
    assert {"123456", "password", "qwerty"} <= words


def test_temporary_passwords_meet_the_rules() -> None:
    for _ in range(50):
        assert password_policy.problems(temporary_password()) == []


def test_changing_to_a_breached_password_is_refused(web: Web) -> None:
    patient = web.as_("patient")
    response = patient.api(
        "POST",
        "/api/v1/me/password",
        {
            "current_password": web.personas.patient.password,
            "new_password": "qwerty123456",
            "confirm_password": "qwerty123456",
        },
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["new_password"]
    assert "data breaches" in response.json()["errors"][0]["message"]
