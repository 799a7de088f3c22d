"""Clinicians' decisions to hold or continue a listed medicine.

A decision names a medicine on the patient's list, either as the patient wrote it
("Eliquis 5 mg") or by a name of the same medicine ("apixaban"). Only blood thinners
and GLP-1 agonists take decisions: they are the medicines screening may hold. When
several decisions name the same medicine, the latest (by `at`) counts.
"""

from __future__ import annotations

from sijcare.domain.errors import InputError
from sijcare.domain.intake import ClinicianDecision
from sijcare.domain.medicines import Category, Medicine, MedicineIndex, choose_regimen, identify
from sijcare.domain.screening_rules.findings import Listed

HOLDABLE = (Category.BLOOD_THINNER, Category.GLP1)


def decision_for(
    listed: Listed,
    medicine: Medicine,
    decisions: tuple[ClinicianDecision, ...],
    index: MedicineIndex,
) -> ClinicianDecision | None:
    """The latest decision about `medicine` as listed in `listed`, or None."""
    about = [d for d in decisions if _names(d, listed, medicine, index)]
    return max(about, key=lambda d: d.at, default=None)


def check_decisions(
    listed: tuple[Listed, ...], decisions: tuple[ClinicianDecision, ...], index: MedicineIndex
) -> None:
    """Raise `InputError` for a decision about no listed blood thinner or GLP-1 agonist,
    or naming a regimen the medicine does not have."""
    for i, decision in enumerate(decisions):
        where = f"clinician_decisions[{i}]"
        targets = [
            (item, m)
            for item in listed
            for m in item.medicines
            if m.category in HOLDABLE and _names(decision, item, m, index)
        ]
        if not targets:
            raise InputError(
                f"{where}.medicine",
                f"{decision.medicine!r} is not a blood thinner or GLP-1 medicine on the list",
            )
        for item, medicine in targets:
            if decision.regimen is not None and not choose_regimen(
                medicine, decision.regimen, item.entry.words()
            ):
                known = ", ".join(str(r.get("regimen", r["id"])) for r in medicine.rows)
                raise InputError(
                    f"{where}.regimen",
                    f"{medicine.generic} has no regimen {decision.regimen!r} (known: {known})",
                )


def _names(
    decision: ClinicianDecision, listed: Listed, medicine: Medicine, index: MedicineIndex
) -> bool:
    if decision.medicine.strip().casefold() == listed.entry.name.strip().casefold():
        return True
    return any(
        (m.category, m.generic) == (medicine.category, medicine.generic)
        for m in identify(decision.medicine, index)
    )
