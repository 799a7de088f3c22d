"""Pre-procedure screening: is the patient ready for the SI joint injection?

`screen(intake, procedure_time, knowledge)` runs every screening rule (modules in
`sijcare.domain.screening_rules`, one per clinical topic) and returns the findings, the
patient's dated actions in time order, the readiness and the provenance. Readiness is
the worst finding: postpone > needs_review > ready_with_actions > ready.

Rules here (clinical-defaults.md "Other screening rules"): a possible pregnancy is
reviewed (fluoroscopy); a driver home is required for every procedure (rule
`driver.required`) and, with any sedation, its absence postpones the procedure
(`driver.hard_stop_with_sedation`). Medicines: blood thinners and GLP-1 agonists follow
their modules; aspirin and NSAIDs are kept; a name the knowledge base does not know is
flagged for review, never passed.

Clinician decisions travel in `intake.clinician_decisions`: record one with
`sijcare.domain.intake.with_decision` and screen again.

Every sentence the patient reads (a finding's `patient_message`, an action's `what`) is
in `domain.screening_words`, kept as `Words` beside its English for a page in the
reader's language (ADR 0007); the JSON of a result keeps its shape without them. The
clinicians' rationale and options are English.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sijcare.domain.contact import clinic_zone
from sijcare.domain.errors import InputError
from sijcare.domain.intake import Intake
from sijcare.domain.knowledge import Knowledge, Provenance
from sijcare.domain.medicines import (
    Category,
    Medicine,
    MedicineIndex,
    closest_names,
    identify,
    index_medicines,
    unrecognised_words,
)
from sijcare.domain.procedure import Sedation
from sijcare.domain.screening_rules.allergies import screen_allergies
from sijcare.domain.screening_rules.anticoagulation import assess_blood_thinner, no_hold_finding
from sijcare.domain.screening_rules.decisions import check_decisions
from sijcare.domain.screening_rules.diabetes import screen_diabetes
from sijcare.domain.screening_rules.fasting import ARRIVAL, screen_fasting
from sijcare.domain.screening_rules.findings import (
    RANK,
    Action,
    Case,
    Finding,
    Listed,
    Option,
    Readiness,
    Severity,
    readiness,
)
from sijcare.domain.screening_rules.glp1 import assess_glp1
from sijcare.domain.screening_rules.infection import check_temperature, screen_infection_risk
from sijcare.domain.screening_words import action_words, finding_words

__all__ = [
    "Action",
    "Finding",
    "Option",
    "Readiness",
    "ScreeningResult",
    "Severity",
    "check_intake",
    "screen",
]

DRIVER_REQUIRED = "driver.required"
DRIVER_HARD_STOP = "driver.hard_stop_with_sedation"

MedicineRule = Callable[[Case, Listed, Medicine], Finding]
_BY_CATEGORY: dict[Category, MedicineRule] = {
    Category.BLOOD_THINNER: assess_blood_thinner,
    Category.NO_HOLD: no_hold_finding,
    Category.GLP1: assess_glp1,
}


@dataclass(frozen=True)
class ScreeningResult:
    """The readiness for the procedure at `procedure_time` (in the clinic's zone).

    `findings` are worst first; `actions` are every finding's actions in time order.
    """

    status: Readiness
    procedure_time: datetime
    time_zone: str
    findings: tuple[Finding, ...]
    actions: tuple[Action, ...]
    provenance: Provenance


def screen(intake: Intake, procedure_time: datetime, knowledge: Knowledge) -> ScreeningResult:
    """Screen `intake` for the procedure at `procedure_time` (timezone-aware).

    Raises `InputError` for input the knowledge cannot assess (see `check_intake`).
    """
    if procedure_time.utcoffset() is None:
        raise InputError("procedure_time", "needs a UTC offset, like 2026-03-10T08:00:00-07:00")
    index = index_medicines(knowledge)
    listed = _listed(intake, index)
    _check(intake, knowledge, index, listed)
    zone = clinic_zone(knowledge)
    case = Case(intake, procedure_time.astimezone(zone), zone, knowledge, index, listed)
    findings = [
        *screen_infection_risk(case),
        *_pregnancy(case),
        *screen_allergies(case),
        *_medicine_findings(case),
        *screen_diabetes(case),
        *screen_fasting(case),
        *_driver(case),
    ]
    findings.sort(key=lambda f: -RANK[f.severity])
    rule_keys = dict.fromkeys(("clinic.time_zone", *(k for f in findings for k in f.rule_keys)))
    return ScreeningResult(
        status=readiness(findings),
        procedure_time=case.at,
        time_zone=zone.key,
        findings=tuple(findings),
        actions=tuple(sorted((a for f in findings for a in f.actions), key=lambda a: a.at)),
        provenance=knowledge.provenance(
            tuple(rule_keys), {"procedure_time": case.at, "intake": intake}
        ),
    )


def check_intake(intake: Intake, knowledge: Knowledge) -> None:
    """Raise `InputError` naming the field when the knowledge cannot assess `intake`: an
    unknown anesthetic or steroid, a temperature outside the accepted range, or a
    clinician decision about no listed blood thinner or GLP-1 agonist."""
    index = index_medicines(knowledge)
    _check(intake, knowledge, index, _listed(intake, index))


def _check(
    intake: Intake, knowledge: Knowledge, index: MedicineIndex, listed: tuple[Listed, ...]
) -> None:
    plan = intake.procedure
    knowledge.row("anesthetics", plan.anesthetic_agent, where="procedure.anesthetic_agent")
    if plan.steroid_agent is not None:
        knowledge.row("steroids", plan.steroid_agent, where="procedure.steroid_agent")
    check_temperature(intake, knowledge)
    check_decisions(listed, intake.clinician_decisions, index)


def _listed(intake: Intake, index: MedicineIndex) -> tuple[Listed, ...]:
    return tuple(
        Listed(i, entry, identify(entry.name, index), unrecognised_words(entry.name, index))
        for i, entry in enumerate(intake.medicines)
    )


def _medicine_findings(case: Case) -> list[Finding]:
    findings = []
    for item in case.listed:
        if not item.medicines or item.unrecognised:
            findings.append(_unknown_medicine(case, item))
        for medicine in item.medicines:
            rule = _BY_CATEGORY.get(medicine.category)
            if rule is not None:
                findings.append(rule(case, item, medicine))
    return findings


def _unknown_medicine(case: Case, item: Listed) -> Finding:
    """An entry naming no known medicine, or words beside one that may name another."""
    close = closest_names(item.entry.name, case.index)
    hint = f" Did the patient mean: {', '.join(close)}?" if close else ""
    if item.medicines:
        known = ", ".join(m.label() for m in item.medicines)
        what = f"recognised {known}, but not {' '.join(item.unrecognised)!r}"
    else:
        what = "not in the knowledge base"
    return Finding.of(
        finding_words("medicine.unknown", name=repr(item.entry.name)),
        code="medicine.unknown",
        about=item.entry.name,
        severity=Severity.REVIEW,
        clinician_rationale=f"{item.where}: {item.entry.name!r}: {what}, so it cannot be "
        f"screened automatically (it may be a blood thinner).{hint}",
        source="product-default",
    )


def _pregnancy(case: Case) -> list[Finding]:
    if not case.intake.possibly_pregnant:
        return []
    plan = case.intake.procedure
    return [
        Finding.of(
            finding_words("pregnancy.possible"),
            code="pregnancy.possible",
            about="pregnancy",
            severity=Severity.REVIEW,
            clinician_rationale=f"Possible pregnancy with {plan.guidance.value} guidance"
            f"{' and a steroid' if plan.steroid_agent else ''}: confirm pregnancy status. "
            "The SIS appropriate use criteria exclude fluoroscopy in pregnancy; the "
            "Medicare LCD accepts ultrasound guidance without contrast in pregnancy.",
            source="sis-auc",
        )
    ]


def _driver(case: Case) -> list[Finding]:
    k = case.knowledge
    if case.intake.driver_arranged or not k.flag(DRIVER_REQUIRED):
        return []
    sedation = case.intake.procedure.sedation
    if sedation is not Sedation.NONE and k.flag(DRIVER_HARD_STOP):
        return [
            Finding.of(
                finding_words("driver.missing_with_sedation"),
                code="driver.missing_with_sedation",
                about="driver home",
                severity=Severity.STOP,
                clinician_rationale=f"No driver arranged with {sedation.value} sedation: "
                "hard stop until a driver is confirmed.",
                source=k.rule(DRIVER_HARD_STOP).source,
                rule_keys=(DRIVER_REQUIRED, DRIVER_HARD_STOP),
            )
        ]
    return [
        Finding.of(
            finding_words("driver.missing"),
            code="driver.missing",
            about="driver home",
            severity=Severity.ACTION,
            clinician_rationale="No driver arranged yet (required for every procedure: "
            "leg weakness for a few hours is possible). Confirm at check-in.",
            source=k.rule(DRIVER_REQUIRED).source,
            rule_keys=(DRIVER_REQUIRED, ARRIVAL),
            actions=(
                Action.of(
                    case.arrival, action_words("driver.arrange"), "driver.arrange", "driver home"
                ),
            ),
        )
    ]
