"""Pain scores and the reading of the diary, as Observations.

Every pain score is an Observation coded LOINC 72514-3 (0-10 numeric rating scale) with
the score as `valueInteger`, part of the injection's Procedure: the baseline just before
the injection, and each diary entry (derived from its diary QuestionnaireResponse, with
its relief from baseline and the usual painful activity as components).

The diary's reading (the newest stored Interpretation) is one Observation whose focus
and `partOf` is the Procedure: its value is the classification; its method the core's
rule version; its components the threshold and the peak relief, every knowledge rule the
reading used (`knowledge-rule` codes, with the knowledge version) and every input it
recorded (`reading-input` codes); `derivedFrom` lists the pain Observations it read. So
the result can be reproduced and explained. Preliminary until a clinician signs it off.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fhir.resources.R4B.observation import Observation

from sijcare.interop.fhir.common import (
    Ids,
    Json,
    build,
    instant,
    local_cc,
    named,
    percent,
    scalar_value,
)
from sijcare.interop.fhir.procedure import procedure_ref
from sijcare.interop.fhir.records import DiaryRecord, InterpretationRecord, ProcedureEntry


def diary_response_key(entry: DiaryRecord) -> str:
    return f"diary/{entry.key}"


def baseline_key(procedure: ProcedureEntry) -> str:
    return f"{procedure.key}/baseline"


def baseline_observation(ids: Ids, procedure: ProcedureEntry) -> Observation:
    """The pain score just before the injection (the baseline of every relief)."""
    data = procedure.data
    return _pain(
        ids,
        baseline_key(procedure),
        procedure,
        pain=int(data["baseline_pain"]),
        at=data["performed_at"],
        context="baseline",
        extra={"performer": [ids.agent(procedure.documented_by)]},
    )


def diary_observation(ids: Ids, procedure: ProcedureEntry, entry: DiaryRecord) -> Observation:
    baseline = int(procedure.data["baseline_pain"])
    components: list[Json] = []
    if baseline > 0:
        relief = (baseline - entry.pain) * 100 / baseline
        components.append(
            {
                "code": local_cc("observation", "relief-percent", "Relief from baseline"),
                "valueQuantity": percent(relief),
            }
        )
    if entry.activity_done is not None:
        components.append(
            {
                "code": local_cc(
                    "observation", "usual-activity-done", "Could do the activity that usually hurts"
                ),
                "valueBoolean": entry.activity_done,
            }
        )
    return _pain(
        ids,
        entry.key,
        procedure,
        pain=entry.pain,
        at=instant(entry.recorded_at),
        context="diary",
        extra={
            "issued": instant(entry.created_at),
            "performer": [ids.patient],
            "derivedFrom": [ids.ref("QuestionnaireResponse", diary_response_key(entry))],
            "component": components,
            "note": [{"text": entry.note}] if entry.note.strip() else [],
        },
    )


def _pain(
    ids: Ids, key: str, procedure: ProcedureEntry, *, pain: int, at: str, context: str, extra: Json
) -> Observation:
    return build(
        Observation,
        {
            "id": ids.id("Observation", key),
            "partOf": [procedure_ref(ids, procedure)],
            "status": "final",
            "category": [named("survey")],
            "code": named("pain-nrs"),
            "subject": ids.patient,
            "effectiveDateTime": at,
            "valueInteger": pain,
            "method": local_cc("pain-context", context),
            **extra,
        },
    )


def interpretation_observation(
    ids: Ids,
    procedure: ProcedureEntry,
    reading: InterpretationRecord,
    diary: tuple[DiaryRecord, ...],
) -> Observation:
    result = reading.result
    error = result.get("error")
    rule_version = str(result.get("rule_version", ""))
    signed = reading.signed_off_at is not None
    return build(
        Observation,
        {
            "id": ids.id("Observation", f"reading/{reading.key}"),
            "partOf": [procedure_ref(ids, procedure)],
            "status": "final" if signed else "preliminary",
            "code": _reading_code(reading.kind),
            "subject": ids.patient,
            "focus": [procedure_ref(ids, procedure)],
            "effectivePeriod": {
                "start": procedure.data["performed_at"],
                "end": instant(reading.computed_at),
            },
            "issued": instant(reading.computed_at),
            "performer": [ids.agent(reading.signed_off_by)] if signed else [],
            "valueCodeableConcept": _classification(reading),
            "method": local_cc("rule", rule_version, f"Rule {rule_version}")
            if rule_version
            else None,
            "derivedFrom": _inputs(ids, procedure, result, diary),
            "component": [
                {
                    "code": local_cc("observation", "knowledge-version", "Knowledge version"),
                    "valueString": reading.knowledge_version,
                },
                *_summary(result),
                *_rules(result),
                *_reading_inputs(result),
            ],
            "note": _notes(result, error),
        },
    )


def _reading_code(kind: str) -> Json:
    if kind == "diagnostic":
        return local_cc("observation", "diagnostic-block-result", "Diagnostic block result")
    return local_cc("observation", "therapeutic-response", "Therapeutic injection response")


def _classification(reading: InterpretationRecord) -> Json:
    """The classification: positive ... for a block; responder ... at a milestone."""
    label = reading.classification
    if reading.kind == "diagnostic":
        return local_cc("block-classification", label, label.replace("_", " "))
    milestone, _, outcome = label.rpartition(":")
    text = f"{outcome.replace('_', ' ')} at {milestone}" if milestone else outcome.replace("_", " ")
    return local_cc("therapeutic-response", outcome, text)


def _inputs(
    ids: Ids, procedure: ProcedureEntry, result: Mapping[str, Any], diary: tuple[DiaryRecord, ...]
) -> list[Json]:
    """The baseline and the diary Observations the reading used (matched by their time)."""
    used = {_moment(p["recorded_at"]) for p in result.get("scores_used", ())}
    out = [ids.ref("Observation", baseline_key(procedure))]
    out += [ids.ref("Observation", e.key) for e in diary if _moment(instant(e.recorded_at)) in used]
    return out


def _moment(value: str) -> datetime:
    """The instant of an ISO 8601 time: equal instants compare equal whatever their offset."""
    return datetime.fromisoformat(value)


def _summary(result: Mapping[str, Any]) -> list[Json]:
    out = []
    for key, label in (
        ("threshold_percent", "Positive threshold"),
        ("indeterminate_floor_percent", "Indeterminate from"),
        ("peak_relief_percent", "Peak relief in the window"),
        ("anesthetic_peak_relief_percent", "Peak relief while the anesthetic works"),
    ):
        if result.get(key) is not None:
            out.append(
                {
                    "code": local_cc("observation", key.replace("_", "-"), label),
                    "valueQuantity": percent(result[key]),
                }
            )
    for milestone, relief in (result.get("milestones") or {}).items():
        if relief is not None:
            out.append(
                {
                    "code": local_cc(
                        "observation", f"relief-{milestone}", f"Relief at {milestone}"
                    ),
                    "valueQuantity": percent(relief),
                }
            )
    return out


def _rules(result: Mapping[str, Any]) -> list[Json]:
    rules = (result.get("provenance") or {}).get("rules") or {}
    return [
        {"code": local_cc("knowledge-rule", key), **scalar_value(value)}
        for key, value in rules.items()
    ]


def _reading_inputs(result: Mapping[str, Any]) -> list[Json]:
    inputs = (result.get("provenance") or {}).get("inputs") or {}
    return [
        {"code": local_cc("reading-input", key), **scalar_value(value)}
        for key, value in inputs.items()
        if value is not None
    ]


def _notes(result: Mapping[str, Any], error: Any) -> list[Json]:
    if error:
        return [{"text": f"The diary cannot be read: {error.get('where')}: {error.get('message')}"}]
    notes = [{"text": str(result["rationale"])}] if result.get("rationale") else []
    notes += [{"text": f"{w['code']}: {w['message']}"} for w in result.get("warnings", ())]
    return notes
