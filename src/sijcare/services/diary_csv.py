"""A procedure's pain diary as DIARY.csv: export, and import of a diary kept elsewhere.

The file format is the CLI's (`sijcare.formats.diary`: `recorded_at,pain[,note][,activity_done]`,
times with their UTC offset). Export writes every entry, oldest first, on the clinic's
wall clock; any member of the care team or the patient may export.

Import (a clinician of the patient's clinic, transcribing a paper diary or another
app's) is all or nothing: every row is read by the format's own parser, and every bad
row is reported with its line (`diary.csv:7`), not only the first; a row is also
refused when its time is not after the injection, is in the future, repeats another
row's time, or meets an entry already in the diary with a different score or note.
A row equal to an entry already there is left as it is (so importing an export again
adds nothing). When any row is bad nothing is written; otherwise the entries are added
and the diary is read again (`sijcare.services.diary.reinterpret`), in one transaction,
audited with the counts only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from sijcare.db.models import DiaryEntry, ProcedureRecord
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.relief import PainScore
from sijcare.formats.diary import format_diary, parse_diary_text
from sijcare.services import access, audit, diary
from sijcare.services.actor import Actor
from sijcare.services.errors import FieldError, Invalid, msg

MAX_CHARACTERS = 2_000_000


@dataclass(frozen=True)
class DiaryCsv:
    text: str
    filename: str
    entries: int


@dataclass(frozen=True)
class ImportResult:
    procedure_id: int
    added: int
    unchanged: int
    interpretation_id: int | None  # the new reading, when entries were added


@dataclass(frozen=True)
class Row:
    """One row of the file: the line it starts on and its score."""

    line: int
    score: PainScore


@dataclass(frozen=True)
class ImportTarget:
    """The procedure an import form is for, as the form shows it."""

    procedure_id: int
    patient_name: str
    patient_public_id: str
    performed_at: datetime
    kind: str
    entries: int


def import_target(db: Session, *, actor: Actor, procedure_id: int, now: datetime) -> ImportTarget:
    """The procedure a clinician is about to import a diary into (a clinician only)."""
    with db.begin():
        record, _pathway, patient = diary.load_record(db, actor, procedure_id)
        access.require_clinician(actor, patient)
        entries = len(diary.entries_of(db, record.id))
        audit.record(
            db,
            actor=actor,
            action="diary.import_form",
            at=now,
            target_type="procedure_record",
            target_id=record.id,
            patient_id=patient.id,
        )
    return ImportTarget(
        record.id, patient.name, patient.public_id, record.performed_at, record.kind.value, entries
    )


def export_diary(
    db: Session, *, actor: Actor, procedure_id: int, knowledge: Knowledge, now: datetime
) -> DiaryCsv:
    """The diary as DIARY.csv (the patient or a clinician of their clinic)."""
    zone = ZoneInfo(knowledge.text("clinic.time_zone"))
    with db.begin():
        record, _pathway, patient = diary.load_record(db, actor, procedure_id)
        entries = diary.entries_of(db, record.id)
        audit.record(
            db,
            actor=actor,
            action="diary.export",
            at=now,
            target_type="procedure_record",
            target_id=record.id,
            patient_id=patient.id,
            detail={"entries": len(entries)},
        )
    scores = [
        PainScore(s.recorded_at.astimezone(zone), s.pain, s.note, s.activity_done)
        for s in diary.scores_of(entries)
    ]
    return DiaryCsv(format_diary(scores), f"diary-procedure-{record.id}.csv", len(scores))


def import_diary(
    db: Session,
    *,
    actor: Actor,
    procedure_id: int,
    text: str,
    what: str,
    knowledge: Knowledge,
    now: datetime,
) -> ImportResult:
    """Add the rows of DIARY.csv `text` (named `what` in errors) to the procedure's diary.

    Raises `Invalid` with one error per bad row (field `what:line`) and writes nothing.
    """
    with db.begin():
        record, _pathway, patient = diary.load_record(db, actor, procedure_id)
        access.require_clinician(actor, patient)
        rows = read_rows(text, what=what, performed_at=record.performed_at, now=now)
        new, unchanged = _against_diary(rows, diary.entries_of(db, record.id), what)
        for row in new:
            db.add(_entry(record, row.score, actor, now))
        db.flush()
        interpretation = diary.reinterpret(db, record, knowledge, now) if new else None
        audit.record(
            db,
            actor=actor,
            action="diary.import",
            at=now,
            target_type="procedure_record",
            target_id=record.id,
            patient_id=patient.id,
            detail={
                "added": len(new),
                "unchanged": unchanged,
                "interpretation_id": None if interpretation is None else interpretation.id,
            },
        )
    return ImportResult(
        record.id, len(new), unchanged, None if interpretation is None else interpretation.id
    )


def read_rows(text: str, *, what: str, performed_at: datetime, now: datetime) -> list[Row]:
    """Every row of `text`, or `Invalid` listing every bad one by line."""
    if len(text) > MAX_CHARACTERS:
        raise _refused([(f"{what}:1", f"the file is longer than {MAX_CHARACTERS} characters")])
    header, raw = _split(text.removeprefix("\ufeff"), what)
    problems: list[tuple[str, str]] = []
    rows: list[Row] = []
    seen: dict[datetime, int] = {}
    for line, values in raw:
        where = f"{what}:{line}"
        try:
            score = _one_row(header, values, what, performed_at)
        except InputError as exc:
            problems.append((where, _problem(exc, f"{what}:2")))
            continue
        at = score.recorded_at.astimezone(UTC)
        trouble = _time_problem(at, performed_at, now, seen)
        if trouble:
            problems.append((where, trouble))
            continue
        seen[at] = line
        rows.append(Row(line, score))
    if problems:
        raise _refused(problems)
    return rows


def _split(text: str, what: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows with the line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        # The format's own parser checks the header (and refuses a missing one).
        parse_diary_text(_csv([header or []]) if header else "", what=what)
        rows, line = [], reader.line_num
        for values in reader:
            start, line = line + 1, reader.line_num
            if values and not (len(values) == 1 and not values[0].strip()):
                rows.append((start, values))
    except csv.Error as exc:
        raise _refused([(f"{what}:{reader.line_num}", f"not valid CSV ({exc})")]) from None
    except InputError as exc:
        raise _refused([(exc.where, exc.message)]) from None
    assert header is not None
    return header, rows


def _one_row(
    header: Sequence[str], values: Sequence[str], what: str, performed_at: datetime
) -> PainScore:
    """The row read by the format's parser, as the only row of a file (its line 2)."""
    (score,) = parse_diary_text(_csv([header, values]), what=what, performed_at=performed_at)
    return score


