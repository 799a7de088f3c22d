"""The outcome summary: the settled injections' figures, kept so that the whole health
system's dashboard adds a few recent months to them instead of counting every injection.

Why. Counting every injection of a health system on each view costs a row store a pass
over its 100,000 current interpretations per statement, several times what a columnar
engine takes. Most injections are settled: their diary ended months ago, so their
figures no longer change with the day.

What is settled. An injection documented in a local month before `settled_before(now)`:
the month of `now` less the longest diary and two days, so every settled diary has ended
at `now` and at any later time. A reading without an injection time (an unreadable
diary) is not settled: it may be read tomorrow. A comparative pair is settled when both
its blocks are (an earlier block's month can be later than its pair's: the month is
local to the offset documented).

What is kept (`db.models.OutcomeSummary`, one row per grouping and one for the total):
the counts the dashboard adds up (`MAIN_SUMS`, `PAIR_SUMS`), the weeks-of-relief values with how many
injections have each, and every days-from-referral value, sorted (a median of many
distinct values cannot be added up, but the median of two sorted lists is found by
bisection).

When it is used (`usable`). Only for the whole health system without a filter (the
CLI's figures, a health system's quality team); a clinic's page reads a twentieth of the
rows and counts them. And only while it is true: built with this knowledge (version and
clinic overrides), every settled diary still ended, and no interpretation or red-flag
report newer than the build touches a settled injection (a late diary correction, a
reading with new knowledge, a backdated procedure). Otherwise the dashboard counts every
injection, as without a summary, until the next build: the figures are the same either
way, which the tests check on both paths.

When it is built (`refresh`): by each round of `sijcare worker` and by `sijcare
outcomes --refresh`, when there is none, it is out of date, a month has settled since, or
it is an hour old (each view reads the rows newer than the build, which must stay few).
"""

from __future__ import annotations

import hashlib
import json
import sys
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.engine import one_writer, read_only
from sijcare.db.models import OutcomeSummary, SymptomReport
from sijcare.domain.knowledge import Knowledge
from sijcare.services import audit
from sijcare.services.outcome_queries import (
    ALL,
    GROUPS,
    MILESTONES,
    READINGS,
    OutcomeFilter,
    Part,
    Queries,
    diary_lengths,
)

# Built again after this long even when it still stands: every view checks the rows newer
# than the build (`_touched_since`), and a day of diary scores would make that check slow.
REFRESH_AFTER = timedelta(hours=1)
# How long a build waits for the tables' writers on PostgreSQL (`_newest_ids`).
LOCK_WAIT_MS = 200
_LOCK_NOT_AVAILABLE = "55P03"
# One row a grouping; `all` is the total.
GROUPINGS = (ALL, *GROUPS)
# The figures added up: the main statement's counts, then the comparative pairs'.
MAIN_SUMS = (
    "procedures", "blocks", "positive", "indeterminate", "negative", "injections", "flares",
    "flare_known", "red_flags", "emergencies", "scores", "prompts",
    *(f"{name}_{m}" for m in MILESTONES for name in ("responders", "known")),
)  # fmt: skip
PAIR_SUMS = ("pairs", "confirmed", "not_confirmed", "concordant", "discordant")
Run = Callable[[sa.Select[Any]], Iterable[Mapping[str, Any]]]
Plain = Callable[[sa.Select[Any]], Iterable[Sequence[Any]]]


@dataclass(frozen=True)
class Group:
    """One group of a grouping's summary: its counts, its weeks of relief (value -> how many
    injections) and its days from referral (sorted)."""

    counts: Mapping[str, int]
    relief: Mapping[float, int]
    referral: Sequence[float]


@dataclass(frozen=True)
class Summary:
    """A grouping's summary as read back: the groups by their key (as the statements give
    it: a clinic's id, a name, None for no steroid, `all` for the total)."""

    settled_before: str
    built_at: datetime
    last_reading: int
    last_report: int
    groups: Mapping[Any, Group]

    def recent(self) -> Part:
        """The injections not in the summary."""
        return Part(self.settled_before, settled=False)


