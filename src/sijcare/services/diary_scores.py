"""Recording pain scores: one patient's score, or the scores of several patients that
arrived together, each with the diary's new interpretation and an audit event.

`record_entries` takes a batch of score requests and stores them in one write
transaction (group commit): every score still gets the answer it would get alone, in
the order given. A score of a diary that has an earlier score in the same batch is
read with that one, as if they had come one after the other; a refused score (not the
patient's own, a bad time, a form used before) is refused on its own and stores
nothing, while the others of the batch are stored. `record_entry` is a batch of one.
`sijcare.services.diary` re-exports these. The score itself (`NewEntry`) and its checks
are in `sijcare.services.pain_scores`.

Two steps, so that SQLite's single write lock is held only for the inserts. First a
read-only transaction (no write lock) checks the access and each entry and has the core
read each diary with its new scores. Then the write transaction takes the lock, checks
that no other score came in between (the same entry ids: entries are only ever added,
never changed; and no replayed form) and stores the entries, the readings and the audit
events together; when another did come in, it plans the batch again under the lock. So
each stored interpretation is the core's reading of the committed diary with its score.

PostgreSQL has no single write lock: there it is one transaction that locks the
procedures' rows as it reads them (in id order, so two batches never wait on each
other in a circle), and a concurrent writer of the same diary waits for this one.

This is the busiest write of the product (every patient, several times a day), so it
runs as a few Core statements on the session's connection, with no ORM objects loaded:
one query for the procedures and their patients, one for the diaries' scores, and one
insert of each kind for the whole batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sijcare.db.engine import one_writer, read_only
from sijcare.db.models import DiaryEntry, Interpretation, Pathway, Patient, ProcedureRecord
from sijcare.db.models.interpretation import physician_column, result_columns
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.relief import PainScore, stored_score
from sijcare.formats.procedure import procedure_from_dict
from sijcare.services import access, audit
from sijcare.services.actor import Actor
from sijcare.services.diary_reading import Computed, reading_of
from sijcare.services.errors import Conflict, FieldError, Invalid, NotFound, ServiceError, msg
from sijcare.services.pain_scores import (
    SCORE_TAKEN,
    NewEntry,
    ScoreRequest,
    Scores,
    ScoreTarget,
    new_row,
    require_own_id,
)

# Each request's answer: its entry, or the refusal it would get alone.
Outcome = DiaryEntry | ServiceError
# More writes for the same requests, on the scores' write transaction's connection.
Also = Callable[[sa.Connection], None]


def record_entry(
    db: Session,
    *,
    actor: Actor,
    procedure_id: int,
    entry: NewEntry,
    knowledge: Knowledge,
    now: datetime,
) -> DiaryEntry:
    """Add the patient's score and store the diary's new interpretation, in one transaction.

    A repeat of the same `idempotency_key` returns the entry already recorded.
    """
    (outcome,) = record_entries(db, [ScoreRequest(actor, procedure_id, entry, now)], knowledge)
    if isinstance(outcome, ServiceError):
        raise outcome
    return outcome


def record_entries(
    db: Session,
    requests: Sequence[ScoreRequest],
    knowledge: Knowledge,
    *,
    also: Also | None = None,
) -> list[Outcome]:
    """Record each request's score (see the module docstring); the outcomes in order.

    `also` writes more for the same requests in the scores' write transaction (the web
    layer marks their sessions as seen), or in a transaction of its own when no score
    is stored."""
    first, again = _split_replays(requests)
    outcomes: list[Outcome | None] = [None] * len(requests)
    recorded, written = _record(db, [requests[i] for i in first], knowledge, also)
    for index, outcome in zip(first, recorded, strict=True):
        outcomes[index] = outcome
    if also is not None and not written:
        with one_writer(db), db.begin():
            also(db.connection())
    # A form sent twice in one batch: the second is answered after the first is stored.
    for index in again:
        outcomes[index] = _record(db, [requests[index]], knowledge, None)[0][0]
    return [outcome for outcome in outcomes if outcome is not None]


def _split_replays(requests: Sequence[ScoreRequest]) -> tuple[list[int], list[int]]:
    """The indexes of the requests to record together, and of those that repeat an
    earlier request's form (`idempotency_key`) in the same batch."""
    seen: set[str] = set()
    first, again = [], []
    for index, request in enumerate(requests):
        key = request.entry.idempotency_key
        (again if key and key in seen else first).append(index)
        if key:
            seen.add(key)
    return first, again


