"""The codes of the FHIR mapping (src/sijcare/interop/codes.toml): sourced, and the ones
the project's reference lists (clinical-facts.md section 9)."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

import pytest

from sijcare.interop.fhir import codes

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
CPT = "http://www.ama-assn.org/go/cpt"


def _raw() -> dict[str, Any]:
    text = resources.files("sijcare.interop").joinpath("codes.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@pytest.mark.parametrize(
    ("name", "system", "code"),
    [
        pytest.param("si-joint", SNOMED, "39723000", id="si-joint-structure"),
        pytest.param("left", SNOMED, "7771000", id="left"),
        pytest.param("right", SNOMED, "24028007", id="right"),
        pytest.param("bilateral", SNOMED, "51440002", id="bilateral"),
        pytest.param("diagnostic-procedure", SNOMED, "103693007", id="diagnostic"),
        pytest.param("therapeutic-procedure", SNOMED, "277132007", id="therapeutic"),
        pytest.param("pain-nrs", LOINC, "72514-3", id="pain-nrs"),
        pytest.param("patient-consent", LOINC, "59284-0", id="consent-category"),
        pytest.param("si-joint-injection", CPT, "27096", id="cpt"),
    ],
)
def test_reference_codes(name: str, system: str, code: str) -> None:
    found = codes.code(name)
    assert (found.system, found.code, found.source) == (system, code, "clinical-facts-9")


def test_cpt_codes_have_no_descriptor() -> None:
    cpt = [c for c in codes.codes().codes.values() if c.system == CPT]
    assert cpt and all(c.display is None for c in cpt)
    assert codes.coding("si-joint-injection") == {"system": CPT, "code": "27096"}


def test_every_entry_names_a_listed_source() -> None:
    doc = _raw()
    sources = set(doc["sources"])
    for section in ("systems", "codes", "extensions", "profiles"):
        for name, spec in doc[section].items():
            assert spec["source"] in sources, f"{section}.{name}"
    for name, spec in doc["import"]["conditions"].items():
        assert spec["source"] in sources, name


def test_an_entry_without_a_source_is_refused() -> None:
    doc = _raw()
    del doc["codes"]["left"]["source"]
    with pytest.raises(ValueError, match="left needs a source"):
        codes.parse_codes(doc)


def test_own_definitions_live_under_the_canonical_base() -> None:
    base = codes.codes().canonical_base
    assert codes.system("allergy-kind") == f"{base}/CodeSystem/allergy-kind"
    assert codes.url("allergy-kind") == f"{base}/StructureDefinition/allergy-kind"
    assert codes.canonical("Questionnaire", "diary") == f"{base}/Questionnaire/diary"
    assert codes.local("task", "call-back") == {
        "system": f"{base}/CodeSystem/task",
        "code": "call-back",
    }


def test_a_code_system_that_is_not_listed_is_an_error() -> None:
    with pytest.raises(KeyError):
        codes.local("made-up", "x")


def test_import_conditions_fill_known_screening_answers() -> None:
    fields = {rule.field for rule in codes.codes().conditions}
    assert fields == {"diabetes.has", "kidney_function_impaired", "immunocompromised"}