def settled_before(knowledge: Knowledge, now: datetime) -> str:
    """The local month (YYYY-MM) before which every injection's diary has ended at `now`.

    Two days to spare: an injection's month is local to its clinic, whose zone may be up
    to 26 hours from the knowledge's `clinic.time_zone`."""
    longest = max(length for _prompts, length in diary_lengths(knowledge).values())
    moment = (now - longest - timedelta(days=2)).astimezone(
        ZoneInfo(knowledge.text("clinic.time_zone"))
    )
    return f"{moment:%Y-%m}"


def knowledge_key(knowledge: Knowledge) -> str:
    """The knowledge version, and a digest of the clinic's overrides if it has any: an
    override keeps the version but may change the figures (a diary's prompts)."""
    if not knowledge.overrides:
        return knowledge.version
    overrides = json.dumps(dict(knowledge.overrides), sort_keys=True, default=str)
    return f"{knowledge.version}+{hashlib.sha256(overrides.encode()).hexdigest()[:12]}"


# -- reading it ---------------------------------------------------------------------------------


def usable(
    connection: sa.Connection | Session,
    *,
    knowledge: Knowledge,
    now: datetime,
    groupings: Sequence[str],
    where: OutcomeFilter,
) -> dict[str, Summary] | None:
    """The summaries of `groupings` when they may stand for the settled injections (see
    the module docstring), else None."""
    if any(value is not None for value in vars(where).values()):
        return None
    table = OutcomeSummary.__table__
    rows = connection.execute(sa.select(table).where(table.c.grouping.in_(groupings)))
    found = {row.grouping: row._mapping for row in rows}
    if set(found) != set(groupings):
        return None
    stamps = {_stamp_of(row) for row in found.values()}
    if len(stamps) != 1:
        return None  # rows of two builds: one is being replaced
    version, before, last_reading, last_report = stamps.pop()
    if version != knowledge_key(knowledge) or before > settled_before(knowledge, now):
        return None
    if _touched_since(connection, before, last_reading, last_report):
        return None
    return {name: _summary(row) for name, row in found.items()}


def _stamp_of(row: sa.RowMapping) -> tuple[str, str, int, int]:
    return (
        row["knowledge_version"],
        row["settled_before"],
        row["last_interpretation_id"],
        row["last_report_id"],
    )


def _touched_since(
    connection: sa.Connection | Session, before: str, last_reading: int, last_report: int
) -> bool:
    """Whether an interpretation or a red-flag report newer than the build touches a
    settled injection: it is settled itself, or a reading of an injection that had a
    settled one (the injection's time changed, or its diary was corrected). The newer rows
    are found by their ids, so this reads only what came since."""
    touched = connection.execute(
        _TOUCHED, {"before": before, "last_reading": last_reading, "last_report": last_report}
    )
    return bool(touched.scalar())


def _touched_statement() -> sa.Select[Any]:
    """`_touched_since`'s statement, made once (aliases are costly to make)."""
    settled = Part(sa.bindparam("before", type_=sa.String), settled=True)
    last_reading = sa.bindparam("last_reading", type_=sa.Integer)
    new, old = READINGS.alias("new"), READINGS.alias("old")

    def had_settled(procedure_id: sa.ColumnElement[Any]) -> sa.Exists:
        return (
            sa.select(old.c.id)
            .where(old.c.procedure_id == procedure_id, old.c.id <= last_reading)
            .where(settled.condition(old))
            .exists()
        )

    readings = sa.select(new.c.id).where(
        new.c.id > last_reading, settled.condition(new) | had_settled(new.c.procedure_id)
    )
    reports = SymptomReport.__table__
    flags = sa.select(reports.c.id).where(
        reports.c.id > sa.bindparam("last_report", type_=sa.Integer),
        reports.c.disposition != "expected",
        had_settled(reports.c.procedure_id),
    )
    return sa.select(sa.or_(readings.exists(), flags.exists()))


_TOUCHED = _touched_statement()


def _summary(row: sa.RowMapping) -> Summary:
    values = array("d")
    values.frombytes(row["referral"])
    if sys.byteorder == "big":
        values.byteswap()  # stored little-endian
    groups = {}
    for group in row["groups"]:
        start, stop = group["referral"]
        groups[group["key"]] = Group(
            counts=group["counts"],
            relief={float(value): rows for value, rows in group["relief"]},
            referral=values[start:stop],
        )
    return Summary(
        row["settled_before"], row["built_at"], row["last_interpretation_id"],
        row["last_report_id"], groups,
    )  # fmt: skip


