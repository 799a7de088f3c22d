"""Reading a FHIR Bundle to pre-fill a patient's screening answers.

`read_bundle(text, patient)` reads Patient, MedicationStatement (with a Medication it
refers to), AllergyIntolerance and Condition, and returns the part of INTAKE.json they
fill (`prefill`), with a report: what was taken (and into which field), what was
skipped on purpose (a stopped medicine, a resolved allergy) and what was not understood
(another resource type, a condition the health questions do not ask about, a medicine
with codes only). Conditions count only by the codes listed in codes.toml (diabetes,
chronic kidney disease, a weak immune system). Nothing here is a clinical decision: the
patient confirms every pre-filled answer, and screening runs on what they send.

A bad bundle is refused with `BundleRefused` (an `InputError` naming where): text that
is not JSON, not an R4 Bundle, one that fails the R4B models, more than `MAX_ENTRIES`
entries, no Patient or several, a Patient whose birth date is missing or differs from
the patient's, whose names share no word with the patient's name, or a resource about
another patient.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from sijcare.domain.errors import InputError
from sijcare.interop.fhir import codes
from sijcare.interop.fhir.questionnaires import ALLERGY_KINDS
from sijcare.interop.fhir.records import PatientRecord

# A size limit for one upload (not a clinical number).
MAX_ENTRIES = 1000
# The lengths INTAKE.json accepts (sijcare.formats.intake).
NAME_MAX = 200
TEXT_MAX = 500
READ = ("Patient", "MedicationStatement", "AllergyIntolerance", "Condition", "Medication")
_SKIP_MEDICINE = frozenset({"completed", "stopped", "not-taken", "entered-in-error"})
_SKIP_CLINICAL = frozenset({"inactive", "resolved", "remission"})
_SKIP_VERIFIED = frozenset({"refuted", "entered-in-error"})

Json = Mapping[str, Any]


class BundleRefused(InputError):
    """The bundle cannot be imported at all; nothing was taken from it."""


@dataclass(frozen=True)
class ImportNote:
    """One line of the report: the entry, the INTAKE.json field it filled, and why."""

    entry: str
    field: str
    text: str


@dataclass(frozen=True)
class ImportResult:
    prefill: dict[str, Any]
    taken: tuple[ImportNote, ...]
    skipped: tuple[ImportNote, ...]
    not_understood: tuple[ImportNote, ...]


@dataclass
class _Report:
    """What reading a bundle found so far, and what the readers need to look up."""

    resources: Mapping[str, Json]  # every entry's resource by how others refer to it
    used_medications: set[str] = field(default_factory=set)
    prefill: dict[str, Any] = field(default_factory=dict)
    taken: list[ImportNote] = field(default_factory=list)
    skipped: list[ImportNote] = field(default_factory=list)
    not_understood: list[ImportNote] = field(default_factory=list)

    def add(self, key: str, value: dict[str, Any], name_key: str) -> str | None:
        """Add `value` to the list `key` unless the same name is there; its field path."""
        items = self.prefill.setdefault(key, [])
        wanted = _fold(value[name_key])
        if any(_fold(item[name_key]) == wanted for item in items):
            return None
        items.append(value)
        return f"{key}[{len(items) - 1}]"


def read_bundle(text: str, patient: PatientRecord) -> ImportResult:
    """What `text` (a FHIR R4 Bundle as JSON) pre-fills for `patient`, and the report."""
    doc = _bundle(text)
    entries = list(doc.get("entry", []))
    if len(entries) > MAX_ENTRIES:
        raise BundleRefused("bundle.entry", f"has {len(entries)} entries; at most {MAX_ENTRIES}")
    own = _patient(entries, patient)
    report = _Report({_key(e): e["resource"] for e in entries if "resource" in e})
    for i, entry in enumerate(entries):
        resource = entry.get("resource", {})
        kind = str(resource.get("resourceType", ""))
        label = f"entry[{i}] {kind}"
        if kind in _READERS and not _about(resource, own, f"entry[{i}].resource"):
            report.not_understood.append(ImportNote(label, "", "It does not say whom it is about."))
        elif kind in _READERS:
            _READERS[kind](resource, label, report)
        elif kind == "Patient":
            report.taken.append(
                ImportNote(label, "", "Matched to this patient (birth date and name).")
            )
        elif kind != "Medication":
            report.not_understood.append(
                ImportNote(label, "", f"{kind} is not read: only {', '.join(READ[:4])}.")
            )
    for i, entry in enumerate(entries):
        resource = entry.get("resource", {})
        unused = _key(entry) not in report.used_medications
        if resource.get("resourceType") == "Medication" and unused:
            report.not_understood.append(
                ImportNote(f"entry[{i}] Medication", "", "No MedicationStatement refers to it.")
            )
    return ImportResult(
        prefill=report.prefill,
        taken=tuple(report.taken),
        skipped=tuple(report.skipped),
        not_understood=tuple(report.not_understood),
    )


def _bundle(text: str) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BundleRefused(f"bundle:{exc.lineno}", f"not valid JSON ({exc.msg})") from None
    if not isinstance(doc, dict) or doc.get("resourceType") != "Bundle":
        raise BundleRefused("bundle", "is not a FHIR Bundle (resourceType must be Bundle)")
    _check_types(doc)
    try:
        bundle = Bundle.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise BundleRefused(
            f"bundle.{where}" if where else "bundle", _short(first["msg"])
        ) from None
    except (KeyError, ValueError):  # an unknown resource type deeper down (a contained one)
        raise BundleRefused("bundle", "holds a resource type that is not FHIR R4") from None
    parsed: dict[str, Any] = json.loads(bundle.model_dump_json(exclude_none=True))
    return parsed


def _check_types(doc: Mapping[str, Any]) -> None:
    """Refuse an entry that is not a resource of FHIR R4, naming it."""
    entries = doc.get("entry", [])
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if resource is None:
            continue
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        try:
            get_fhir_model_class(str(kind))
        except ValueError:
            where = f"bundle.entry[{i}].resource.resourceType"
            raise BundleRefused(where, f"{kind!r} is not a FHIR R4 resource type") from None


def _short(message: str) -> str:
    return message.splitlines()[0][:200]


def _key(entry: Json) -> str:
    """How other entries may refer to `entry`: its full URL, else `Type/id`."""
    resource = entry.get("resource", {})
    return str(entry.get("fullUrl") or f"{resource.get('resourceType')}/{resource.get('id')}")


def _patient(entries: list[Json], patient: PatientRecord) -> set[str]:
    """The addresses of the bundle's one Patient, checked against `patient`."""
    found = [
        i for i, e in enumerate(entries) if e.get("resource", {}).get("resourceType") == "Patient"
    ]
    if not found:
        raise BundleRefused("bundle", "has no Patient, so it cannot be matched to this patient")
    if len(found) > 1:
        raise BundleRefused(
            "bundle", f"has {len(found)} Patients: a bundle must be about one patient"
        )
    i = found[0]
    resource = entries[i]["resource"]
    where = f"entry[{i}].resource"
    born = resource.get("birthDate")
    if born is None:
        raise BundleRefused(where + ".birthDate", "is missing, so the bundle cannot be matched")
    if born != patient.date_of_birth.isoformat():
        raise BundleRefused(
            where + ".birthDate", "differs from this patient's: it is about someone else"
        )
    names = [_words(_name_text(n)) for n in resource.get("name", [])]
    if names and not any(words & _words(patient.name) for words in names):
        raise BundleRefused(
            where + ".name", "shares no name with this patient: it is about someone else"
        )
    own = {_key(entries[i])}
    if resource.get("id"):
        own.add(f"Patient/{resource['id']}")
    return own


