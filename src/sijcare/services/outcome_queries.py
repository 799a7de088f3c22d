"""The quality dashboard's SQL (`sijcare.services.outcomes` has the figures' definitions
and runs these): one statement for the main figures, one for the comparative pairs and
one for each median, by grouping and filter, on SQLite and PostgreSQL alike but for the
median referral time (PostgreSQL's ordered-set aggregate; SQLite counts the rows by whole
day and ranks only the middle day's). Every statement reads the current interpretations'
query columns, all of them or one side of the outcome summary's line (`Part`).
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from sijcare.db.models import Interpretation, SymptomReport
from sijcare.domain.diary_schedule import schedule_prompts
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Kind

GROUPS = ("clinic", "physician", "side", "anesthetic", "steroid", "month")
MILESTONES = ("2w", "6w", "3m")
ALL = "all"
READINGS = Interpretation.__table__
REPORTS = SymptomReport.__table__
_COLUMN = {
    "clinic": READINGS.c.clinic_id,
    "physician": READINGS.c.physician,
    "side": READINGS.c.side,
    "anesthetic": READINGS.c.anesthetic,
    "steroid": READINGS.c.steroid,
    "month": READINGS.c.performed_month,
}
# Made once: an alias of the table costs SQLAlchemy about 3 ms to make.
_LATER, _EARLIER = READINGS.alias("later"), READINGS.alias("earlier")
# The diagnostic classes that read a block (the others could not).
_READ = ("positive", "indeterminate", "negative")


@dataclass(frozen=True)
class Part:
    """One side of the outcome summary's line (`sijcare.services.outcome_summary`): the
    settled injections (documented in a local month before `before`), the recent ones
    (later months), or with `undated` the readings without an injection time (an
    unreadable diary: not settled, it may be read tomorrow; it counts only in the main
    figures, having no time to pair, end or wait from)."""

    before: str | sa.BindParameter[str]
    settled: bool
    undated: bool = False

    def condition(self, table: sa.FromClause) -> sa.ColumnElement[bool]:
        month = table.c.performed_month
        if self.undated:
            return month.is_(None)
        if self.settled:
            return month < self.before
        # A range of the covering index's second column, after an equal kind, or after
        # each kind in turn (SQLite's skip-scan; migration 0012). Not "or NULL": SQLite
        # would read the whole index for it.
        return month >= self.before

    def other(self) -> Part:
        return Part(self.before, settled=not self.settled)


@dataclass(frozen=True)
class OutcomeFilter:
    """Which injections count; every field optional. Dates are local days, `until` excluded."""

    clinic_id: int | None = None
    physician: str | None = None
    side: str | None = None
    anesthetic: str | None = None
    steroid: str | None = None
    since: date | None = None
    until: date | None = None


class least(FunctionElement[Any]):  # noqa: N801 (a SQL function's name)
    """The smaller of non-null values: SQLite's scalar `min`, elsewhere `LEAST`."""

    inherit_cache = True


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


