"""Payer eligibility for another SI joint block or injection.

The payer profile (table `payer_profiles`; Medicare LCD "Sacroiliac Joint Injections and
Procedures" and eviCore CMM-203, both known through summaries) sets every number:

- a diagnostic block counts as positive at peak relief >= the payer's percentage;
- at most N diagnostic sessions;
- a therapeutic injection needs a prior positive diagnostic block on that joint;
- a repeat therapeutic injection needs the previous one's relief to have stayed at or
  above the payer's percentage for the payer's duration (Medicare: or documented
  functional gain; eviCore: and documented functional gain);
- at most N therapeutic sessions in a rolling window of calendar months, counted for
  the patient (both sides together, Medicare) or per joint (eviCore);
- a minimum number of calendar months between therapeutic sessions (eviCore).

A *session* is a calendar day (in the clinic's time zone) with at least one injection of
that kind: a left and a right injection on the same day are one session, as a bilateral
one is. The rolling window for a session on day D runs from the day after "D minus 12
months" through D, both included: a session exactly 12 months before D (the same day of
the month) has left the window; one a day later still counts. Calendar months keep the
day of the month, or the month's last day when it is shorter (January 31 + 1 month =
February 28 or 29).

Sustained relief is read from the diary by `domain.sustained_relief`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sijcare.domain.contact import clinic_zone
from sijcare.domain.diagnostic import interpret_diagnostic
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge, Provenance
from sijcare.domain.procedure import Kind, Procedure, Side
from sijcare.domain.referral import Criterion, Status, add_months, overall_status
from sijcare.domain.relief import PainScore, in_order
from sijcare.domain.sustained_relief import SustainedRelief, assess_sustained_relief

ELIGIBILITY_RULES = (
    "clinic.time_zone",
    "therapeutic.flare_until_hours",
    "therapeutic.onset_last_day",
)
# The search for the day a session slot reopens: a window of up to 24 calendar months
# always reopens within this many days.
_MAX_SEARCH_DAYS = 800


@dataclass(frozen=True)
class RecordedProcedure:
    """A procedure done, with the patient's diary after it.

    `diary` is kept in time order; an entry before the injection or two entries at the
    same instant are input errors. `functional_gain` is the clinician's documentation
    that function improved (or medicine use fell) for the payer's required period:
    None when not documented either way.
    """

    procedure: Procedure
    diary: tuple[PainScore, ...] = ()
    functional_gain: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "diary", in_order(self.diary, self.procedure.performed_at))


@dataclass(frozen=True)
class History:
    """A patient's SI joint procedures in time order (at least one; a bilateral injection is one)."""

    procedures: tuple[RecordedProcedure, ...]
    patient_has_contrast_allergy: bool | None = None

    def __post_init__(self) -> None:
        if not self.procedures:
            raise InputError("procedures", "at least one procedure is needed")
        for i in range(1, len(self.procedures)):
            if _instant(self.procedures[i].procedure) <= _instant(self.procedures[i - 1].procedure):
                raise InputError(
                    f"procedures[{i}].performed_at",
                    "is not after the procedure before it: list the procedures in time order",
                )

    def latest_record_day(self, zone: ZoneInfo) -> date:
        """The local day of the latest diary entry or procedure."""
        times = [r.procedure.performed_at for r in self.procedures]
        times += [s.recorded_at for r in self.procedures for s in r.diary]
        return max(t.astimezone(zone).date() for t in times)


@dataclass(frozen=True)
class SessionCount:
    """Sessions counted for `joints` ("patient" scope counts both joints together)."""

    joints: tuple[Side, ...]
    days: tuple[date, ...]


@dataclass(frozen=True)
class Eligibility:
    """What the payer allows next, on `today`, for the joint(s) `side`.

    `earliest_therapeutic` is the first day (today or later) a next therapeutic injection
    (a repeat, when there was one before) meets every date-bound criterion; None when a
    criterion that no date can fix is unmet or still unknown.
    """

    payer: str
    payer_title: str
    today: date
    side: Side
    diagnostic_sessions: int
    max_diagnostic_sessions: int
    another_diagnostic_allowed: bool
    therapeutic_sessions_in_window: int
    max_therapeutic_sessions: int
    window_first_day: date
    window_last_day: date
    sustained_relief_needed: str
    previous_therapeutic: date | None
    sustained_relief: SustainedRelief | None
    therapeutic_allowed: bool
    earliest_therapeutic: date | None
    criteria: tuple[Criterion, ...]
    provenance: Provenance = field(repr=False)


def payer_profile(payer: str, knowledge: Knowledge) -> Mapping[str, Any]:
    """The row of `payer_profiles` for `payer` (an id or name); unknown is an input error."""
    return knowledge.row("payer_profiles", payer, where="payer")