def _name_text(name: Json) -> str:
    parts = [name.get("text", ""), name.get("family", ""), *name.get("given", [])]
    return " ".join(str(p) for p in parts if p)


def _words(text: str) -> set[str]:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in plain.casefold())
    return {word for word in cleaned.split() if len(word) > 1}


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _about(resource: Json, own: set[str], where: str) -> bool:
    """Whether `resource` names the bundle's Patient; False when it names no one.

    A resource about another patient refuses the whole bundle.
    """
    key = "patient" if resource.get("resourceType") == "AllergyIntolerance" else "subject"
    reference = (resource.get(key) or {}).get("reference")
    if reference is None:
        return False
    if reference in own or any(
        reference.endswith("/" + r) for r in own if r.startswith("Patient/")
    ):
        return True
    raise BundleRefused(f"{where}.{key}", f"refers to {reference!r}, not to the bundle's Patient")


def _concept_text(concept: Json | None) -> str | None:
    if not concept:
        return None
    if concept.get("text"):
        return str(concept["text"]).strip() or None
    for coding in concept.get("coding", []):
        if coding.get("display"):
            return str(coding["display"]).strip() or None
    return None


def _status(concept: Json | None) -> str:
    for coding in (concept or {}).get("coding", []):
        return str(coding.get("code", ""))
    return ""