@compiles(least)
def _least_default(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"LEAST({compiler.process(element.clauses, **kw)})"


def current_rows(table: sa.TableClause) -> sa.ColumnElement[bool]:
    """`current`, written as the bare column: SQLite uses the partial covering index only
    when the query's condition is the index's own (`current`, not `current = 1`)."""
    return sa.literal_column(f"{table.name}.current")


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    # FILTER, not sum(CASE ...): SQLite then skips the aggregate for the other rows.
    return sa.func.count().filter(condition)


class Queries:
    """The dashboard's statements for one knowledge base and one `now`.

    Each runs over the partial covering index of current interpretations (SQLite) and is
    written for an interpreter: a figure costs an expression per row, so counts are
    `count(*) FILTER`, the prompts due are one CASE per row, and the medians sort plain
    columns (the referral time is a stored column, `Interpretation.referral_days`).
    """

    def __init__(
        self, knowledge: Knowledge, now: datetime, dialect: str, part: Part | None = None
    ) -> None:
        self.zone = ZoneInfo(knowledge.text("clinic.time_zone"))
        self.now = now
        self.diaries = diary_lengths(knowledge)
        # The database the statements are for (SQLAlchemy's dialect name).
        self.dialect = dialect
        # Only these injections (None: all of them).
        self.part = part

    def with_part(self, part: Part) -> Queries:
        """The same queries for the injections of `part`."""
        out = copy.copy(self)
        out.part = part
        return out

    def filtered(
        self, table: sa.TableClause, where: OutcomeFilter, part: Part | None | bool = True
    ) -> list[sa.ColumnElement[bool]]:
        """The conditions of `where` and of the queries' part (or of `part`, if given)."""
        c = table.c
        out: list[sa.ColumnElement[bool]] = [current_rows(table), c.clinic_id.is_not(None)]
        side = self.part if part is True else part
        if isinstance(side, Part):
            out.append(side.condition(table))
            if self.dialect == "postgresql" and not (side.settled or side.undated):
                # Every kind, named: PostgreSQL cannot skip over the covering index's
                # first column, but reads the month's range within each kind named (a
                # CHECK keeps the column to these kinds there, migration 0012).
                out.append(c.kind.in_([kind.value for kind in Kind]))
        # The physician is the name a clinician typed when documenting: part of it, in
        # any case, finds it ("rivera" finds "Dr. A. Rivera").
        if where.physician is not None:
            out.append(c.physician.icontains(where.physician, autoescape=True))
        for name in ("side", "anesthetic", "steroid"):
            value = getattr(where, name)
            if value is not None:
                out.append(c[name] == value)
        if where.clinic_id is not None:
            out.append(c.clinic_id == where.clinic_id)
        if where.since is not None:
            out.append(c.performed_at >= self._midnight(where.since))
        if where.until is not None:
            out.append(c.performed_at < self._midnight(where.until))
        return out

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)

    def _key(self, table: sa.TableClause, by: str | None) -> sa.ColumnElement[Any]:
        if by is None:
            return sa.literal(ALL).label("key")
        return table.c[_COLUMN[by].name].label("key")

    def main(self, by: str | None, where: OutcomeFilter) -> sa.Select[Any]:
        c = READINGS.c
        key = self._key(READINGS, by)
        # The procedures with a red flag (a report not `expected`); `emergency` is 1 when
        # one of them was an emergency, else NULL (so that the figures are plain counts).
        flagged = (
            sa.select(
                REPORTS.c.procedure_id,
                sa.func.max(sa.case((REPORTS.c.disposition == "emergency", 1))).label("emergency"),
            )
            .where(REPORTS.c.procedure_id.is_not(None), REPORTS.c.disposition != "expected")
            .group_by(REPORTS.c.procedure_id)
            .subquery("flagged")
        )
        diagnostic, therapeutic = c.kind == Kind.DIAGNOSTIC.value, c.kind == Kind.THERAPEUTIC.value
        due = self._prompts_due()
        columns: list[sa.ColumnElement[Any]] = [
            key,
            sa.func.count().label("procedures"),
            _count(diagnostic).label("blocks"),
            *(_count(diagnostic & (c.classification == name)).label(name) for name in _READ),
            _count(therapeutic).label("injections"),
            _count(c.flare.is_(True)).label("flares"),
            sa.func.count(c.flare).label("flare_known"),
            sa.func.count(flagged.c.procedure_id).label("red_flags"),
            sa.func.count(flagged.c.emergency).label("emergencies"),
            # Scores count up to the prompts due (scores are never negative, so a diary
            # not yet ended, with 0 due, adds 0).
            sa.func.sum(least(sa.func.coalesce(c.scores, 0), due)).label("scores"),
            sa.func.sum(due).label("prompts"),
        ]
        for m in MILESTONES:
            responder = c[f"responder_{m}"]
            columns.append(_count(responder.is_(True)).label(f"responders_{m}"))
            columns.append(sa.func.count(responder).label(f"known_{m}"))
        query = (
            sa.select(*columns)
            .select_from(READINGS.outerjoin(flagged, flagged.c.procedure_id == c.procedure_id))
            .where(*self.filtered(READINGS, where))
        )
        return query.group_by(key) if by is not None else query

    def _prompts_due(self) -> sa.ColumnElement[int]:
        """The prompts of the row's diary once it has ended (its last prompt is past), else
        0 (as for a kind or anesthetic without a diary): a CASE on the kind, then one on
        the anesthetic, so that a row costs a few comparisons."""
        c = READINGS.c
        kinds: dict[str, dict[str, sa.ColumnElement[int]]] = {}
        for (kind, agent), (prompts, length) in self.diaries.items():
            ended = c.performed_at <= self.now - length
            kinds.setdefault(kind, {})[agent] = sa.case((ended, prompts), else_=0)
        return sa.case(
            {kind: sa.case(agents, value=c.anesthetic, else_=0) for kind, agents in kinds.items()},
            value=c.kind,
            else_=0,
        )

    def _ended(self, kind: str) -> sa.ColumnElement[bool]:
        """Whether the diary of a row of `kind` has ended (false for an unknown anesthetic)."""
        c = READINGS.c
        ended = {
            agent: c.performed_at <= self.now - length
            for (of, agent), (_prompts, length) in self.diaries.items()
            if of == kind
        }
        return sa.case(ended, value=c.anesthetic, else_=sa.false())

    def pairs(self, by: str | None, where: OutcomeFilter) -> sa.Select[Any]:
        """The comparative pairs of `where`'s later blocks. With a part, the pairs of the
        part's later blocks; for the settled part, only those whose earlier block is
        settled too (the others are `pairs_across`): an earlier block is earlier in time,
        but its month can be later (its local offset), and a reading of it must not
        change the summary."""
        earlier = None if self.part is None or not self.part.settled else self.part
        return self._pairs(by, where, self.part, earlier)

    def pairs_across(self, by: str | None, where: OutcomeFilter) -> sa.Select[Any]:
        """With the recent part: the pairs of a settled later block with a recent earlier
        one, which the summary leaves out (see `pairs`)."""
        assert self.part is not None and not self.part.settled
        return self._pairs(by, where, self.part.other(), self.part)

    def _pairs(
        self,
        by: str | None,
        where: OutcomeFilter,
        later_part: Part | None,
        earlier_part: Part | None,
    ) -> sa.Select[Any]:
        later, earlier = _LATER, _EARLIER
        key = self._key(later, by)
        both = (later.c.classification == "positive") & (earlier.c.classification == "positive")
        either = (later.c.classification == "negative") | (earlier.c.classification == "negative")
        paired = (
            (earlier.c.patient_id == later.c.patient_id)
            & (earlier.c.side == later.c.side)
            & current_rows(earlier)
            & (earlier.c.kind == Kind.DIAGNOSTIC.value)
            & (earlier.c.anesthetic_action != later.c.anesthetic_action)
            & (earlier.c.performed_at < later.c.performed_at)
            & (sa.true() if earlier_part is None else earlier_part.condition(earlier))
        )
        later_long = later.c.anesthetic_action == "long"
        long_least = sa.case(
            (later_long, later.c.relief_at_least_hours), else_=earlier.c.relief_at_least_hours
        )
        long_less = sa.case(
            (later_long, later.c.relief_less_than_hours), else_=earlier.c.relief_less_than_hours
        )
        short_least = sa.case(
            (later_long, earlier.c.relief_at_least_hours), else_=later.c.relief_at_least_hours
        )
        short_less = sa.case(
            (later_long, earlier.c.relief_less_than_hours), else_=later.c.relief_less_than_hours
        )
        # From the side with the month range: the recent earlier blocks of a pair across
        # the line are few, the settled later ones many.
        across = earlier_part is not None and not earlier_part.settled
        query = (
            sa.select(
                key,
                sa.func.count().label("pairs"),
                _count(both).label("confirmed"),
                _count(either).label("not_confirmed"),
                _count(both & short_less.is_not(None) & (long_least >= short_less)).label(
                    "concordant"
                ),
                _count(both & long_less.is_not(None) & (long_less <= short_least)).label(
                    "discordant"
                ),
            )
            .select_from(earlier.join(later, paired) if across else later.join(earlier, paired))
            .where(
                later.c.kind == Kind.DIAGNOSTIC.value,
                *self._later(later, where, later_part, across),
            )
        )
        return query.group_by(key) if by is not None else query

    def _later(
        self, later: sa.TableClause, where: OutcomeFilter, part: Part | None, across: bool
    ) -> list[sa.ColumnElement[bool]]:
        """The later block's conditions. Across the line its settled month is written so
        that no index serves it (a later block has an injection time, so a month, and
        `coalesce` changes nothing): SQLite then starts from the few recent earlier blocks
        instead of every settled block."""
        if not across or part is None:
            return self.filtered(later, where, part)
        month = sa.func.coalesce(later.c.performed_month, "")
        return [*self.filtered(later, where, None), month < part.before]

    def median_relief(self, by: str | None, where: OutcomeFilter) -> sa.Select[Any]:
        value, conditions = self._relief(where)
        return _median_of_few_values(
            self._key(READINGS, by), value, conditions, grouped=by is not None
        )

    def relief_counts(self, by: str | None, where: OutcomeFilter) -> sa.Select[Any]:
        """(key, value, rows): how many injections have each value of `median_relief`."""
        value, conditions = self._relief(where)
        key = self._key(READINGS, by)
        return (
            sa.select(key, value.label("value"), sa.func.count().label("rows"))
            .where(*conditions)
            .group_by(*([key] if by is not None else []), value)
        )

    def _relief(
        self, where: OutcomeFilter
    ) -> tuple[sa.ColumnElement[Any], list[sa.ColumnElement[bool]]]:
        """The weeks of relief the median is of, and the injections it counts."""
        c = READINGS.c
        therapeutic = Kind.THERAPEUTIC.value
        value = sa.func.coalesce(c.sustained_at_least_weeks, 0.0)
        conditions = [c.kind == therapeutic, self._ended(therapeutic)]
        return value, [*conditions, *self.filtered(READINGS, where)]

    def referral_values(self, by: str | None, where: OutcomeFilter) -> sa.Select[Any]:
        """(key, value): every value `median_referral` is the median of."""
        value = READINGS.c.referral_days
        conditions = [value.is_not(None), *self.filtered(READINGS, where)]
        return sa.select(self._key(READINGS, by), value.label("value")).where(*conditions)

    def median_referral(self, by: str | None, where: OutcomeFilter) -> sa.Select[Any]:
        value = READINGS.c.referral_days
        conditions = [value.is_not(None), *self.filtered(READINGS, where)]
        key = self._key(READINGS, by)
        if self.dialect == "postgresql":
            return _median_ordered(key, value, conditions, grouped=by is not None)
        column = None if by is None else READINGS.c[_COLUMN[by].name]
        return _median_by_whole_days(READINGS, column, value, conditions)


