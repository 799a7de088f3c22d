"""A consent's fixed inputs shared by the consent tests: what the clinic says about the
physician, the cost and the results, and a diagnostic and a therapeutic plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sijcare.domain.consent import ConsentContext
from sijcare.domain.procedure import Kind, PlannedProcedure, Side

LA = ZoneInfo("America/Los_Angeles")
CONTEXT = ConsentContext(
    physician_qualifications="She is a doctor trained in pain medicine.",
    cost_note="Your plan usually pays for it. You may owe a copay.",
    results_how="We go over your diary with you at your next visit.",
)
DIAGNOSTIC = PlannedProcedure(
    scheduled_at=datetime(2026, 3, 2, 9, 0, tzinfo=LA),
    kind=Kind.DIAGNOSTIC,
    side=Side.LEFT,
    anesthetic_agent="lidocaine",
    physician="Dr. Ana Ruiz",
    location="the Pain Clinic, 2nd floor",
)
THERAPEUTIC = replace(
    DIAGNOSTIC,
    kind=Kind.THERAPEUTIC,
    side=Side.BILATERAL,
    anesthetic_agent="bupivacaine",
    steroid_agent="triamcinolone",
)
