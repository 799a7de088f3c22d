"""Searching the clinic's patients by part of a name: the text typed is matched as it is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from factories import actor_of, make_patient
from fixtures_db import Personas
from sijcare.services import patients

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        pytest.param("ann", ["Ann O'Neil", "Joanna Ruiz"], id="part-of-a-name"),
        pytest.param("ANN", ["Ann O'Neil", "Joanna Ruiz"], id="any-case"),
        pytest.param("%", [], id="percent-is-no-wildcard"),
        pytest.param("_", ["Lee_Test"], id="underscore-is-a-letter"),
        pytest.param("o'n", ["Ann O'Neil"], id="an-apostrophe"),
    ],
)
def test_search_matches_the_typed_text(
    db: Session, personas: Personas, search: str, expected: list[str]
) -> None:
    clinic = personas.clinic
    for name in ("Ann O'Neil", "Joanna Ruiz", "Lee_Test", "Bo Smith"):
        make_patient(db, clinic=clinic, name=name)
    actor = actor_of(db, personas.clinician.user.id)
    found = patients.list_patients(db, actor=actor, now=NOW, search=search)
    assert [
        p.name for p in found if p.name in {"Ann O'Neil", "Joanna Ruiz", "Lee_Test", "Bo Smith"}
    ] == expected
