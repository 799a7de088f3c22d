"""HISTORY.json: a patient's SI joint procedures with their pain diaries.

    {
      "patient_has_contrast_allergy": false,          optional, true | false
      "today": "2026-05-20",                           optional, YYYY-MM-DD
      "procedures": [                                  required, at least one, in time order
        {
          ...the fields of PROCEDURE.json...,
          "functional_gain": true,                     optional, true | false | null
          "diary": [                                   optional, default []
            {"recorded_at": "2026-03-02T10:00:00-08:00", "pain": 3,
             "note": "walked to the shop", "activity_done": true}
          ]
        }
      ]
    }

A diary entry needs `recorded_at` (ISO 8601 with a UTC offset) and `pain` (a JSON whole
number from 0 to 10); `note` (text, up to 500 characters) and `activity_done` (true |
false) are optional. Refused, naming the field path (`procedures[1].diary[3].pain`): an
unknown field, a pain that is not a whole number from 0 to 10, a time without an offset,
an entry before its injection, and two entries of one procedure at the same instant.
`functional_gain` is the clinician's documentation that function improved (or medicine
use fell) after that injection for the payer's required period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sijcare.domain.eligibility import History, RecordedProcedure
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.relief import NRS_MAX, NRS_MIN, PainScore
from sijcare.formats.common import load_json_object, parse_bool, parse_datetime, parse_text
from sijcare.formats.procedure import procedure_from_dict

TOP_FIELDS = ("patient_has_contrast_allergy", "today", "procedures")
ENTRY_FIELDS = ("recorded_at", "pain", "note", "activity_done")
NOTE_MAX_LENGTH = 500


@dataclass(frozen=True)
class HistoryDocument:
    """A parsed HISTORY.json: the history, and the day it is for when the file gives one."""

    history: History
    today: date | None


def parse_history_text(text: str, knowledge: Knowledge, *, what: str) -> HistoryDocument:
    """Parse HISTORY.json text; errors name `what` (the file) and the field path."""
    doc = load_json_object(text, what=what)
    try:
        return history_from_dict(doc, knowledge)
    except InputError as exc:
        raise exc.within(what) from None


def history_from_dict(doc: Mapping[str, Any], knowledge: Knowledge) -> HistoryDocument:
    """A `HistoryDocument` from a decoded JSON object."""
    _known_fields(doc, TOP_FIELDS, "")
    procedures = doc.get("procedures")
    if not isinstance(procedures, list) or not procedures:
        raise InputError("procedures", "must be a list of at least one procedure")
    records = tuple(_record(item, knowledge, i) for i, item in enumerate(procedures))
    allergy = doc.get("patient_has_contrast_allergy")
    return HistoryDocument(
        history=History(
            procedures=records,
            patient_has_contrast_allergy=None
            if allergy is None
            else parse_bool(allergy, where="patient_has_contrast_allergy"),
        ),
        today=None if doc.get("today") is None else parse_day(doc["today"], where="today"),
    )


def parse_day(value: Any, *, where: str) -> date:
    """A calendar day written YYYY-MM-DD."""
    if not isinstance(value, str):
        raise InputError(where, "must be a date text like 2026-05-20")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(where, f"{value!r} is not a date like 2026-05-20") from None


def _record(item: Any, knowledge: Knowledge, index: int) -> RecordedProcedure:
    prefix = f"procedures[{index}]."
    if not isinstance(item, dict):
        raise InputError(prefix.rstrip("."), "must be an object (a procedure with its diary)")
    procedure = procedure_from_dict(
        item, knowledge, prefix=prefix, extra_fields=frozenset({"diary", "functional_gain"})
    )
    diary_doc = item.get("diary", [])
    if not isinstance(diary_doc, list):
        raise InputError(prefix + "diary", "must be a list of entries")
    entries = tuple(_entry(e, f"{prefix}diary[{j}]") for j, e in enumerate(diary_doc))
    _check_times(entries, procedure.performed_at, prefix + "diary")
    gain = item.get("functional_gain")
    return RecordedProcedure(
        procedure=procedure,
        diary=entries,
        functional_gain=None
        if gain is None
        else parse_bool(gain, where=prefix + "functional_gain"),
    )


def _entry(item: Any, where: str) -> PainScore:
    if not isinstance(item, dict):
        raise InputError(where, "must be an object {recorded_at, pain, note}")
    _known_fields(item, ENTRY_FIELDS, where + ".")
    if item.get("recorded_at") is None:
        raise InputError(where + ".recorded_at", "is required")
    if "pain" not in item or item["pain"] is None:
        raise InputError(where + ".pain", "is required")
    note = item.get("note")
    done = item.get("activity_done")
    return PainScore(
        recorded_at=parse_datetime(item["recorded_at"], where=where + ".recorded_at"),
        pain=_pain(item["pain"], where + ".pain"),
        note=None
        if note is None
        else parse_text(note, where=where + ".note", max_length=NOTE_MAX_LENGTH),
        activity_done=None if done is None else parse_bool(done, where=where + ".activity_done"),
    )


def _pain(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(where, f"{value!r} is not a whole number from {NRS_MIN} to {NRS_MAX}")
    if not NRS_MIN <= value <= NRS_MAX:
        raise InputError(where, f"{value} is outside {NRS_MIN} to {NRS_MAX}")
    return value


def _check_times(entries: tuple[PainScore, ...], performed_at: datetime, where: str) -> None:
    seen: dict[datetime, int] = {}
    for j, entry in enumerate(entries):
        instant = entry.recorded_at.astimezone(UTC)
        path = f"{where}[{j}].recorded_at"
        if instant < performed_at.astimezone(UTC):
            raise InputError(path, f"{entry.recorded_at.isoformat()} is before the injection")
        if instant in seen:
            raise InputError(path, f"is the same time as {where}[{seen[instant]}]")
        seen[instant] = j


def _known_fields(doc: Mapping[str, Any], known: tuple[str, ...], prefix: str) -> None:
    """Refuse unknown fields in the objects this format defines: a typo would go unseen."""
    unknown = [k for k in doc if k not in known]
    if unknown:
        raise InputError(prefix + unknown[0], f"is not a known field (known: {', '.join(known)})")
