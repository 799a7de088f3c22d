"""PLAN.json (a planned injection, with what consent needs) and CONSENT.json (a record).

PLAN.json, an object:

- required: `scheduled_at` (ISO 8601 with offset), `kind` (diagnostic | therapeutic),
  `side` (left | right | bilateral), `anesthetic_agent` (a name in the anesthetics
  table), `steroid_agent` (null for a diagnostic block; a name in the steroids table);
- optional: `guidance` (fluoroscopy | ct | ultrasound), `contrast_planned` (bool, default
  true), `sedation` (none | minimal | moderate), `physician`, `location`;
- `consent`: {`physician_qualifications`, `cost_note`, `results_how` (required),
  `physician_name`, `location` (used when the plan has none)}.

CONSENT.json, an object: `plan_version` (from `sijcare consent questions`),
`confirmations` [{`question`, `confirmed_at`}], `agreement` (null or {`signed_by`,
`signed_at`, `witnessed_by`}).

Unknown keys are refused; errors name the path, like `consent.cost_note`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sijcare.domain.consent import Agreement, Confirmation, ConsentContext, ConsentRecord, Question
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Guidance, Kind, PlannedProcedure, Sedation, Side
from sijcare.formats.common import (
    load_json_object,
    parse_bool,
    parse_datetime,
    parse_enum,
    parse_text,
    require,
)

_PLAN_KEYS = frozenset(
    (
        "scheduled_at",
        "kind",
        "side",
        "anesthetic_agent",
        "steroid_agent",
        "guidance",
        "contrast_planned",
        "sedation",
        "physician",
        "location",
        "consent",
    )
)
_CONTEXT_KEYS = frozenset(
    ("physician_qualifications", "cost_note", "results_how", "physician_name", "location")
)
_RECORD_KEYS = frozenset(("plan_version", "confirmations", "agreement"))


def parse_plan_text(
    text: str, knowledge: Knowledge, *, what: str
) -> tuple[PlannedProcedure, ConsentContext]:
    """Parse PLAN.json text; errors name `what` (the file) and the field."""
    doc = load_json_object(text, what=what)
    try:
        return plan_from_dict(doc, knowledge), context_from_dict(require(doc, "consent"))
    except InputError as exc:
        raise exc.within(what) from None


def plan_from_dict(doc: Mapping[str, Any], knowledge: Knowledge) -> PlannedProcedure:
    """The planned injection of a decoded PLAN.json object; the agents must be known."""
    _refuse_unknown(doc, _PLAN_KEYS, prefix="")
    anesthetic = parse_text(require(doc, "anesthetic_agent"), where="anesthetic_agent")
    knowledge.row("anesthetics", anesthetic, where="anesthetic_agent")
    steroid = _optional_text(doc, "steroid_agent", "")
    if steroid is not None:
        knowledge.row("steroids", steroid, where="steroid_agent")
    return PlannedProcedure(
        scheduled_at=parse_datetime(require(doc, "scheduled_at"), where="scheduled_at"),
        kind=parse_enum(Kind, require(doc, "kind"), where="kind"),
        side=parse_enum(Side, require(doc, "side"), where="side"),
        anesthetic_agent=anesthetic,
        steroid_agent=steroid,
        guidance=parse_enum(Guidance, doc.get("guidance", "fluoroscopy"), where="guidance"),
        contrast_planned=parse_bool(doc.get("contrast_planned", True), where="contrast_planned"),
        sedation=parse_enum(Sedation, doc.get("sedation", "none"), where="sedation"),
        physician=_optional_text(doc, "physician", ""),
        location=_optional_text(doc, "location", ""),
    )


def context_from_dict(doc: Any) -> ConsentContext:
    """The consent context (`consent` object of PLAN.json)."""
    p = "consent."
    if not isinstance(doc, dict):
        raise InputError("consent", "must be an object {physician_qualifications, cost_note, ...}")
    _refuse_unknown(doc, _CONTEXT_KEYS, prefix=p)
    try:
        return ConsentContext(
            physician_qualifications=_required_text(doc, "physician_qualifications", p),
            cost_note=_required_text(doc, "cost_note", p),
            results_how=_required_text(doc, "results_how", p),
            physician_name=_optional_text(doc, "physician_name", p),
            location=_optional_text(doc, "location", p),
        )
    except InputError as exc:
        if exc.where.startswith(p):
            raise
        raise InputError(p + exc.where, exc.message) from None


def parse_record_text(text: str, *, what: str) -> ConsentRecord:
    """Parse CONSENT.json text; errors name `what` (the file) and the field."""
    doc = load_json_object(text, what=what)
    try:
        return record_from_dict(doc)
    except InputError as exc:
        raise exc.within(what) from None


def record_from_dict(doc: Mapping[str, Any]) -> ConsentRecord:
    """The consent record of a decoded CONSENT.json object."""
    _refuse_unknown(doc, _RECORD_KEYS, prefix="")
    confirmations = doc.get("confirmations", [])
    if not isinstance(confirmations, list):
        raise InputError("confirmations", "must be a list of {question, confirmed_at}")
    return ConsentRecord(
        plan_version=parse_text(require(doc, "plan_version"), where="plan_version", max_length=64),
        confirmations=tuple(
            _confirmation(item, f"confirmations[{i}].") for i, item in enumerate(confirmations)
        ),
        agreement=_agreement(doc.get("agreement")),
    )


def _confirmation(doc: Any, p: str) -> Confirmation:
    if not isinstance(doc, dict):
        raise InputError(p.rstrip("."), "must be an object {question, confirmed_at}")
    _refuse_unknown(doc, frozenset(("question", "confirmed_at")), prefix=p)
    return Confirmation(
        question=parse_enum(Question, require(doc, "question", prefix=p), where=p + "question"),
        confirmed_at=parse_datetime(
            require(doc, "confirmed_at", prefix=p), where=p + "confirmed_at"
        ),
    )


def _agreement(doc: Any) -> Agreement | None:
    p = "agreement."
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise InputError("agreement", "must be null or {signed_by, signed_at, witnessed_by}")
    _refuse_unknown(doc, frozenset(("signed_by", "signed_at", "witnessed_by")), prefix=p)
    return Agreement(
        signed_by=_required_text(doc, "signed_by", p),
        signed_at=parse_datetime(require(doc, "signed_at", prefix=p), where=p + "signed_at"),
        witnessed_by=_required_text(doc, "witnessed_by", p),
    )


def _refuse_unknown(doc: Mapping[str, Any], known: frozenset[str], *, prefix: str) -> None:
    unknown = sorted(set(doc) - known)
    if unknown:
        raise InputError(
            prefix + unknown[0], f"is not a known field (known: {', '.join(sorted(known))})"
        )


def _required_text(doc: Mapping[str, Any], key: str, p: str) -> str:
    value = parse_text(require(doc, key, prefix=p), where=p + key, max_length=1000)
    if not value.strip():
        raise InputError(p + key, "is required")
    return value.strip()


def _optional_text(doc: Mapping[str, Any], key: str, p: str) -> str | None:
    value = doc.get(key)
    if value is None:
        return None
    text = parse_text(value, where=p + key, max_length=200).strip()
    return text or None