def _record(
    db: Session, requests: Sequence[ScoreRequest], knowledge: Knowledge, also: Also | None
) -> tuple[list[Outcome], bool]:
    """The outcomes, and whether `also` was written with them."""
    if not requests:
        return [], False
    try:
        if db.get_bind().dialect.name != "sqlite":
            with db.begin():
                planned = _plan(db, requests, knowledge, lock=True)
                return _store(db, requests, planned, knowledge, also), True
        with db.begin():
            read_only(db)
            planned = _plan(db, requests, knowledge)
        if not any(isinstance(plan, _Plan) for plan in planned):
            return _outcomes(planned), False
        with one_writer(db), db.begin():
            return _store(db, requests, planned, knowledge, also), True
    except IntegrityError:
        if len(requests) > 1:
            # A request of the batch lost a race with another process (the same form
            # or the same time): nothing was stored; each is recorded again on its own.
            return [o for r in requests for o in _record(db, [r], knowledge, None)[0]], False
        return [_after_race(db, requests[0])], False


@dataclass(frozen=True)
class _Plan:
    """The checked entry and the core's reading of its diary with it; `entry_ids` says
    which stored diary it was read from (the batch's earlier scores come on top)."""

    target: ScoreTarget
    row: dict[str, Any]
    computed: Computed
    entry_ids: tuple[int, ...]
    # Read under the procedure's row lock, in the write transaction (PostgreSQL).
    locked: bool = False


Planned = _Plan | DiaryEntry | ServiceError