def still_stands(connection: sa.Connection | Session, summary: Summary) -> bool:
    """Whether nothing touching the summary came in since `usable` said it stands: at READ
    COMMITTED (PostgreSQL) each statement of a view sees what committed before it, so a
    reading committed between them could be counted twice, or not at all."""
    return not _touched_since(
        connection, summary.settled_before, summary.last_reading, summary.last_report
    )


# -- adding the recent injections ---------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """A grouping's figures as the dashboard's statements give them: the main and pair rows
    by key, and each key's medians (keys without a value left out)."""

    main: list[dict[str, Any]]
    pairs: list[dict[str, Any]]
    median_relief: dict[Any, float]
    median_referral: dict[Any, float]


@dataclass(frozen=True)
class Recent:
    """What the injections not in the summary add, by key: the counts, the weeks of relief
    (value -> how many) and the days from referral."""

    sums: dict[Any, dict[str, int]]
    relief: dict[Any, dict[float, int]]
    referral: dict[Any, list[float]]

    def as_total(self) -> Recent:
        """Every group as one: a grouping's groups split the injections, so its counts
        add up to the total's and its values together are the total's."""
        sums = dict.fromkeys((*MAIN_SUMS, *PAIR_SUMS), 0)
        relief: dict[float, int] = {}
        referral: list[float] = []
        for counts in self.sums.values():
            for name, value in counts.items():
                sums[name] += value
        for weeks in self.relief.values():
            for value, rows in weeks.items():
                relief[value] = relief.get(value, 0) + rows
        for values in self.referral.values():
            referral.extend(values)
        return Recent({ALL: sums}, {ALL: relief}, {ALL: referral})


def recent(run: Run, plain: Plain, queries: Queries, by: str | None) -> Recent:
    """The figures of the injections not in the summary (`queries`: those of
    `Summary.recent()`). `plain` runs the statement of the days from referral, a few
    thousand rows of a key and a number."""
    where = OutcomeFilter()
    sums: dict[Any, dict[str, int]] = {}
    assert queries.part is not None
    undated = queries.with_part(Part(queries.part.before, settled=False, undated=True))
    for names, statement in (
        (MAIN_SUMS, queries.main(by, where)),
        # Readings without an injection time count only here (no pair, end or wait).
        (MAIN_SUMS, undated.main(by, where)),
        (PAIR_SUMS, queries.pairs(by, where)),
        (PAIR_SUMS, queries.pairs_across(by, where)),
    ):
        _add_up(sums, names, run(statement))
    relief: dict[Any, dict[float, int]] = defaultdict(dict)
    for row in run(queries.relief_counts(by, where)):
        counts = relief[row["key"]]
        weeks = float(row["value"])
        counts[weeks] = counts.get(weeks, 0) + row["rows"]
    referral: dict[Any, list[float]] = defaultdict(list)
    for key, value in plain(queries.referral_values(by, where)):
        referral[key].append(value)
    return Recent(sums, dict(relief), dict(referral))


def _add_up(
    sums: dict[Any, dict[str, int]], names: Sequence[str], rows: Iterable[Mapping[str, Any]]
) -> None:
    """Add the counts `names` of each statement row to its key's sums (every figure of
    `MAIN_SUMS` and `PAIR_SUMS` starts at 0)."""
    for row in rows:
        into = sums.setdefault(row["key"], dict.fromkeys((*MAIN_SUMS, *PAIR_SUMS), 0))
        for name in names:
            into[name] += int(row[name] or 0)


