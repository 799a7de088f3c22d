"""The follow-up: the core's recommended next step as a CarePlan.

One activity is the recommended step (coded with the core's `next-step` code, and CPT
27096 when the step is another injection), planned from the first day the payer allows
it, on hold when the payer does not allow it yet; the reasons are its description. The
patient's booked follow-up visits are activities too. The rule version, payer and the
alternatives are in the notes.
"""

from __future__ import annotations

from fhir.resources.R4B.careplan import CarePlan

from sijcare.domain.next_steps import Step
from sijcare.interop.fhir import codes
from sijcare.interop.fhir.common import Ids, Json, build, cc, day, instant
from sijcare.interop.fhir.records import NextStep, PathwayRecord

_INJECTIONS = frozenset(
    {Step.COMPARATIVE_CONFIRMATORY_BLOCK, Step.THERAPEUTIC_INJECTION, Step.REPEAT_INJECTION}
)


def step_words(step: Step) -> str:
    return step.value.replace("_", " ").capitalize()


def careplan_resource(
    ids: Ids, next_step: NextStep, pathways: tuple[PathwayRecord, ...]
) -> CarePlan:
    plan = next_step.plan
    return build(
        CarePlan,
        {
            "id": ids.id("CarePlan", "next-step"),
            "status": "active",
            "intent": "plan",
            "category": [{"text": "Follow-up after an SI joint injection"}],
            "title": f"Next step: {step_words(plan.step).lower()}",
            "description": " ".join(r.text for r in plan.reasons),
            "subject": ids.patient,
            "period": {"start": day(plan.today)},
            "created": instant(next_step.computed_at),
            "supportingInfo": [
                ids.ref("Procedure", p.procedure.key) for p in pathways if p.procedure is not None
            ],
            "activity": [_step_activity(next_step), *_visits(ids, pathways)],
            "note": [
                {
                    "text": f"Recommended by rule {plan.rule_version} under the payer profile "
                    f"{next_step.payer}, knowledge {plan.provenance.knowledge_version}."
                },
                {
                    "text": "Alternatives: "
                    + (", ".join(step_words(s).lower() for s in plan.alternatives) or "none")
                    + "."
                },
            ],
        },
    )


def _step_activity(next_step: NextStep) -> Json:
    core = next_step.plan
    step, side = core.step, core.side.value
    coding = [codes.local("next-step", step.value, step_words(step))]
    if step in _INJECTIONS:
        coding.append(codes.coding("si-joint-injection"))
    status = "on-hold" if core.payer_allows is False else "not-started"
    return {
        "detail": {
            "kind": "ServiceRequest" if step in _INJECTIONS else None,
            "code": cc(*coding, text=f"{step_words(step)} ({side})"),
            "status": status,
            "scheduledPeriod": {"start": day(core.earliest_date)} if core.earliest_date else None,
            "description": " ".join(f"{r.code}: {r.text}" for r in core.reasons),
        }
    }


def _visits(ids: Ids, pathways: tuple[PathwayRecord, ...]) -> list[Json]:
    return [
        {"reference": ids.ref("Appointment", a.key)}
        for p in pathways
        for a in p.appointments
        if a.kind == "follow_up" and a.status == "booked"
    ]
