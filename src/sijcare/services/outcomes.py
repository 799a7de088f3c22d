"""Outcome analytics: how well the clinic's SI joint injections work, computed in the database.

Every figure comes from the current interpretation of each documented injection (the
query columns of `Interpretation`, kept by the model when a diary is read) and from the
symptom reports: the database aggregates, nothing loops over patients in Python. The
queries are SQLAlchemy Core and run on SQLite and PostgreSQL alike, but for the median
referral time: PostgreSQL sorts each group's values once in an ordered-set aggregate
(`percentile_cont`), which SQLite does not have, so there it counts the rows by whole
day and ranks only the day that holds the middle.
The statements are in `sijcare.services.outcome_queries`. For the whole health system
without a filter, the settled injections' figures come from the outcome summary
(`sijcare.services.outcome_summary`, ADR 0008) and the statements count only the recent
months; the figures are the same.

Figures (our definitions; each rate is None when its denominator is 0):
- Diagnostic blocks: counts by class; positive-block rate = positive / (positive +
  indeterminate + negative); blocks whose diary had no score in the window (or could not
  be read) are counted apart as unreadable.
- Comparative blocks: a pair is a later block with an earlier block of the same patient
  and joint whose anesthetic has the other action (short or long); the pair belongs to
  the later block's group. Confirmed when both are positive, not confirmed when either
  is negative, else indeterminate (the core's rule). Concordance of confirmed pairs
  compares the bounded relief durations as the core does: concordant when the
  long-acting relief certainly lasted longer, discordant when it certainly did not.
- Therapeutic injections: responder rate at 2 weeks, 6 weeks and 3 months = responders
  / injections whose milestone is known; median duration of relief of at least the
  sustained level (`relief.sustained_percent`), in weeks, taken as its lower bound and
  counting 0 for an injection that never reached it, among injections whose diary has
  ended; flare rate = flares / injections whose flare hours had a score.
- Red flags: injections with at least one symptom report whose triage was not
  `expected` (the clinicians' red-flag inbox), and with an `emergency` one.
- Diary adherence: among diaries that have ended (their last prompt is past), scores
  recorded (up to the number of prompts) / prompts scheduled.
- Time from referral to procedure: median days from the pathway's opening to the
  injection (`Interpretation.referral_days`), among injections whose diary was read (an
  unreadable one has no injection time).

Groups: clinic, physician (as documented), side, anesthetic, steroid, month (the
injection's local month). Filters: the same dimensions and a date range of injections
(`since` included, `until` excluded, local days in the clinic's zone).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.engine import plain_rows, read_only
from sijcare.db.enums import Role
from sijcare.db.models import Clinic
from sijcare.domain.knowledge import Knowledge
from sijcare.services import access, audit, outcome_summary
from sijcare.services.actor import Actor
from sijcare.services.outcome_queries import ALL, READINGS, current_rows

# Re-exported: the web pages, the CLI and the benchmark build their filters and read the
# groupings here.
from sijcare.services.outcome_queries import GROUPS as GROUPS
from sijcare.services.outcome_queries import MILESTONES as MILESTONES
from sijcare.services.outcome_queries import OutcomeFilter as OutcomeFilter
from sijcare.services.outcome_queries import Queries as Queries


@dataclass(frozen=True)
class Rate:
    count: int
    of: int

    @property
    def value(self) -> float | None:
        return None if self.of == 0 else self.count / self.of


@dataclass
class GroupOutcomes:
    """The figures of one group (`key` is `all` without grouping)."""

    key: str
    label: str
    procedures: int = 0
    blocks: int = 0
    positive: int = 0
    indeterminate: int = 0
    negative: int = 0
    unreadable: int = 0
    pairs: int = 0
    confirmed: int = 0
    not_confirmed: int = 0
    concordant: int = 0
    discordant: int = 0
    injections: int = 0
    responders: dict[str, Rate] = field(default_factory=dict)
    flares: Rate = Rate(0, 0)
    red_flags: int = 0
    emergencies: int = 0
    scores: int = 0
    prompts: int = 0
    median_relief_weeks: float | None = None
    median_referral_days: float | None = None

    @property
    def positive_rate(self) -> Rate:
        return Rate(self.positive, self.positive + self.indeterminate + self.negative)

    @property
    def confirmation_rate(self) -> Rate:
        return Rate(self.confirmed, self.pairs)

    @property
    def concordance_rate(self) -> Rate:
        return Rate(self.concordant, self.confirmed)

    @property
    def red_flag_rate(self) -> Rate:
        return Rate(self.red_flags, self.procedures)

    @property
    def adherence(self) -> Rate:
        return Rate(self.scores, self.prompts)


@dataclass(frozen=True)
class Outcomes:
    by: str | None
    where: OutcomeFilter
    groups: tuple[GroupOutcomes, ...]
    total: GroupOutcomes
    waiting: int  # interpretations without query columns yet (see `sijcare reinterpret`)


# -- the use case -----------------------------------------------------------------------------


def view_outcomes(
    db: Session,
    *,
    actor: Actor,
    by: str | None,
    where: OutcomeFilter,
    knowledge: Knowledge,
    now: datetime,
) -> Outcomes:
    """The outcome dashboard of the actor's clinic (its clinicians and admins).

    Aggregates only: no patient is shown. The view is audited with its filters.
    """
    access.require_role(actor, Role.CLINICIAN, Role.ADMIN)
    where = OutcomeFilter(**{**vars(where), "clinic_id": actor.clinic_id})
    # The figures in a read-only transaction, then the audit event in a short one: on
    # SQLite a write transaction holds the one write lock, and the patients' diary
    # writes would wait behind the whole computation. Shown only once audited.
    with db.begin():
        read_only(db)
        result = compute(db, by=by, where=where, knowledge=knowledge, now=now)
    with db.begin():
        audit.record(
            db, actor=actor, action="outcomes.view", at=now, target_type="clinic",
            target_id=actor.clinic_id, detail={"by": by or ALL, **_filter_detail(where)},
        )  # fmt: skip
    return result


def compute(
    db: Session | sa.Connection,
    *,
    by: str | None,
    where: OutcomeFilter,
    knowledge: Knowledge,
    now: datetime,
    use_summary: bool = True,
) -> Outcomes:
    """Every figure, by group and in total (no access check: the CLI and the bench).

    For the whole health system without a filter, the settled injections' figures come
    from the outcome summary when it is up to date (`sijcare.services.outcome_summary`),
    and only the recent ones are counted; otherwise (or without `use_summary`) every
    injection is counted. The figures are the same either way.
    """
    if by is not None and by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    dialect = db.get_bind().dialect.name if isinstance(db, Session) else db.dialect.name
    summaries = (
        outcome_summary.usable(
            db, knowledge=knowledge, now=now, groupings=(by or ALL, ALL), where=where
        )
        if use_summary
        else None
    )

    def run(statement: sa.Select[Any]) -> Iterable[Mapping[str, Any]]:
        return db.execute(statement).mappings()

    def plain(statement: sa.Select[Any]) -> list[tuple[Any, ...]]:
        return plain_rows(db.connection() if isinstance(db, Session) else db, statement)

    if summaries is not None:
        recent = Queries(knowledge, now, dialect, summaries[ALL].recent())
        groups, total = figures(run, plain, recent, by, where, summaries)
        if not outcome_summary.still_stands(db, summaries[ALL]):
            summaries = None  # a change came in meanwhile: count every injection
    if summaries is None:
        queries = Queries(knowledge, now, dialect)
        groups, total = figures(run, plain, queries, by, where)
    waiting = db.execute(
        sa.select(sa.func.count())
        .select_from(READINGS)
        .where(current_rows(READINGS), READINGS.c.clinic_id.is_(None))
    ).scalar_one()
    if by == "clinic":
        _name_clinics(db, groups)
    ordered = tuple(groups[key] for key in sorted(groups))
    return Outcomes(by, where, ordered, total, int(waiting))


def figures(
    run: outcome_summary.Run,
    plain: outcome_summary.Plain,
    queries: Queries,
    by: str | None,
    where: OutcomeFilter,
    summaries: Mapping[str, outcome_summary.Summary] | None = None,
) -> tuple[dict[str, GroupOutcomes], GroupOutcomes]:
    """The groups of `by` and the total, from `run`ning the statements of `queries`.

    With `summaries` (the outcome summary of `by` and of the total), `queries` are those of
    the injections they leave out, and the total is added up from the groups' statements
    (see `outcome_summary.Recent.as_total`). `plain` runs a statement with many rows of
    plain values (`outcome_summary.recent`).
    """
    if summaries is None:
        groups = _groups(by, _counted(run, queries, by, where))
        total = groups if by is None else _groups(None, _counted(run, queries, None, where))
    else:
        recent = outcome_summary.recent(run, plain, queries, by)
        interpolate = queries.dialect == "postgresql"  # as its median statement does
        groups = _groups(
            by, outcome_summary.with_recent(summaries[by or ALL], recent, interpolate=interpolate)
        )
        total = (
            groups
            if by is None
            else _groups(
                None,
                outcome_summary.with_recent(
                    summaries[ALL], recent.as_total(), interpolate=interpolate
                ),
            )
        )
    return groups, total.get(ALL, GroupOutcomes(ALL, ALL))


def clinic_exists(connection: sa.Connection, clinic_id: int) -> bool:
    """Whether there is such a clinic (a filter on none would give zeros, not an error)."""
    return connection.scalar(sa.select(Clinic.id).where(Clinic.id == clinic_id)) is not None


def _counted(
    run: outcome_summary.Run, q: Queries, by: str | None, where: OutcomeFilter
) -> outcome_summary.Figures:
    """The figures of `by`, every injection counted by the statements of `q`."""
    return outcome_summary.Figures(
        main=list(run(q.main(by, where))),
        pairs=list(run(q.pairs(by, where))),
        median_relief={row["key"]: row["median"] for row in run(q.median_relief(by, where))},
        median_referral={row["key"]: row["median"] for row in run(q.median_referral(by, where))},
    )


def _groups(by: str | None, found: outcome_summary.Figures) -> dict[str, GroupOutcomes]:
    out: dict[str, GroupOutcomes] = {}

    def group(key: Any) -> GroupOutcomes:
        name = ALL if by is None else ("" if key is None else str(key))
        return out.setdefault(name, GroupOutcomes(name, name or "-"))

    for row in found.main:
        _fill_main(group(row["key"]), row)
    for row in found.pairs:
        g = group(row["key"])
        g.pairs, g.confirmed, g.not_confirmed = row["pairs"], row["confirmed"], row["not_confirmed"]
        g.concordant, g.discordant = row["concordant"], row["discordant"]
    for key, median in found.median_relief.items():
        group(key).median_relief_weeks = _float(median)
    for key, median in found.median_referral.items():
        group(key).median_referral_days = _float(median)
    return out


def _fill_main(g: GroupOutcomes, row: Mapping[str, Any]) -> None:
    g.procedures, g.blocks = row["procedures"], row["blocks"]
    g.positive, g.indeterminate, g.negative = row["positive"], row["indeterminate"], row["negative"]
    g.unreadable = row["blocks"] - g.positive - g.indeterminate - g.negative
    g.injections = row["injections"]
    g.responders = {m: Rate(row[f"responders_{m}"], row[f"known_{m}"]) for m in MILESTONES}
    g.flares = Rate(row["flares"], row["flare_known"])
    g.red_flags, g.emergencies = row["red_flags"], row["emergencies"]
    g.scores, g.prompts = row["scores"] or 0, row["prompts"] or 0


def _float(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def _name_clinics(db: Session | sa.Connection, groups: dict[str, GroupOutcomes]) -> None:
    ids = [int(key) for key in groups if key.isdigit()]
    names = dict(db.execute(sa.select(Clinic.id, Clinic.name).where(Clinic.id.in_(ids))).all())
    for key, g in groups.items():
        if key.isdigit():
            g.label = names.get(int(key), key)


def _filter_detail(where: OutcomeFilter) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in vars(where).items()
        if value is not None
    }


# -- export ------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "group", "label", "procedures", "blocks", "positive", "indeterminate", "negative",
    "unreadable", "positive_rate", "pairs", "confirmed", "not_confirmed", "confirmation_rate",
    "concordant", "discordant", "concordance_rate", "injections",
    *(f"{name}_{m}" for m in MILESTONES for name in ("responders", "known", "responder_rate")),
    "median_relief_weeks", "flares", "flare_known", "flare_rate", "red_flags", "emergencies",
    "red_flag_rate", "scores", "prompts", "adherence", "median_referral_days",
)  # fmt: skip


def as_row(g: GroupOutcomes, group: str) -> dict[str, Any]:
    """One group's figures under the `CSV_COLUMNS` names; rates are fractions (0-1)."""
    row: dict[str, Any] = {"group": group, "label": g.label}
    for name in ("procedures", "blocks", "positive", "indeterminate", "negative", "unreadable"):
        row[name] = getattr(g, name)
    row["positive_rate"] = g.positive_rate.value
    for name in ("pairs", "confirmed", "not_confirmed"):
        row[name] = getattr(g, name)
    row["confirmation_rate"] = g.confirmation_rate.value
    row["concordant"], row["discordant"] = g.concordant, g.discordant
    row["concordance_rate"], row["injections"] = g.concordance_rate.value, g.injections
    for m in MILESTONES:
        rate = g.responders.get(m, Rate(0, 0))
        row[f"responders_{m}"], row[f"known_{m}"] = rate.count, rate.of
        row[f"responder_rate_{m}"] = rate.value
    row["median_relief_weeks"] = g.median_relief_weeks
    row["flares"], row["flare_known"], row["flare_rate"] = (
        g.flares.count,
        g.flares.of,
        g.flares.value,
    )
    row["red_flags"], row["emergencies"] = g.red_flags, g.emergencies
    row["red_flag_rate"] = g.red_flag_rate.value
    row["scores"], row["prompts"], row["adherence"] = g.scores, g.prompts, g.adherence.value
    row["median_referral_days"] = g.median_referral_days
    return row


def as_rows(outcomes: Outcomes) -> list[dict[str, Any]]:
    """Every group, then the total (group `total`)."""
    by = outcomes.by or ALL
    return [as_row(g, by) for g in outcomes.groups if outcomes.by] + [
        as_row(outcomes.total, "total")
    ]


def to_csv(outcomes: Outcomes) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in as_rows(outcomes):
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    return "" if value is None else round(value, 4) if isinstance(value, float) else value