def _median_by_whole_days(
    table: sa.TableClause,
    column: sa.ColumnElement[Any] | None,
    value: sa.ColumnElement[Any],
    where: Sequence[sa.ColumnElement[bool]],
) -> sa.Select[Any]:
    """The median (the mean of the two middle values when their number is even), without
    ranking every row: the rows are counted by whole day of `value` (a few hundred
    counts a group), the day or two that hold the middle ranks are found from those
    counts, and only those days' rows are ranked, from the rank each day begins at. Two
    passes over the rows, one of them a plain count, instead of a sort and two windows
    over all of them (SQLite, the benchmark's 96,000 injections: 77-123 ms a statement
    against 205-272 ms). Any order-keeping bucket gives the same median; a whole day
    (CAST, which truncates) suits a time counted in days. `column` is the grouping's
    column of `table`; None: the whole system."""
    grouped = column is not None
    key = sa.literal(ALL) if column is None else column
    day = sa.cast(value, sa.Integer)
    middle = _middle_buckets(key, day, where, grouped=grouped).cte("middle")
    m = middle.c
    # The rows of those days, found in one pass (an IN list SQLite looks up by hash; a
    # join made it search the index once per group and day), then ranked within their
    # day. A NULL group (no steroid) matches no IN list, so it is asked for apart.
    wanted = sa.tuple_(key, day).in_(sa.select(m.key, m.bucket))
    if grouped:
        wanted = wanted | (key.is_(None) & day.in_(sa.select(m.bucket).where(m.key.is_(None))))
    picked = (
        sa.select(
            key.label("key"),
            day.label("day"),
            value.label("value"),
            sa.func.row_number().over(partition_by=(key, day), order_by=value).label("within"),
        )
        .where(*where, wanted)
        .subquery("picked")
    )
    p = picked.c
    ranked = (
        sa.select(p.key, p.value, (m.before + p.within).label("rank"), m.n)
        .select_from(picked.join(middle, p.key.is_not_distinct_from(m.key) & (p.day == m.bucket)))
        .subquery("ranked")
    )
    r = ranked.c
    return (
        sa.select(r.key, _mean_of_middle(r.value).label("median"))
        .where((2 * r.rank).between(r.n, r.n + 2))
        .group_by(r.key)
    )


