"""Every problem of a procedure document at once (`formats.procedure.document_problems`).

The fast parser stops at the first problem; the form shows all of them. Each single fault
below must be found by both, at the same field with the same message, so the two never
disagree about what is wrong.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Anesthetic, Contrast, Kind, Procedure, Side, Steroid
from sijcare.formats.procedure import document_problems, procedure_from_dict

EXAMPLE = Path(__file__).parents[2] / "examples" / "procedure-therapeutic.json"


def _valid() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return doc


def _set(path: str, value: Any) -> Any:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = doc
        for name in parents:
            target = target[name]
        if value is _DROP:
            del target[last]
        else:
            target[last] = value

    return change


_DROP = object()

# (what is wrong, the change, the field named, words of the message)
SINGLE_FAULTS = [
    ("unknown field", _set("sedaton", "none"), "sedaton", "not a field"),
    ("no steroid key", _set("steroid", _DROP), "steroid", "is required"),
    ("no kind", _set("kind", _DROP), "kind", "is required"),
    ("kind not offered", _set("kind", "curative"), "kind", ""),
    ("anesthetic not an object", _set("anesthetic", 3), "anesthetic", "must be an object"),
    ("steroid not an object", _set("steroid", "x"), "steroid", "must be null or an object"),
    ("time without offset", _set("performed_at", "2026-04-06T10:00:00"), "performed_at", ""),
    ("no side", _set("side", None), "side", "is required"),
    ("blank anesthetic", _set("anesthetic.agent", " "), "anesthetic.agent", "is required"),
    ("zero concentration", _set("anesthetic.concentration_percent", 0),
     "anesthetic.concentration_percent", "above 0"),
    ("negative volume", _set("anesthetic.volume_ml", -1), "anesthetic.volume_ml", "above 0"),
    ("volume slip", _set("anesthetic.volume_ml", 80), "anesthetic.volume_ml", "plausible"),
    ("unknown anesthetic", _set("anesthetic.agent", "novocaine"), "anesthetic.agent", "unknown"),
    ("zero dose", _set("steroid.dose_mg", 0), "steroid.dose_mg", "above 0 mg"),
    ("dose slip", _set("steroid.dose_mg", 400), "steroid.dose_mg", "plausible"),
    ("unknown steroid", _set("steroid.agent", "cortisone-x"), "steroid.agent", "unknown"),
    ("therapeutic without steroid", _set("steroid", None), "steroid", "needs a steroid"),
    ("baseline above 10", _set("baseline_pain", 11), "baseline_pain", ""),
    ("baseline as text", _set("baseline_pain", "seven"), "baseline_pain", ""),
    ("guidance not offered", _set("guidance", "x-ray"), "guidance", ""),
    ("no contrast reason", _set("contrast.used", False), "contrast.reason_not_used", "say why"),
    ("sedation not offered", _set("sedation", "deep"), "sedation", ""),
    ("observation before injection", _set("observation_end", "2026-04-06T09:00:00-07:00"),
     "observation_end", "before the injection"),
    ("discharge before observation end", _set("discharged_at", "2026-04-06T10:20:00-07:00"),
     "discharged_at", "before the end of observation"),
    ("discharge without driver", _set("driver_present", False), "driver_present", "driver"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [pytest.param(c, w, t, id=name) for name, c, w, t in SINGLE_FAULTS],
)
def test_each_fault_is_found_by_both_parsers_alike(
    change: Any, where: str, words: str, knowledge: Knowledge
) -> None:
    doc = _valid()
    change(doc)
    with pytest.raises(InputError) as first:
        procedure_from_dict(doc, knowledge)
    found = document_problems(doc, knowledge)
    assert [(p.where, p.message) for p in found] == [(first.value.where, first.value.message)]
    assert first.value.where == where and words in first.value.message


def test_a_valid_document_has_no_problems(knowledge: Knowledge) -> None:
    assert document_problems(_valid(), knowledge) == []
    procedure_from_dict(_valid(), knowledge)


def test_several_faults_are_all_found_at_once(knowledge: Knowledge) -> None:
    doc = _valid()
    for _name, change, _where, _words in (
        SINGLE_FAULTS[0],  # unknown field
        SINGLE_FAULTS[11],  # volume slip
        SINGLE_FAULTS[13],  # zero dose
        SINGLE_FAULTS[17],  # baseline above 10
        SINGLE_FAULTS[20],  # no contrast reason
        SINGLE_FAULTS[23],  # discharge before observation end
        SINGLE_FAULTS[24],  # discharge without driver
    ):
        change(doc)
    found = [p.where for p in document_problems(copy.deepcopy(doc), knowledge)]
    assert found == [
        "sedaton",
        "steroid.dose_mg",
        "baseline_pain",
        "contrast.reason_not_used",
        "discharged_at",
        "driver_present",
        "anesthetic.volume_ml",
    ]
    with pytest.raises(InputError) as first:
        procedure_from_dict(doc, knowledge)
    assert first.value.where == "sedaton"


def test_the_classes_still_refuse_their_first_problem() -> None:
    with pytest.raises(InputError, match="anesthetic.concentration_percent"):
        Anesthetic("lidocaine", 0, -1)
    with pytest.raises(InputError, match="steroid.dose_mg"):
        Steroid("triamcinolone", 0)
    with pytest.raises(InputError, match="contrast.reason_not_used"):
        Contrast(used=False)
    with pytest.raises(InputError, match="baseline_pain: must be a whole number"):
        Procedure(
            performed_at=datetime.fromisoformat("2026-04-06T10:00:00-07:00"),
            kind=Kind.DIAGNOSTIC,
            side=Side.LEFT,
            anesthetic=Anesthetic("lidocaine", 1, 1),
            steroid=None,
            baseline_pain=None,  # type: ignore[arg-type]
        )
