"""What is cached per Knowledge (table rows by name, provenance views, the therapeutic
rules) stays that Knowledge's own: a clinic's overrides never leak into another reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sijcare import knowledge as loader
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Anesthetic, Kind, Procedure, Side, Steroid
from sijcare.domain.relief import PainScore
from sijcare.domain.therapeutic import interpret_therapeutic

AT = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def test_row_matches_id_and_names_case_insensitively(knowledge: Knowledge) -> None:
    assert knowledge.row("anesthetics", " naropin ", where="x")["id"] == "ropivacaine"
    assert knowledge.row("steroids", "KENALOG", where="x")["id"] == "triamcinolone"
    # A name shared by two rows gives the first, as a scan of the table would.
    rows = [r for r in knowledge.table("blood_thinners") if "Lovenox" in r.get("names", ())]
    assert len(rows) > 1
    assert knowledge.row("blood_thinners", "lovenox", where="x") is rows[0]


def test_unknown_row_is_an_input_error_every_time(knowledge: Knowledge) -> None:
    for _ in range(2):
        with pytest.raises(InputError) as exc:
            knowledge.row("anesthetics", "procaine", where="anesthetic.agent")
        assert exc.value.where == "anesthetic.agent"
        assert "lidocaine" in exc.value.message
    with pytest.raises(KeyError):
        knowledge.row("no_such_table", "x", where="x")


def test_provenance_is_per_knowledge(knowledge: Knowledge) -> None:
    clinic = loader.apply_overrides(knowledge, {"therapeutic.responder_percent": 60})
    keys = ("therapeutic.responder_percent",)
    shipped = knowledge.provenance(keys, {"a": 1})
    overridden = clinic.provenance(keys, {"a": 2})
    assert shipped.as_dict() == {
        "knowledge_version": knowledge.version,
        "overrides": {},
        "rules": {"therapeutic.responder_percent": 50},
        "inputs": {"a": 1},
    }
    assert overridden.as_dict()["overrides"] == {"therapeutic.responder_percent": 60}
    assert overridden.as_dict()["rules"] == {"therapeutic.responder_percent": 60}
    assert knowledge.provenance(keys, {"a": 3}).rules == {"therapeutic.responder_percent": 50}


def test_therapeutic_rules_are_read_per_knowledge(knowledge: Knowledge) -> None:
    procedure = Procedure(
        performed_at=AT, kind=Kind.THERAPEUTIC, side=Side.LEFT,
        anesthetic=Anesthetic("lidocaine", 1.0, 2.0), steroid=Steroid("triamcinolone", 40.0),
        baseline_pain=8,
    )  # fmt: skip
    scores = (PainScore(AT + timedelta(days=14), 3),)  # 62.5 % relief at 2 weeks
    strict = loader.apply_overrides(knowledge, {"therapeutic.responder_percent": 70})
    for _ in range(2):
        assert interpret_therapeutic(procedure, scores, knowledge).responders["2w"] is True
        assert interpret_therapeutic(procedure, scores, strict).responders["2w"] is False


def test_a_bad_clinic_rule_is_reported_on_every_reading(knowledge: Knowledge) -> None:
    procedure = Procedure(
        performed_at=AT, kind=Kind.THERAPEUTIC, side=Side.LEFT,
        anesthetic=Anesthetic("lidocaine", 1.0, 2.0), steroid=Steroid("triamcinolone", 40.0),
        baseline_pain=8,
    )  # fmt: skip
    bad = loader.apply_overrides(knowledge, {"therapeutic.flare_from_hours": 72})
    for _ in range(2):
        with pytest.raises(InputError) as exc:
            interpret_therapeutic(procedure, (), bad)
        assert exc.value.where == "therapeutic.flare_until_hours"