def rolling_window_first_day(last_day: date, months: int) -> date:
    """The first day inside a rolling window of `months` that ends on `last_day` (included).

    The day exactly `months` calendar months before `last_day` is outside the window.
    """
    return add_months(last_day, -months) + timedelta(days=1)


def assess_eligibility(
    history: History,
    payer: str,
    today: date,
    knowledge: Knowledge,
    *,
    side: Side | None = None,
) -> Eligibility:
    """What `payer` allows next, judged on `today`, for `side` (default: the latest procedure's).

    Counts include every procedure of `history` (none may be after `today`). Relief is
    read from the diaries with the payer's own percentages, not the clinic's.
    """
    profile = payer_profile(payer, knowledge)
    zone = clinic_zone(knowledge)
    _check_today(history, today, zone)
    joint = side if side is not None else history.procedures[-1].procedure.side
    ctx = _Context(history, profile, today, joint, zone, knowledge)
    return ctx.assess()


def _check_today(history: History, today: date, zone: ZoneInfo) -> None:
    latest = history.latest_record_day(zone)
    if today < latest:
        raise InputError(
            "today", f"{today.isoformat()} is before the latest record ({latest.isoformat()})"
        )


def _instant(procedure: Procedure) -> datetime:
    return procedure.performed_at.astimezone(UTC)


def located(index: int, error: InputError) -> InputError:
    """`error` from procedure number `index` of a history, named `procedures[index].<field>`."""
    return InputError(f"procedures[{index}].{error.where}".rstrip("."), error.message)


def _joints(side: Side) -> tuple[Side, ...]:
    if side is Side.BILATERAL:
        return (Side.LEFT, Side.RIGHT)
    return (side,)


def _touches(procedure: Procedure, joint: Side) -> bool:
    return joint in _joints(procedure.side)