def with_recent(summary: Summary, recent: Recent, *, interpolate: bool) -> Figures:
    """The figures of every injection: the summary's with the recent ones' added. The mean
    of two middle values as the engine's own count takes it (`median_of_two`)."""
    zero = dict.fromkeys((*MAIN_SUMS, *PAIR_SUMS), 0)
    sums: dict[Any, dict[str, int]] = {}
    for key in summary.groups.keys() | recent.sums.keys():
        kept = summary.groups[key].counts if key in summary.groups else zero
        added = recent.sums.get(key, zero)
        sums[key] = {name: kept.get(name, 0) + added[name] for name in zero}
    median_relief = {}
    for key in summary.groups.keys() | recent.relief.keys():
        weeks = dict(summary.groups[key].relief) if key in summary.groups else {}
        for value, rows in recent.relief.get(key, {}).items():
            weeks[value] = weeks.get(value, 0) + rows
        if (median := median_of_counts(weeks)) is not None:
            median_relief[key] = median
    median_referral = {}
    for key in summary.groups.keys() | recent.referral.keys():
        kept_days = summary.groups[key].referral if key in summary.groups else ()
        values = sorted(recent.referral.get(key, ()))
        if (median := median_of_two(kept_days, values, interpolate=interpolate)) is not None:
            median_referral[key] = median
    return Figures(
        main=[{"key": key, **{n: counts[n] for n in MAIN_SUMS}} for key, counts in sums.items()],
        pairs=[{"key": key, **{n: counts[n] for n in PAIR_SUMS}} for key, counts in sums.items()],
        median_relief=median_relief,
        median_referral=median_referral,
    )


def median_of_counts(counts: Mapping[float, int]) -> float | None:
    """The median of values given with how many times each occurs (the mean of the two
    middle ones when their number is even); None when there is none."""
    n = sum(counts.values())
    if n == 0:
        return None
    low, high = (n + 1) // 2, n // 2 + 1  # the middle ranks, from 1
    found: list[float] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while len(found) < 2 and seen >= (low, high)[len(found)]:
            found.append(value)
    return found[0] if found[0] == found[1] else (found[0] + found[1]) / 2