_TARGETS = (
    sa.select(
        ProcedureRecord.id,
        ProcedureRecord.performed_at,
        ProcedureRecord.data,
        Patient.id,
        Patient.clinic_id,
        Pathway.opened_at,
    )
    .join(Pathway, Pathway.id == ProcedureRecord.pathway_id)
    .join(Patient, Patient.id == Pathway.patient_id)
    .where(ProcedureRecord.id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(ProcedureRecord.id)
)
_TARGETS_LOCKED = _TARGETS.with_for_update(of=ProcedureRecord)
_SCORES = (
    sa.select(
        DiaryEntry.procedure_id,
        DiaryEntry.id,
        DiaryEntry.recorded_at,
        DiaryEntry.pain,
        DiaryEntry.note,
        DiaryEntry.activity_done,
    )
    .where(DiaryEntry.procedure_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(DiaryEntry.procedure_id, DiaryEntry.recorded_at, DiaryEntry.id)
)
_ENTRY_IDS = _SCORES.with_only_columns(DiaryEntry.procedure_id, DiaryEntry.id)
_REPLAYS = sa.select(DiaryEntry).where(
    DiaryEntry.idempotency_key.in_(sa.bindparam("keys", expanding=True))
)
_INSERT_ENTRIES = sa.insert(DiaryEntry).returning(DiaryEntry.id, sort_by_parameter_order=True)
_INSERT_READINGS = sa.insert(Interpretation).returning(
    Interpretation.id, sort_by_parameter_order=True
)


def _plan(
    db: Session,
    requests: Sequence[ScoreRequest],
    knowledge: Knowledge,
    *,
    lock: bool = False,
) -> list[Planned]:
    """Check each request and read its diary with its score, in order: an earlier score
    of the batch is in a later one's diary. `lock` locks the procedures' rows as they
    are read (PostgreSQL)."""
    connection = db.connection()
    ids = sorted({r.procedure_id for r in requests})
    query = _TARGETS_LOCKED if lock else _TARGETS
    targets = {row[0]: ScoreTarget(*row) for row in connection.execute(query, {"ids": ids})}
    replays = _replays(db, requests)
    diaries = _diaries(connection, list(targets))
    added: dict[int, Scores] = {}
    out: list[Planned] = []
    for request in requests:
        try:
            out.append(_plan_one(request, targets, replays, diaries, added, knowledge, lock))
        except ServiceError as exc:
            out.append(exc)
    return out


def _plan_one(
    request: ScoreRequest,
    targets: dict[int, ScoreTarget],
    replays: dict[str, DiaryEntry],
    diaries: dict[int, Scores],
    added: dict[int, Scores],
    knowledge: Knowledge,
    lock: bool,
) -> _Plan | DiaryEntry:
    actor, entry = request.actor, request.entry
    target = targets.get(request.procedure_id)
    if target is None:
        raise NotFound(msg("There is no such procedure."))
    # The same refusals as `diary.load_record`, then `require_own`.
    access.require_clinical_access_to(actor, target.patient_id, target.clinic_id)
    require_own_id(actor, target.patient_id)
    replay = _replay(replays, target.id, actor, entry.idempotency_key)
    if replay is not None:
        return replay
    stored = diaries.get(target.id, [])
    scores = stored + added.get(target.id, [])
    row = new_row(target, actor, entry, scores, request.now)
    new = _score_of(row)
    procedure = procedure_from_dict(target.data, knowledge)
    computed = reading_of(procedure, _in_order([score for _, score in scores], new), knowledge)
    added.setdefault(target.id, []).append((0, new))
    return _Plan(target, row, computed, tuple(entry_id for entry_id, _ in stored), locked=lock)


def _diaries(connection: sa.Connection, ids: list[int]) -> dict[int, Scores]:
    """Each diary's scores in time order, each with its entry id."""
    out: dict[int, Scores] = {}
    if ids:
        for procedure_id, entry_id, at, pain, note, done in connection.execute(
            _SCORES, {"ids": ids}
        ):
            out.setdefault(procedure_id, []).append(
                (entry_id, stored_score(at, pain, note or None, done))
            )
    return out


def _score_of(row: dict[str, Any]) -> PainScore:
    """The new entry as a score, its time in UTC as the database gives it back (so the
    reading is the one `sijcare reinterpret` would store)."""
    return PainScore(
        row["recorded_at"].astimezone(UTC), row["pain"], row["note"] or None, row["activity_done"]
    )


def _in_order(scores: list[PainScore], new: PainScore) -> list[PainScore]:
    """The diary's scores once `new` is stored, in time order. No two entries share a
    time (`pain_scores._check`)."""
    return sorted([*scores, new], key=lambda score: score.recorded_at)


def _replays(db: Session, requests: Sequence[ScoreRequest]) -> dict[str, DiaryEntry]:
    """The entries already recorded with the requests' form tokens."""
    keys = sorted({r.entry.idempotency_key for r in requests if r.entry.idempotency_key})
    if not keys:
        return {}
    found = db.scalars(_REPLAYS, {"keys": keys})
    return {entry.idempotency_key: entry for entry in found if entry.idempotency_key}


def _replay(
    replays: dict[str, DiaryEntry], record_id: int, actor: Actor, key: str | None
) -> DiaryEntry | None:
    found = replays.get(key) if key else None
    if found is None:
        return None
    if found.procedure_id != record_id or found.created_by != actor.user_id:
        raise Conflict(msg("This form was already used. Reload the page and try again."))
    return found


def _store(
    db: Session,
    requests: Sequence[ScoreRequest],
    planned: list[Planned],
    knowledge: Knowledge,
    also: Also | None,
) -> list[Outcome]:
    """In the write transaction: store the planned entries, their readings and audit
    events, and write `also`. A plan read without the lock is first checked against the
    diaries as they are now, and the batch planned again if one changed."""
    connection = db.connection()
    if also is not None:
        also(connection)
    plans = [plan for plan in planned if isinstance(plan, _Plan)]
    if plans and not plans[0].locked and _changed(db, connection, requests, plans):
        planned = _plan(db, requests, knowledge)
        plans = [plan for plan in planned if isinstance(plan, _Plan)]
    if not plans:
        return _outcomes(planned)
    rows = [plan.row for plan in plans]
    entry_ids = connection.execute(_INSERT_ENTRIES, rows).scalars().all()
    readings = [_reading_values(plan, knowledge) for plan in plans]
    reading_ids = connection.execute(_INSERT_READINGS, readings).scalars().all()
    audit.insert_all(
        connection,
        [
            audit.Event(
                actor=request.actor,
                action="diary.record",
                at=request.now,
                target_type="diary_entry",
                target_id=entry_id,
                patient_id=plan.target.patient_id,
                detail={
                    "procedure_id": plan.target.id,
                    "fields": ["recorded_at", "pain", "note", "activity_done"],
                    "interpretation_id": reading_id,
                },
            )
            for request, plan, entry_id, reading_id in zip(
                [r for r, p in zip(requests, planned, strict=True) if isinstance(p, _Plan)],
                plans,
                entry_ids,
                reading_ids,
                strict=True,
            )
        ],
    )
    stored = iter(
        DiaryEntry(id=entry_id, **row) for entry_id, row in zip(entry_ids, rows, strict=True)
    )
    return [next(stored) if isinstance(plan, _Plan) else plan for plan in planned]


def _outcomes(planned: list[Planned]) -> list[Outcome]:
    assert not any(isinstance(plan, _Plan) for plan in planned)
    return [plan for plan in planned if not isinstance(plan, _Plan)]


def _changed(
    db: Session, connection: sa.Connection, requests: Sequence[ScoreRequest], plans: list[_Plan]
) -> bool:
    """Under SQLite's write lock: whether a score or a replayed form came in after the
    plans were read. Diary entries are only ever added, and a procedure's document is
    written once when it is documented: the same entry ids are the same diary."""
    if _replays(db, requests):
        return True
    read: dict[int, tuple[int, ...]] = {plan.target.id: plan.entry_ids for plan in plans}
    current: dict[int, list[int]] = {procedure_id: [] for procedure_id in read}
    for procedure_id, entry_id in connection.execute(_ENTRY_IDS, {"ids": list(read)}):
        current[procedure_id].append(entry_id)
    return any(tuple(current[procedure_id]) != ids for procedure_id, ids in read.items())


def _reading_values(plan: _Plan, knowledge: Knowledge) -> dict[str, Any]:
    """The interpretation row of a plan's reading (`store_interpretation`'s columns), the
    query columns from the result and from the target read before (the ORM's insert hook
    would read them again); computed when the request came."""
    target, computed = plan.target, plan.computed
    return {
        "procedure_id": target.id,
        "kind": computed.kind,
        "result": computed.result,
        "classification": computed.classification,
        "knowledge_version": knowledge.version,
        "computed_at": plan.row["created_at"],
        **result_columns(computed.result),
        "clinic_id": target.clinic_id,
        "patient_id": target.patient_id,
        "referred_at": target.referred_at,
        "physician": physician_column(target.data.get("physician")),
    }


def _after_race(db: Session, request: ScoreRequest) -> Outcome:
    """A concurrent request won: the same form (its entry) or the same time."""
    try:
        with db.begin():
            found = db.connection().execute(_TARGETS, {"ids": [request.procedure_id]}).first()
            if found is None:
                raise NotFound(msg("There is no such procedure."))
            target = ScoreTarget(*found)
            access.require_clinical_access_to(request.actor, target.patient_id, target.clinic_id)
            replays = _replays(db, [request])
            replay = _replay(replays, target.id, request.actor, request.entry.idempotency_key)
    except ServiceError as exc:
        return exc
    return replay if replay is not None else Invalid([FieldError("recorded_at", SCORE_TAKEN)])
