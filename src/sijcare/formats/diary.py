"""DIARY.csv: the patient's pain diary, one score per line.

Header (first line): `recorded_at,pain`, optionally with `note` and `activity_done`,
in any order, each once; no other column. Then one row per entry:

- recorded_at: ISO 8601 date-time with a UTC offset (2026-03-02T09:30:00-08:00);
- pain: a whole number from 0 to 10 (the NRS);
- note: free text, up to 500 characters (empty: none);
- activity_done: yes | no (empty: not answered): could the patient do the activity
  that usually hurts?

Rows may be in any order. Refused, with the file and line: a missing or unknown column,
a row with the wrong number of values, a bad time or one without an offset, a pain that
is not a whole number from 0 to 10, an entry before the injection (when its time is
given), and two entries at the same instant. Blank lines are skipped. A file with only
the header is an empty diary.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sijcare.domain.errors import InputError
from sijcare.domain.relief import NRS_MAX, NRS_MIN, PainScore
from sijcare.formats.common import parse_datetime, parse_int, parse_text

REQUIRED = ("recorded_at", "pain")
OPTIONAL = ("note", "activity_done")
COLUMNS = REQUIRED + OPTIONAL
NOTE_MAX_LENGTH = 500
_WHOLE_NUMBER = re.compile(r"\s*-?[0-9]+\s*")
_ANSWERS = {"yes": True, "no": False}


def parse_diary_text(
    text: str, *, what: str, performed_at: datetime | None = None
) -> tuple[PainScore, ...]:
    """The entries of DIARY.csv `text`, in file order; errors name `what:line`.

    With `performed_at` (the injection time), an entry before it is refused.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        columns = _columns(next(reader, None), what)
        line = reader.line_num
        seen: dict[datetime, int] = {}  # UTC instant -> line, to refuse duplicates
        entries: list[PainScore] = []
        for row in reader:
            # A quoted note may span lines: an entry's line is where it starts.
            start, line = line + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            score = _entry(row, columns, f"{what}:{start}")
            _check_time(score, seen, performed_at, f"{what}:{start}")
            seen[score.recorded_at.astimezone(UTC)] = start
            entries.append(score)
    except csv.Error as exc:
        raise InputError(f"{what}:{reader.line_num}", f"not valid CSV ({exc})") from None
    return tuple(entries)


def format_diary(scores: Iterable[PainScore]) -> str:
    """DIARY.csv text with every column; `parse_diary_text` reads it back unchanged."""
    out = io.StringIO()
    # CRLF line ends (RFC 4180): the writer then quotes a note holding a lone "\r" too.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for s in scores:
        answer = "" if s.activity_done is None else ("yes" if s.activity_done else "no")
        writer.writerow([s.recorded_at.isoformat(), s.pain, s.note or "", answer])
    return out.getvalue()


def _columns(header: Sequence[str] | None, what: str) -> tuple[str, ...]:
    if header is None:
        raise InputError(f"{what}:1", f"missing the header line {','.join(REQUIRED)}")
    names = tuple(h.strip().lower() for h in header)
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise InputError(
            f"{what}:1", f"unknown column {unknown[0]!r} (allowed: {', '.join(COLUMNS)})"
        )
    repeated = [n for n in COLUMNS if names.count(n) > 1]
    if repeated:
        raise InputError(f"{what}:1", f"column {repeated[0]!r} appears twice")
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise InputError(f"{what}:1", f"missing column {missing[0]!r}")
    return names


def _entry(row: Sequence[str], columns: Sequence[str], where: str) -> PainScore:
    if len(row) != len(columns):
        raise InputError(where, f"expected {len(columns)} values, found {len(row)}")
    values = dict(zip(columns, row, strict=True))
    try:
        return PainScore(
            recorded_at=parse_datetime(values["recorded_at"], where="recorded_at"),
            pain=_pain(values["pain"]),
            note=_note(values.get("note", "")),
            activity_done=_answer(values.get("activity_done", "")),
        )
    except InputError as exc:
        raise exc.within(where) from None


def _pain(text: str) -> int:
    # Only ASCII digits: Python's int() also reads other scripts' digits.
    if not _WHOLE_NUMBER.fullmatch(text):
        raise InputError("pain", f"{text!r} is not a whole number from {NRS_MIN} to {NRS_MAX}")
    return parse_int(text, where="pain", low=NRS_MIN, high=NRS_MAX)


def _note(text: str) -> str | None:
    return parse_text(text, where="note", max_length=NOTE_MAX_LENGTH) if text else None


def _answer(text: str) -> bool | None:
    answer = text.strip().lower()
    if not answer:
        return None
    if answer not in _ANSWERS:
        raise InputError("activity_done", f"{text!r} must be yes or no")
    return _ANSWERS[answer]


def _check_time(
    score: PainScore, seen: dict[datetime, int], performed_at: datetime | None, where: str
) -> None:
    at = score.recorded_at.astimezone(UTC)
    if performed_at is not None and at < performed_at.astimezone(UTC):
        raise InputError(
            where,
            f"recorded_at {score.recorded_at.isoformat()} is before the injection "
            f"({performed_at.isoformat()})",
        )
    if at in seen:
        raise InputError(where, f"the same time as line {seen[at]} (one score per time)")
