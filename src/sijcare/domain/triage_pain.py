"""Triage of pain: the score against the baseline and the flare window, pain the usual
medicines do not control, and soreness at the injection site.

Severe is `triage.severe_pain_nrs` or above; pain above baseline but not severe is
expected inside the flare window (`therapeutic.flare_from_hours` to
`therapeutic.flare_until_hours`, both included); soreness through
`triage.soreness_expected_days`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sijcare.domain.symptoms import ReportContext
from sijcare.domain.triage_reasons import Disposition, Reason

FLARE_FROM = "therapeutic.flare_from_hours"
FLARE_UNTIL = "therapeutic.flare_until_hours"


def pain(case: ReportContext) -> Iterator[Reason]:
    r, baseline = case.report, case.procedure.baseline_pain
    severe = case.number("triage.severe_pain_nrs")
    if r.pain_controlled_by_usual_medicines is False:
        yield Reason.of(
            Disposition.CALL_NOW,
            "pain_not_controlled",
            f"Pain not controlled by usual analgesics (NRS {r.pain}, baseline {baseline})."
            if r.pain is not None
            else "Pain not controlled by usual analgesics (no score given).",
            "clinic-page",
        )
    if r.pain is None:
        return
    if r.pain >= severe:
        yield Reason.of(
            Disposition.CALL_NOW,
            "severe_pain",
            f"NRS {r.pain} >= severe threshold {severe:g} (baseline {baseline}) at {case.hours}.",
            case.knowledge.rule("triage.severe_pain_nrs").source,
            pain=r.pain,
        )
    elif r.pain > baseline:
        yield _pain_above_baseline(case, r.pain)
    elif r.pain_controlled_by_usual_medicines is not False:
        yield Reason.of(
            Disposition.EXPECTED,
            "pain_not_above_baseline",
            f"NRS {r.pain} <= baseline {baseline} at {case.hours}.",
            "clinic-page",
        )


def _pain_above_baseline(case: ReportContext, pain: int) -> Reason:
    start = case.number(FLARE_FROM)
    end = case.number(FLARE_UNTIL)
    baseline = case.procedure.baseline_pain
    window = f"flare window {start:g}-{end:g} h"
    if timedelta(hours=start) <= case.elapsed <= timedelta(hours=end):
        return Reason.of(
            Disposition.EXPECTED,
            "pain_flare",
            f"NRS {pain} > baseline {baseline} at {case.hours}, inside the {window}; not severe.",
            case.knowledge.rule(FLARE_FROM).source,
            pain=pain,
            baseline=baseline,
            days=end / 24,
        )
    return Reason.of(
        Disposition.CALL_SOON,
        "pain_above_baseline",
        f"NRS {pain} > baseline {baseline} at {case.hours}, outside the {window}; not severe.",
        "product-default",
        pain=pain,
        baseline=baseline,
    )


def soreness(case: ReportContext) -> Iterator[Reason]:
    if not case.report.soreness_at_site:
        return
    days = case.number("triage.soreness_expected_days")
    if case.within_days("triage.soreness_expected_days"):
        yield Reason.of(
            Disposition.EXPECTED,
            "site_soreness",
            f"Injection-site soreness at {case.hours}: the most common delayed effect.",
            "plastaras-2012",
            days=days,
        )
    else:
        yield Reason.of(
            Disposition.CALL_SOON,
            "site_soreness_lasting",
            f"Injection-site soreness at {case.hours}, beyond the expected {days:g} days.",
            case.knowledge.rule("triage.soreness_expected_days").source,
            days=days,
        )