def median_of_two(
    first: Sequence[float], second: Sequence[float], *, interpolate: bool = False
) -> float | None:
    """The median of the values of two sorted sequences together; None when both are empty.

    Of two middle values `low` and `high`, `(low + high) / 2`, as SQLite's `avg` takes it,
    or with `interpolate` `low + 0.5 * (high - low)`, as PostgreSQL's `percentile_cont`
    does: the two can differ in the last bit, and then in the rounded figure."""
    n = len(first) + len(second)
    if n == 0:
        return None
    low, high = _kth(first, second, (n + 1) // 2), _kth(first, second, n // 2 + 1)
    if low == high:
        return low
    return low + 0.5 * (high - low) if interpolate else (low + high) / 2


def _kth(first: Sequence[float], second: Sequence[float], k: int) -> float:
    """The k-th smallest value (from 1) of two sorted sequences together, by bisection on
    how many of the k come from `first`."""
    low, high = max(0, k - len(second)), min(k, len(first))
    while low < high:
        taken = (low + high) // 2
        if first[taken] < second[k - taken - 1]:
            low = taken + 1  # first[taken] is below the k-th: take more from `first`
        else:
            high = taken
    candidates = []
    if low > 0:
        candidates.append(first[low - 1])
    if k - low > 0:
        candidates.append(second[k - low - 1])
    return max(candidates)


# -- building it --------------------------------------------------------------------------------


REBUILT, UP_TO_DATE, BUSY = "rebuilt", "up to date", "not rebuilt: the tables were busy"


def refresh(db: Session, *, knowledge: Knowledge, now: datetime) -> str:
    """Build the summary when there is none, it is out of date, a month has settled since
    it was built, or it is older than `REFRESH_AFTER`: `REBUILT`, `UP_TO_DATE`, or `BUSY`
    (PostgreSQL: a long write held the tables; the next round tries again)."""
    with db.begin():
        read_only(db)
        current = usable(
            db, knowledge=knowledge, now=now, groupings=GROUPINGS, where=OutcomeFilter()
        )
    if (
        current is not None
        and current[ALL].settled_before == settled_before(knowledge, now)
        and now - current[ALL].built_at < REFRESH_AFTER
    ):
        return UP_TO_DATE
    try:
        build(db, knowledge=knowledge, now=now)
    except Busy:
        return BUSY
    return REBUILT


class Busy(Exception):
    """The tables stayed locked by a write longer than the build waits (`_newest_ids`)."""


def build(db: Session, *, knowledge: Knowledge, now: datetime) -> None:
    """Count the settled injections again and replace the summary (see the module docstring)."""
    before = settled_before(knowledge, now)
    if db.get_bind().dialect.name == "postgresql":
        # The ids with the tables locked (`_newest_ids`), then the figures: anything they
        # see beyond those ids is newer, and judged as such by `usable`.
        with db.begin():
            last_reading, last_report = _newest_ids(db)
        with db.begin():
            read_only(db)
            rows = _rows(db, knowledge, now, before)
    else:
        with db.begin():
            read_only(db)  # one snapshot for the ids and the figures, no write lock
            last_reading, last_report = _newest_ids(db)
            rows = _rows(db, knowledge, now, before)
    with one_writer(db), db.begin():
        if db.get_bind().dialect.name == "postgresql":
            # Two builds at once (two workers) take turns; else the second one's delete
            # would miss the first one's new rows, and its inserts would collide.
            db.execute(sa.text("LOCK TABLE outcome_summary IN EXCLUSIVE MODE"))
        db.execute(sa.delete(OutcomeSummary))
        for grouping, (groups, referral) in rows.items():
            db.add(
                OutcomeSummary(
                    grouping=grouping, knowledge_version=knowledge_key(knowledge), built_at=now,
                    settled_before=before, last_interpretation_id=last_reading,
                    last_report_id=last_report, groups=groups, referral=referral,
                )
            )  # fmt: skip
        audit.record_system(
            db, action="outcomes.summarise", at=now, clinic_id=None,
            target_type="outcome_summary", target_id=ALL,
            detail={"settled_before": before, "knowledge_version": knowledge_key(knowledge)},
        )  # fmt: skip


def _newest_ids(db: Session) -> tuple[int, int]:
    """The newest interpretation and symptom report. On PostgreSQL the two tables are
    locked against writes while they are read: an id taken by a transaction not yet
    committed could otherwise be below them and never be seen as newer."""
    reports = SymptomReport.__table__
    if db.get_bind().dialect.name == "postgresql":
        # Waiting behind a long write (a re-reading batch) would hold every diary write
        # up behind this lock too: after a moment, the build gives up until next time.
        db.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'"))
        try:
            db.execute(sa.text("LOCK TABLE interpretation, symptom_report IN SHARE MODE"))
        except sa.exc.OperationalError as error:
            if getattr(error.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                raise Busy from None
            raise
    reading = db.execute(sa.select(sa.func.max(READINGS.c.id))).scalar()
    report = db.execute(sa.select(sa.func.max(reports.c.id))).scalar()
    return int(reading or 0), int(report or 0)


def _rows(
    db: Session, knowledge: Knowledge, now: datetime, before: str
) -> dict[str, tuple[list[dict[str, Any]], bytes]]:
    """Each grouping's groups (JSON) and its sorted days from referral (bytes)."""
    dialect = db.get_bind().dialect.name
    settled = Queries(knowledge, now, dialect, Part(before, settled=True))
    where = OutcomeFilter()
    out = {}
    for grouping in GROUPINGS:
        by = None if grouping == ALL else grouping
        counts: dict[Any, dict[str, int]] = {}
        for names, statement in (
            (MAIN_SUMS, settled.main(by, where)),
            (PAIR_SUMS, settled.pairs(by, where)),
        ):
            _add_up(counts, names, db.execute(statement).mappings())
        relief: dict[Any, list[list[float | int]]] = defaultdict(list)
        for row in db.execute(settled.relief_counts(by, where)).mappings():
            relief[row["key"]].append([float(row["value"]), int(row["rows"])])
        referral: dict[Any, list[float]] = defaultdict(list)
        for key, value in db.execute(settled.referral_values(by, where)):
            referral[key].append(float(value))
        values = array("d")
        groups = []
        for key in sorted(counts, key=repr):
            start = len(values)
            values.extend(sorted(referral.get(key, ())))
            groups.append(
                {
                    "key": key,
                    "counts": counts[key],
                    "relief": sorted(relief.get(key, ())),
                    "referral": [start, len(values)],
                }
            )
        if sys.byteorder == "big":
            values.byteswap()
        out[grouping] = (groups, values.tobytes())
    return out