def _csv(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _problem(exc: InputError, prefix: str) -> str:
    """The parser's message without its one-row file's location."""
    field = exc.where.removeprefix(prefix).removeprefix(":").strip()
    return f"{field}: {exc.message}" if field else exc.message


def _time_problem(
    at: datetime, performed_at: datetime, now: datetime, seen: dict[datetime, int]
) -> str:
    if at <= performed_at:
        return "recorded_at: must be after the injection"
    if at > now:
        return "recorded_at: is in the future"
    if at in seen:
        return f"the same time as line {seen[at]} (one score per time)"
    return ""


def _against_diary(
    rows: list[Row], entries: Sequence[DiaryEntry], what: str
) -> tuple[list[Row], int]:
    """The rows to add, and how many are already in the diary as they are."""
    stored = {e.recorded_at.astimezone(UTC): e for e in entries}
    new, unchanged, problems = [], 0, []
    for row in rows:
        entry = stored.get(row.score.recorded_at.astimezone(UTC))
        if entry is None:
            new.append(row)
        elif _same(entry, row.score):
            unchanged += 1
        else:
            problems.append(
                (f"{what}:{row.line}", "the diary already has a different entry at this time")
            )
    if problems:
        raise _refused(problems)
    return new, unchanged


def _same(entry: DiaryEntry, score: PainScore) -> bool:
    return (entry.pain, entry.note or None, entry.activity_done) == (
        score.pain,
        score.note,
        score.activity_done,
    )


def _entry(record: ProcedureRecord, score: PainScore, actor: Actor, now: datetime) -> DiaryEntry:
    return DiaryEntry(
        procedure_id=record.id,
        recorded_at=score.recorded_at,
        pain=score.pain,
        note=score.note or "",
        activity_done=score.activity_done,
        created_at=now,
        created_by=actor.user_id,
    )


def _refused(problems: list[tuple[str, str]]) -> Invalid:
    return Invalid(
        [
            FieldError(where, msg("{where}: {problem}", where=where, problem=problem))
            for where, problem in problems
        ]
    )
