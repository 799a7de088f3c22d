"""What a patient reports after the injection: the input of symptom triage.

A `SymptomReport` says what the patient has at `reported_at`; a symptom left at its
default (False or None) was not reported. Units: pain on the 0-10 NRS, temperature in
°C, blood sugar in mg/dL (the file format converts °F and mmol/L). `check_report`
refuses readings outside the accepted ranges in `triage.toml`, which are most likely a
typing slip or the wrong unit. `ReportContext` puts a report beside its injection for
the triage rules (time since the injection, local dates, the rules read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sijcare.domain.contact import clinic_local_time
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Procedure


@dataclass(frozen=True)
class LegSymptom:
    """A leg weakness or numbness present when the patient reports.

    `since` is when it started, if known; `started_after_it_had_gone` says it had gone
    away after the injection and came back.
    """

    since: datetime | None = None
    started_after_it_had_gone: bool = False

    def __post_init__(self) -> None:
        if self.since is not None and self.since.utcoffset() is None:
            raise InputError("since", "needs a UTC offset")


@dataclass(frozen=True)
class SymptomReport:
    """What the patient reports at `reported_at` (timezone-aware).

    A symptom left at its default (False or None) was not reported. Pain is 0-10 (NRS);
    temperature in °C and blood sugar in mg/dL (the file format converts °F and mmol/L).
    """

    reported_at: datetime
    pain: int | None = None
    pain_controlled_by_usual_medicines: bool | None = None
    leg_weakness: LegSymptom | None = None
    leg_numbness: LegSymptom | None = None
    weakness_both_legs: bool = False
    temperature_c: float | None = None
    site_redness: bool = False
    site_swelling: bool = False
    site_warmth: bool = False
    site_oozing: bool = False
    hives: bool = False
    trouble_breathing: bool = False
    face_or_throat_swelling: bool = False
    headache_worse_standing: bool = False
    new_bladder_or_bowel_change: bool = False
    saddle_numbness: bool = False
    new_severe_back_pain: bool = False
    blood_sugar_mg_dl: float | None = None
    facial_flushing: bool = False
    soreness_at_site: bool = False
    note: str | None = None

    def __post_init__(self) -> None:
        if self.reported_at.utcoffset() is None:
            raise InputError("reported_at", "needs a UTC offset, like 2026-03-02T15:00:00-08:00")
        if self.pain is not None and (
            isinstance(self.pain, bool)
            or not isinstance(self.pain, int)
            or not 0 <= self.pain <= 10
        ):
            raise InputError("pain", "must be a whole number from 0 to 10")
        for name in ("leg_weakness", "leg_numbness"):
            symptom = getattr(self, name)
            if (
                symptom is not None
                and symptom.since is not None
                and symptom.since.astimezone(UTC) > self.reported_at.astimezone(UTC)
            ):
                raise InputError(f"{name}.since", "is after the time of the report")


def check_report(procedure: Procedure, report: SymptomReport, knowledge: Knowledge) -> None:
    """Raise `InputError` for a report before the injection, or a reading outside the
    accepted ranges (most likely a typing slip or the wrong unit)."""
    if report.reported_at.astimezone(UTC) < procedure.performed_at.astimezone(UTC):
        raise InputError("reported_at", "is before the injection; check the date and time")
    low, high = knowledge.numbers("triage.temperature_c_accepted")
    if report.temperature_c is not None and not low <= report.temperature_c <= high:
        raise InputError(
            "temperature_c", f"{report.temperature_c:g} °C is outside {low:g}-{high:g} °C"
        )
    low, high = knowledge.numbers("triage.glucose_mg_dl_accepted")
    sugar = report.blood_sugar_mg_dl
    if sugar is not None and not low <= sugar <= high:
        raise InputError("blood_sugar_mg_dl", f"{sugar:g} mg/dL is outside {low:g}-{high:g} mg/dL")


@dataclass
class ReportContext:
    """A report with its injection and the knowledge, for the rules that read it.

    It records which rules were read (`rules_used`), for the provenance.
    """

    procedure: Procedure
    report: SymptomReport
    knowledge: Knowledge
    window: timedelta
    rules_used: list[str] = field(default_factory=list)

    @property
    def elapsed(self) -> timedelta:
        """Real time from the injection to the report.

        In UTC: two times with the same ZoneInfo subtract as wall-clock times, which is an
        hour off across a change of the clocks.
        """
        return self.report.reported_at.astimezone(UTC) - self.injected_at

    @property
    def injected_at(self) -> datetime:
        """The injection time in UTC, for arithmetic that must not follow the wall clock."""
        return self.procedure.performed_at.astimezone(UTC)

    @property
    def hours(self) -> str:
        return f"{self.elapsed.total_seconds() / 3600:.1f} h"

    def number(self, key: str) -> float:
        if key not in self.rules_used:
            self.rules_used.append(key)
        return self.knowledge.number(key)

    def within_days(self, key: str) -> bool:
        """Whether the report is at most rule `key` days after the injection (included)."""
        return self.elapsed <= timedelta(days=self.number(key))

    @property
    def day_number(self) -> int:
        """Calendar days from the injection day to the report day (local dates)."""
        start = clinic_local_time(self.procedure.performed_at, self.knowledge).date()
        return (clinic_local_time(self.report.reported_at, self.knowledge).date() - start).days

    def inputs(self) -> dict[str, Any]:
        p = self.procedure
        report = {k: v for k, v in vars(self.report).items() if k != "note"}
        return {
            "procedure.performed_at": p.performed_at,
            "procedure.kind": p.kind.value,
            "procedure.anesthetic.agent": p.anesthetic.agent,
            "procedure.steroid.agent": None if p.steroid is None else p.steroid.agent,
            "procedure.baseline_pain": p.baseline_pain,
            "anesthetic_window_hours": self.window.total_seconds() / 3600,
            **{f"symptoms.{k}": v for k, v in report.items()},
        }
