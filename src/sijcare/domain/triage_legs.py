"""Triage of a leg weakness or numbness against the anesthetic's window.

Inside the window (`anesthetics` table, its end included) it is the block's expected
spread to the sciatic nerve; past it, or new after it had gone or after the window, the
clinic is called now. Weakness in both legs is a red flag instead (`triage_red_flags`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sijcare.domain.contact import clinic_local_time
from sijcare.domain.symptoms import ReportContext
from sijcare.domain.triage_reasons import Disposition, Reason
from sijcare.domain.triage_words import clock_on_day
from sijcare.domain.words import Clock, Words, clock_of, day_of


def leg_symptoms(case: ReportContext) -> Iterator[Reason]:
    window_end = case.injected_at + case.window
    agent = case.procedure.anesthetic.agent
    window = f"{case.window.total_seconds() / 3600:g} h"
    for word, symptom in (
        ("weakness", case.report.leg_weakness),
        ("numbness", case.report.leg_numbness),
    ):
        if symptom is None:
            continue
        began_late = symptom.since is not None and symptom.since > window_end
        if symptom.started_after_it_had_gone or began_late:
            yield Reason.of(
                Disposition.CALL_NOW,
                f"leg_{word}_new",
                f"New leg {word} after it had resolved or after the {agent} window of {window} "
                f"(since {symptom.since.isoformat() if symptom.since else 'unknown'}): not "
                "explained by the block; exclude haematoma or nerve injury.",
                "nhs-bradford-2025",
            )
        elif case.elapsed > case.window:
            yield Reason.of(
                Disposition.CALL_NOW,
                f"leg_{word}_past_window",
                f"Leg {word} persisting at {case.hours}, beyond the {agent} window of {window}.",
                "anesthetic-duration-common",
                when=_local(case, window_end),
            )
        else:
            yield Reason.of(
                Disposition.EXPECTED,
                f"leg_{word}_in_window",
                f"Leg {word} at {case.hours}, inside the {agent} window of {window}: "
                "consistent with anesthetic spread to the sciatic nerve (fall risk).",
                "anesthetic-duration-common",
                when=_local(case, window_end),
            )


def _local(case: ReportContext, at: datetime) -> Clock | Words:
    """The clock time of `at` as the patient reads it; with its day when that is not the
    day of the report (a window that ended yesterday, or ends after midnight)."""
    local = clinic_local_time(at, case.knowledge)
    if local.date() == clinic_local_time(case.report.reported_at, case.knowledge).date():
        return clock_of(local)
    return clock_on_day(clock_of(local), day_of(local))