@dataclass(frozen=True)
class _Context:
    history: History
    profile: Mapping[str, Any]
    today: date
    side: Side
    zone: ZoneInfo
    knowledge: Knowledge

    # -- counting sessions -------------------------------------------------------------

    def day_of(self, procedure: Procedure) -> date:
        return procedure.performed_at.astimezone(self.zone).date()

    def of_kind(self, kind: Kind) -> list[RecordedProcedure]:
        return [r for r in self.history.procedures if r.procedure.kind is kind]

    def sessions(self, kind: Kind, scope: str) -> SessionCount:
        """The session days of `kind` that count toward the limit for the planned joint(s).

        Per joint with a bilateral plan, the joint with more sessions binds.
        """
        records = self.of_kind(kind)
        if scope == "patient":
            days = sorted({self.day_of(r.procedure) for r in records})
            return SessionCount(_joints(Side.BILATERAL), tuple(days))
        if scope != "joint":
            raise ValueError(f"unknown count scope {scope!r}")
        counts = [
            SessionCount(
                (joint,),
                tuple(
                    sorted(
                        {self.day_of(r.procedure) for r in records if _touches(r.procedure, joint)}
                    )
                ),
            )
            for joint in _joints(self.side)
        ]
        return max(counts, key=lambda c: len(c.days))

    # -- criteria --------------------------------------------------------------------

    def assess(self) -> Eligibility:
        p = self.profile
        diagnostic = self.sessions(Kind.DIAGNOSTIC, str(p["diagnostic_count_scope"]))
        therapeutic = self.sessions(Kind.THERAPEUTIC, str(p["therapeutic_count_scope"]))
        months = int(p["therapeutic_window_months"])
        first_day = rolling_window_first_day(self.today, months)
        in_window = [d for d in therapeutic.days if first_day <= d <= self.today]
        previous = self.previous_therapeutic()
        sustained = None if previous is None else self.sustained(previous)
        criteria = [self.diagnostic_limit(diagnostic)]
        criteria += self.prior_positive()
        criteria.append(self.therapeutic_limit(therapeutic, in_window, months))
        if previous is not None and sustained is not None:
            criteria += self.repeat_criteria(previous, sustained)
        therapy = [c for c in criteria if c.code != "diagnostic_session_limit"]
        allowed = overall_status(therapy) is Status.MET
        return Eligibility(
            payer=str(p["id"]),
            payer_title=str(p["title"]),
            today=self.today,
            side=self.side,
            diagnostic_sessions=len(diagnostic.days),
            max_diagnostic_sessions=int(p["max_diagnostic_sessions"]),
            another_diagnostic_allowed=criteria[0].status is Status.MET,
            therapeutic_sessions_in_window=len(in_window),
            max_therapeutic_sessions=int(p["max_therapeutic_sessions_in_window"]),
            window_first_day=first_day,
            window_last_day=self.today,
            sustained_relief_needed=self.sustained_relief_needed(),
            previous_therapeutic=None if previous is None else self.day_of(previous.procedure),
            sustained_relief=sustained,
            therapeutic_allowed=allowed,
            earliest_therapeutic=self.earliest(therapy, therapeutic, previous),
            criteria=tuple(criteria),
            provenance=self.provenance(),
        )

    def diagnostic_limit(self, diagnostic: SessionCount) -> Criterion:
        limit = int(self.profile["max_diagnostic_sessions"])
        done = len(diagnostic.days)
        source = str(self.profile["source"])
        if done < limit:
            reason = f"{done} of {limit} diagnostic sessions used: one more is allowed."
            return Criterion("diagnostic_session_limit", Status.MET, reason, source)
        reason = f"{done} of {limit} diagnostic sessions used: no further diagnostic session."
        return Criterion("diagnostic_session_limit", Status.UNMET, reason, source)

    def prior_positive(self) -> list[Criterion]:
        """One criterion per planned joint: a diagnostic block at the payer's percentage."""
        if not self.profile["therapeutic_requires_positive_diagnostic"]:
            return []
        return [self.positive_for(joint) for joint in _joints(self.side)]

    def positive_for(self, joint: Side) -> Criterion:
        percent = float(self.profile["diagnostic_positive_relief_percent"])
        source = str(self.profile["source"])
        blocks = [r for r in self.of_kind(Kind.DIAGNOSTIC) if _touches(r.procedure, joint)]
        peaks = [self.peak(r) for r in blocks]
        known = [peak for peak in peaks if peak is not None]
        best = max(known, default=None)
        code = f"prior_positive_diagnostic_{joint.value}"
        if best is not None and best >= percent:
            reason = f"{joint.value} joint: a diagnostic block gave {best:.0f}% relief (at least {percent:.0f}% needed)."
            return Criterion(code, Status.MET, reason, source)
        if len(known) < len(peaks):
            reason = f"{joint.value} joint: a diagnostic block's diary has no score in its window."
            return Criterion(code, Status.UNKNOWN, reason, source)
        if not blocks:
            reason = f"{joint.value} joint: no diagnostic block on record; one with at least {percent:.0f}% relief is needed first."
            return Criterion(code, Status.UNMET, reason, source)
        reason = f"{joint.value} joint: best diagnostic relief {best:.0f}%, below the {percent:.0f}% needed."
        return Criterion(code, Status.UNMET, reason, source)

    def peak(self, record: RecordedProcedure) -> float | None:
        try:
            result = interpret_diagnostic(record.procedure, record.diary, self.knowledge)
        except InputError as exc:
            raise located(self.history.procedures.index(record), exc) from None
        return result.peak_relief_percent

    def therapeutic_limit(
        self, therapeutic: SessionCount, in_window: list[date], months: int
    ) -> Criterion:
        limit = int(self.profile["max_therapeutic_sessions_in_window"])
        source = str(self.profile["source"])
        scope = (
            "both sides counted together"
            if len(therapeutic.joints) > 1
            else f"{therapeutic.joints[0].value} joint"
        )
        window = f"{rolling_window_first_day(self.today, months).isoformat()} to {self.today.isoformat()}"
        counted = f"{_sessions(len(in_window), 'therapeutic')} from {window} ({scope}; at most {limit} in {months} months)"
        if len(in_window) < limit:
            return Criterion("therapeutic_session_limit", Status.MET, f"{counted}.", source)
        reopens = self.slot_reopens(therapeutic.days, self.today)
        reason = f"{counted}: the limit is reached until {reopens.isoformat()}."
        return Criterion("therapeutic_session_limit", Status.UNMET, reason, source)

    def slot_reopens(self, days: tuple[date, ...], start: date) -> date:
        """The first day from `start` on when a session would stay within the limit."""
        months = int(self.profile["therapeutic_window_months"])
        limit = int(self.profile["max_therapeutic_sessions_in_window"])

        def fits(day: date) -> bool:
            first = rolling_window_first_day(day, months)
            return sum(1 for d in days if first <= d <= day) < limit

        return _first_day(start, fits)

    def previous_therapeutic(self) -> RecordedProcedure | None:
        """The latest therapeutic injection touching the planned joint(s)."""
        touching = [
            r
            for r in self.of_kind(Kind.THERAPEUTIC)
            if any(_touches(r.procedure, j) for j in _joints(self.side))
        ]
        return touching[-1] if touching else None

    def sustained(self, previous: RecordedProcedure) -> SustainedRelief:
        p = self.profile
        try:
            return assess_sustained_relief(
                previous.procedure,
                previous.diary,
                self.knowledge,
                level_percent=float(p["repeat_min_relief_percent"]),
                lasting=int(p["repeat_relief_duration"]),
                unit=str(p["repeat_relief_duration_unit"]),
            )
        except InputError as exc:
            raise located(self.history.procedures.index(previous), exc) from None

    def repeat_criteria(
        self, previous: RecordedProcedure, sustained: SustainedRelief
    ) -> list[Criterion]:
        p = self.profile
        source = str(p["source"])
        mode = str(p["repeat_functional_gain"])
        criteria = [self.relief_criterion(previous, sustained, mode, source)]
        if mode == "required":
            criteria.append(self.functional_gain_criterion(previous, source))
        gap = int(p["min_months_between_therapeutic"])
        if gap > 0:
            criteria.append(self.interval_criterion(previous, gap, source))
        return criteria

    def relief_criterion(
        self, previous: RecordedProcedure, sustained: SustainedRelief, mode: str, source: str
    ) -> Criterion:
        if mode not in ("alternative", "required"):
            raise ValueError(f"unknown repeat_functional_gain {mode!r}")
        status = sustained.status
        reason = sustained.reason
        if mode == "alternative" and status is not Status.MET and previous.functional_gain:
            status = Status.MET
            reason = f"Functional gain documented for the required period ({reason})"
        return Criterion("repeat_sustained_relief", status, reason, source)

    def functional_gain_criterion(self, previous: RecordedProcedure, source: str) -> Criterion:
        gain = previous.functional_gain
        if gain is None:
            reason = "Functional gain (or less medicine use) after the previous injection is not documented."
            return Criterion("repeat_functional_gain", Status.UNKNOWN, reason, source)
        if gain:
            reason = "Functional gain after the previous injection is documented."
            return Criterion("repeat_functional_gain", Status.MET, reason, source)
        reason = (
            "No functional gain after the previous injection: the payer needs it with the relief."
        )
        return Criterion("repeat_functional_gain", Status.UNMET, reason, source)

    def interval_criterion(self, previous: RecordedProcedure, gap: int, source: str) -> Criterion:
        last = self.day_of(previous.procedure)
        allowed_from = add_months(last, gap)
        counted = f"Previous therapeutic session {last.isoformat()}; at least {gap} months apart means from {allowed_from.isoformat()}"
        status = Status.MET if self.today >= allowed_from else Status.UNMET
        return Criterion("therapeutic_interval", status, f"{counted}.", source)

    # -- the earliest day ----------------------------------------------------------------

    def earliest(
        self,
        therapy: list[Criterion],
        therapeutic: SessionCount,
        previous: RecordedProcedure | None,
    ) -> date | None:
        """The first day the date-bound criteria are met, if nothing else stands in the way."""
        date_bound = {"therapeutic_session_limit", "therapeutic_interval"}
        if any(c.status is not Status.MET for c in therapy if c.code not in date_bound):
            return None
        start = self.today
        if previous is not None and int(self.profile["min_months_between_therapeutic"]) > 0:
            gap = int(self.profile["min_months_between_therapeutic"])
            start = max(start, add_months(self.day_of(previous.procedure), gap))
        return self.slot_reopens(therapeutic.days, start)

    def sustained_relief_needed(self) -> str:
        p = self.profile
        relief = f"at least {p['repeat_min_relief_percent']}% relief for at least {p['repeat_relief_duration']} {p['repeat_relief_duration_unit']}"
        mode = str(p["repeat_functional_gain"])
        if mode == "alternative":
            return f"{relief} (or documented functional gain)"
        return f"{relief}, plus documented functional gain or less medicine use"

    def provenance(self) -> Provenance:
        inputs: dict[str, Any] = {
            "payer": str(self.profile["id"]),
            "payer_profile": {k: v for k, v in self.profile.items() if k not in ("names", "note")},
            "today": self.today.isoformat(),
            "side": self.side.value,
            "procedures": [
                {
                    "performed_at": r.procedure.performed_at.isoformat(),
                    "kind": r.procedure.kind.value,
                    "side": r.procedure.side.value,
                    "diary_entries": len(r.diary),
                    "functional_gain": r.functional_gain,
                }
                for r in self.history.procedures
            ],
        }
        return self.knowledge.provenance(ELIGIBILITY_RULES, inputs)


def _sessions(count: int, kind: str) -> str:
    return f"{count} {kind} session{'' if count == 1 else 's'}"


def _first_day(start: date, ok: Callable[[date], bool]) -> date:
    for offset in range(_MAX_SEARCH_DAYS):
        day = start + timedelta(days=offset)
        if ok(day):
            return day
    raise ValueError("no day within the search range meets the condition")