def _medicine(resource: Json, label: str, report: _Report) -> None:
    status = str(resource.get("status", ""))
    concept = resource.get("medicationCodeableConcept")
    reference = (resource.get("medicationReference") or {}).get("reference")
    if reference is not None:
        report.used_medications.add(reference)
        concept = (report.resources.get(reference) or {}).get("code")
    name = _concept_text(concept)
    if name is None:
        report.not_understood.append(ImportNote(label, "", "The medicine has codes but no name."))
        return
    if status in _SKIP_MEDICINE:
        report.skipped.append(ImportNote(label, "", f"{name}: not taken now (status {status})."))
        return
    if len(name) > NAME_MAX:
        report.not_understood.append(
            ImportNote(label, "", f"The name is longer than {NAME_MAX} characters.")
        )
        return
    dosage = (resource.get("dosage") or [{}])[0]
    dose = dosage.get("text")
    frequency = _concept_text((dosage.get("timing") or {}).get("code"))
    value = {
        "name": name,
        "dose": dose if dose and len(dose) <= NAME_MAX else None,
        "frequency": frequency if frequency and len(frequency) <= NAME_MAX else None,
    }
    path = report.add("medicines", value, "name")
    if path is None:
        report.skipped.append(ImportNote(label, "", f"{name}: already listed."))
    else:
        report.taken.append(ImportNote(label, path, f"Medicine {name}."))


def _allergy(resource: Json, label: str, report: _Report) -> None:
    clinical, verified = (
        _status(resource.get("clinicalStatus")),
        _status(resource.get("verificationStatus")),
    )
    substance = _concept_text(resource.get("code"))
    if substance is None or len(substance) > NAME_MAX:
        report.not_understood.append(ImportNote(label, "", "The allergy has no name we can use."))
        return
    if clinical in _SKIP_CLINICAL or verified in _SKIP_VERIFIED:
        report.skipped.append(ImportNote(label, "", f"{substance}: {clinical or verified}."))
        return
    reactions = resource.get("reaction") or [{}]
    manifestations = reactions[0].get("manifestation") or [None]
    reaction = reactions[0].get("description") or _concept_text(manifestations[0])
    value = {
        "substance": substance,
        "kind": _allergy_kind(resource),
        "reaction": reaction if reaction and len(reaction) <= TEXT_MAX else None,
    }
    path = report.add("allergies", value, "substance")
    if path is None:
        report.skipped.append(ImportNote(label, "", f"{substance}: already listed."))
    else:
        report.taken.append(ImportNote(label, path, f"Allergy to {substance} ({value['kind']})."))


def _allergy_kind(resource: Json) -> str:
    """sijcare's own kind when the bundle came from sijcare, else from the category."""
    for ext in resource.get("extension", []):
        code = (ext.get("valueCoding") or {}).get("code")
        if ext.get("url") == codes.url("allergy-kind") and code in ALLERGY_KINDS:
            return str(code)
    categories = resource.get("category", [])
    if "food" in categories:
        return "food"
    return "medicine" if "medication" in categories else "other"


def _condition(resource: Json, label: str, report: _Report) -> None:
    name = _concept_text(resource.get("code")) or _first_code(resource.get("code"))
    clinical, verified = (
        _status(resource.get("clinicalStatus")),
        _status(resource.get("verificationStatus")),
    )
    rule = _matching_rule(resource.get("code") or {})
    if rule is None:
        report.not_understood.append(
            ImportNote(
                label, "", f"{name or 'A condition'}: not one the health questions ask about."
            )
        )
        return
    if clinical in _SKIP_CLINICAL or verified in _SKIP_VERIFIED:
        report.skipped.append(ImportNote(label, "", f"{name}: {clinical or verified}."))
        return
    if rule.field == "diabetes.has":
        report.prefill["diabetes"] = {"has": True, "uses_insulin": None}
    else:
        report.prefill[rule.field] = True
    report.taken.append(ImportNote(label, rule.field, f"{name}: answered yes."))


def _first_code(concept: Json | None) -> str | None:
    for coding in (concept or {}).get("coding", []):
        return f"{coding.get('system', '')}|{coding.get('code', '')}"
    return None


def _matching_rule(concept: Json) -> codes.ConditionRule | None:
    snomed, icd = codes.system("snomed"), codes.system("icd10cm")
    for rule in codes.codes().conditions:
        for coding in concept.get("coding", []):
            code = str(coding.get("code", ""))
            if coding.get("system") == snomed and code in rule.snomed:
                return rule
            category = code.replace(".", "").upper()[:3]
            if coding.get("system") == icd and category in rule.icd10cm_categories:
                return rule
    return None


_READERS: dict[str, Callable[[Json, str, _Report], None]] = {
    "MedicationStatement": _medicine,
    "AllergyIntolerance": _allergy,
    "Condition": _condition,
}
