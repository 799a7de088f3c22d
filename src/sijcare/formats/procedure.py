"""PROCEDURE.json: one SI joint injection.

Required: performed_at (ISO 8601 with offset), kind (diagnostic | therapeutic), side
(left | right | bilateral), anesthetic {agent, concentration_percent, volume_ml},
steroid (null or {agent, dose_mg}), baseline_pain (0-10). Optional: guidance, contrast
{used, agent, reason_not_used}, sedation, physician, observation_end, discharged_at,
driver_present.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import (
    NOT_READ,
    Anesthetic,
    Contrast,
    Guidance,
    Kind,
    Procedure,
    Sedation,
    Side,
    Steroid,
    agent_problems,
    anesthetic_problems,
    check_agents,
    contrast_problems,
    procedure_problems,
    steroid_problems,
)
from sijcare.formats.common import (
    load_json_object,
    parse_bool,
    parse_datetime,
    parse_enum,
    parse_int,
    parse_number,
    parse_text,
    require,
)


def parse_procedure_text(text: str, knowledge: Knowledge, *, what: str) -> Procedure:
    """Parse PROCEDURE.json text; errors name `what` (the file) and the field."""
    doc = load_json_object(text, what=what)
    try:
        return procedure_from_dict(doc, knowledge)
    except InputError as exc:
        raise exc.within(what) from None


FIELDS = frozenset(
    {
        "performed_at", "kind", "side", "anesthetic", "steroid", "baseline_pain", "guidance",
        "contrast", "sedation", "physician", "observation_end", "discharged_at",
        "driver_present",
    }
)  # fmt: skip


def procedure_from_dict(
    doc: Mapping[str, Any],
    knowledge: Knowledge,
    prefix: str = "",
    *,
    extra_fields: frozenset[str] = frozenset(),
) -> Procedure:
    """A `Procedure` from a decoded JSON object (also used inside REPORT and HISTORY).

    Unknown fields are refused: a misspelt "sedaton" must not silently mean no sedation.
    `extra_fields` are the fields an enclosing format adds (HISTORY's diary).
    """
    p = prefix
    unknown = sorted(set(doc) - FIELDS - extra_fields)
    if unknown:
        raise InputError(p + unknown[0], "is not a field of a procedure")
    if "steroid" not in doc:
        raise InputError(p + "steroid", "is required (null for a diagnostic block)")
    kind = parse_enum(Kind, require(doc, "kind", prefix=p), where=p + "kind")
    anesthetic_doc = require(doc, "anesthetic", prefix=p)
    if not isinstance(anesthetic_doc, dict):
        raise InputError(
            p + "anesthetic", "must be an object {agent, concentration_percent, volume_ml}"
        )
    steroid_doc = doc.get("steroid")
    if steroid_doc is not None and not isinstance(steroid_doc, dict):
        raise InputError(p + "steroid", "must be null or an object {agent, dose_mg}")
    try:
        procedure = Procedure(
            performed_at=parse_datetime(
                require(doc, "performed_at", prefix=p), where=p + "performed_at"
            ),
            kind=kind,
            side=parse_enum(Side, require(doc, "side", prefix=p), where=p + "side"),
            anesthetic=_anesthetic(anesthetic_doc, p + "anesthetic."),
            steroid=None if steroid_doc is None else _steroid(steroid_doc, p + "steroid."),
            baseline_pain=parse_int(
                require(doc, "baseline_pain", prefix=p), where=p + "baseline_pain", low=0, high=10
            ),
            guidance=parse_enum(Guidance, doc.get("guidance", "fluoroscopy"), where=p + "guidance"),
            contrast=_contrast(doc.get("contrast"), p + "contrast."),
            sedation=parse_enum(Sedation, doc.get("sedation", "none"), where=p + "sedation"),
            physician=_optional_text(doc, "physician", p),
            observation_end=_optional_time(doc, "observation_end", p),
            discharged_at=_optional_time(doc, "discharged_at", p),
            driver_present=None
            if doc.get("driver_present") is None
            else parse_bool(doc["driver_present"], where=p + "driver_present"),
        )
    except InputError as exc:
        if p and not exc.where.startswith(p):
            raise InputError(p + exc.where, exc.message) from None
        raise
    try:
        check_agents(procedure, knowledge)
    except InputError as exc:
        raise InputError(p + exc.where, exc.message) from None
    return procedure


T = TypeVar("T")


def document_problems(doc: Mapping[str, Any], knowledge: Knowledge) -> list[InputError]:
    """Every problem of a PROCEDURE.json object, each field checked on its own, so that a
    form shows them all at once instead of one per submission.

    `procedure_from_dict` stays the way in (it stops at the first problem and is on the
    write path); run this once it has refused a document. The checks are the core's
    (`domain.procedure`'s `*_problems`), in the order `procedure_from_dict` meets them.
    """
    found: list[InputError] = []

    def read(parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except InputError as exc:
            found.append(exc)
            return None

    found += [
        InputError(name, "is not a field of a procedure") for name in sorted(set(doc) - FIELDS)
    ]
    if "steroid" not in doc:
        found.append(InputError("steroid", "is required (null for a diagnostic block)"))
    kind = read(lambda: parse_enum(Kind, require(doc, "kind"), where="kind"))
    anesthetic = read(
        lambda: _object(doc, "anesthetic", "{agent, concentration_percent, volume_ml}")
    )
    steroid = doc.get("steroid")
    if steroid is not None and not isinstance(steroid, dict):
        found.append(InputError("steroid", "must be null or an object {agent, dose_mg}"))
        steroid = None
    performed_at = read(lambda: parse_datetime(require(doc, "performed_at"), where="performed_at"))
    read(lambda: parse_enum(Side, require(doc, "side"), where="side"))
    agent = concentration = volume = None
    if anesthetic is not None:
        agent = read(lambda: _agent(anesthetic, "anesthetic."))
        concentration = read(lambda: _amount(anesthetic, "concentration_percent", "anesthetic."))
        volume = read(lambda: _amount(anesthetic, "volume_ml", "anesthetic."))
        found += anesthetic_problems(agent, concentration, volume)
    steroid_agent = dose = None
    if steroid is not None:
        steroid_agent = read(lambda: _agent(steroid, "steroid."))
        dose = read(lambda: _amount(steroid, "dose_mg", "steroid."))
        found += steroid_problems(steroid_agent, dose)
    baseline = read(
        lambda: parse_int(require(doc, "baseline_pain"), where="baseline_pain", low=0, high=10)
    )
    read(lambda: parse_enum(Guidance, doc.get("guidance", "fluoroscopy"), where="guidance"))
    contrast = doc.get("contrast")
    if contrast is not None and not isinstance(contrast, dict):
        found.append(InputError("contrast", "must be an object {used, agent, reason_not_used}"))
    elif contrast is not None:
        used = read(
            lambda: parse_bool(require(contrast, "used", prefix="contrast."), where="contrast.used")
        )
        read(lambda: _optional_text(contrast, "agent", "contrast."))
        reason = read(lambda: _optional_text(contrast, "reason_not_used", "contrast."))
        found += contrast_problems(used, reason)
    read(lambda: parse_enum(Sedation, doc.get("sedation", "none"), where="sedation"))
    read(lambda: _optional_text(doc, "physician", ""))
    observation_end = read(lambda: _optional_time(doc, "observation_end", ""))
    discharged_at = read(lambda: _optional_time(doc, "discharged_at", ""))
    driver_present = read(
        lambda: (
            None
            if doc.get("driver_present") is None
            else parse_bool(doc["driver_present"], where="driver_present")
        )
    )
    found += procedure_problems(
        performed_at=performed_at,
        kind=kind,
        has_steroid=None if "steroid" not in doc else doc["steroid"] is not None,
        baseline_pain=NOT_READ if baseline is None else baseline,
        observation_end=observation_end,
        discharged_at=discharged_at,
        driver_present=driver_present,
    )
    found += agent_problems(
        knowledge,
        anesthetic_agent=agent,
        concentration_percent=concentration,
        volume_ml=volume,
        steroid_agent=steroid_agent,
        dose_mg=dose,
    )
    return found


def _object(doc: Mapping[str, Any], key: str, shape: str) -> Mapping[str, Any]:
    value = require(doc, key)
    if not isinstance(value, dict):
        raise InputError(key, f"must be an object {shape}")
    return value


def _anesthetic(doc: Mapping[str, Any], p: str) -> Anesthetic:
    return Anesthetic(
        agent=_agent(doc, p),
        concentration_percent=_amount(doc, "concentration_percent", p),
        volume_ml=_amount(doc, "volume_ml", p),
    )


def _steroid(doc: Mapping[str, Any], p: str) -> Steroid:
    return Steroid(agent=_agent(doc, p), dose_mg=_amount(doc, "dose_mg", p))


def _agent(doc: Mapping[str, Any], p: str) -> str:
    return parse_text(require(doc, "agent", prefix=p), where=p + "agent", max_length=60)


def _amount(doc: Mapping[str, Any], key: str, p: str) -> float:
    return parse_number(require(doc, key, prefix=p), where=p + key)


def _contrast(doc: Any, p: str) -> Contrast | None:
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise InputError(p.rstrip("."), "must be an object {used, agent, reason_not_used}")
    return Contrast(
        used=parse_bool(require(doc, "used", prefix=p), where=p + "used"),
        agent=_optional_text(doc, "agent", p),
        reason_not_used=_optional_text(doc, "reason_not_used", p),
    )


def _optional_text(doc: Mapping[str, Any], key: str, p: str) -> str | None:
    value = doc.get(key)
    return None if value is None else parse_text(value, where=p + key, max_length=200)


def _optional_time(doc: Mapping[str, Any], key: str, p: str) -> Any:
    value = doc.get(key)
    return None if value is None else parse_datetime(value, where=p + key)


def procedure_to_dict(procedure: Procedure) -> dict[str, Any]:
    """The PROCEDURE.json form of `procedure` (round-trips through `procedure_from_dict`)."""
    return {
        "performed_at": procedure.performed_at.isoformat(),
        "kind": procedure.kind.value,
        "side": procedure.side.value,
        "anesthetic": {
            "agent": procedure.anesthetic.agent,
            "concentration_percent": procedure.anesthetic.concentration_percent,
            "volume_ml": procedure.anesthetic.volume_ml,
        },
        "steroid": None
        if procedure.steroid is None
        else {"agent": procedure.steroid.agent, "dose_mg": procedure.steroid.dose_mg},
        "baseline_pain": procedure.baseline_pain,
        "guidance": procedure.guidance.value,
        "contrast": None
        if procedure.contrast is None
        else {
            "used": procedure.contrast.used,
            "agent": procedure.contrast.agent,
            "reason_not_used": procedure.contrast.reason_not_used,
        },
        "sedation": procedure.sedation.value,
        "physician": procedure.physician,
        "observation_end": None
        if procedure.observation_end is None
        else procedure.observation_end.isoformat(),
        "discharged_at": None
        if procedure.discharged_at is None
        else procedure.discharged_at.isoformat(),
        "driver_present": procedure.driver_present,
    }