def _median_ordered(
    key: sa.ColumnElement[Any],
    value: sa.ColumnElement[Any],
    where: Sequence[sa.ColumnElement[bool]],
    *,
    grouped: bool,
) -> sa.Select[Any]:
    """The median as `_median_by_whole_days`, by PostgreSQL's ordered-set aggregate: each
    group's values sorted once, no window over every row. On the benchmark's 96,000
    injections, 41-85 ms a statement against 110-288 ms with windows (and 94-229 ms
    counted by day, which PostgreSQL plans worse than SQLite). No row when no value."""
    median = sa.func.percentile_cont(0.5).within_group(value)
    query = sa.select(key, median.label("median")).where(*where)
    return query.group_by(key) if grouped else query.having(sa.func.count() > 0)


def _median_of_few_values(
    key: sa.ColumnElement[Any],
    value: sa.ColumnElement[Any],
    where: Sequence[sa.ColumnElement[bool]],
    *,
    grouped: bool,
) -> sa.Select[Any]:
    """The median as `_median_by_whole_days`, for a value that takes few distinct values
    (weeks of relief): the rows are counted by value, and only those counts are ranked."""
    m = _middle_buckets(key, value, where, grouped=grouped).subquery("middle").c
    return sa.select(m.key, _mean_of_middle(m.bucket).label("median")).group_by(m.key)


def _mean_of_middle(value: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """The mean of a group's one or two middle values, as (lowest + highest) / 2 in plain
    double arithmetic: SQLite's `avg` sums in extended precision, which can round the
    mean differently from the outcome summary's (and every engine's) doubles."""
    return (sa.func.min(value) + sa.func.max(value)) / 2.0


def _middle_buckets(
    key: sa.ColumnElement[Any],
    bucket: sa.ColumnElement[Any],
    where: Sequence[sa.ColumnElement[bool]],
    *,
    grouped: bool,
) -> sa.Select[Any]:
    """The buckets (a value, or a range of values in order) that hold a middle rank of
    each group of `key`: (key, bucket, rows, before, n), where the bucket's rows are
    ranked before + 1 to before + rows of the group's n."""
    counts = (
        sa.select(key.label("key"), bucket.label("bucket"), sa.func.count().label("rows"))
        .where(*where)
        .group_by(*([key] if grouped else []), bucket)
        .subquery("counted")
    )
    c = counts.c
    ranked = sa.select(
        c.key,
        c.bucket,
        c.rows,
        sa.func.sum(c.rows)
        .over(partition_by=c.key, order_by=c.bucket, rows=(None, 0))
        .label("upto"),
        sa.func.sum(c.rows).over(partition_by=c.key).label("n"),
    ).subquery("ranked")
    # A bucket holds the rows ranked from upto - rows + 1 to upto; it holds a middle rank
    # when that span reaches rank n / 2 (twice: 2 x upto >= n) and begins by rank n / 2 + 1
    # (2 x (upto - rows) <= n). Integer arithmetic only, so every engine reads it alike.
    r = ranked.c
    return sa.select(r.key, r.bucket, r.rows, (r.upto - r.rows).label("before"), r.n).where(
        (2 * r.upto >= r.n) & (2 * (r.upto - r.rows) <= r.n)
    )


def diary_lengths(knowledge: Knowledge) -> Mapping[tuple[str, str], tuple[int, timedelta]]:
    """(kind, anesthetic) -> (prompts scheduled, time from the injection to the last one).

    From the core's schedule; the count does not depend on the day (the window prompts
    are elapsed time, the daily ones one a day). Kept for each knowledge object: working
    it out renders the schedule's words (about 20 ms), and every view of the dashboard
    needs it.
    """
    kept = _LENGTHS.get(id(knowledge))
    if kept is not None and kept[0]() is knowledge:
        return kept[1]
    if len(_LENGTHS) > 32:  # objects of past tests or reloads
        for key in [key for key, (ref, _) in _LENGTHS.items() if ref() is None]:
            del _LENGTHS[key]
    lengths = MappingProxyType(_diary_lengths(knowledge))
    _LENGTHS[id(knowledge)] = (weakref.ref(knowledge), lengths)
    return lengths


_LENGTHS: dict[
    int, tuple[weakref.ref[Knowledge], Mapping[tuple[str, str], tuple[int, timedelta]]]
] = {}


def _diary_lengths(knowledge: Knowledge) -> dict[tuple[str, str], tuple[int, timedelta]]:
    reference = datetime(2026, 1, 14, 9, 0, tzinfo=UTC)
    zone = knowledge.text("clinic.time_zone")
    out = {}
    for kind in Kind:
        for row in knowledge.table("anesthetics"):
            prompts = schedule_prompts(
                injected_at=reference, kind=kind, anesthetic_agent=str(row["id"]),
                knowledge=knowledge, time_zone=zone,
            )  # fmt: skip
            out[(kind.value, str(row["id"]))] = (len(prompts), prompts[-1].due_at - reference)
    return out
