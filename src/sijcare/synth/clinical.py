"""The clinical records of a synthetic pathway, written and read by the real core.

Screening answers are INTAKE.json screened by `domain.screening.screen`; consent holds
the plan's version and the core's answers to the consent questions, as the patient
portal stores them; the injection is PROCEDURE.json parsed by `formats.procedure`; the
diary is read by the same functions the portal uses (`services.diary.read`,
`classify`); symptom reports are triaged by `domain.triage.triage`. So the stored
population is exactly what the product would have stored for these patients.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sijcare.db.models.interpretation import result_columns
from sijcare.domain.consent import ConsentContext, Question, answer_questions
from sijcare.domain.intake import Intake
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import PlannedProcedure, Procedure
from sijcare.domain.relief import PainScore
from sijcare.domain.screening import screen
from sijcare.domain.symptoms import LegSymptom, SymptomReport
from sijcare.domain.triage import triage
from sijcare.formats.intake import intake_from_dict
from sijcare.formats.jsonout import to_jsonable
from sijcare.formats.procedure import procedure_from_dict, procedure_to_dict
from sijcare.formats.report import report_to_dict
from sijcare.services import consent as consent_service
from sijcare.services import diary
from sijcare.synth.parameters import Choice, SynthParameters
from sijcare.synth.records import Consent, Physician, Reading, Report, Screening
from sijcare.synth.trajectories import uniform
from sijcare.synth.writer import compact_json

_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Plan:
    """What the clinic plans for one injection."""

    kind: str
    side: str
    anesthetic: Choice
    steroid: Choice | None
    ultrasound: bool  # a contrast allergy: ultrasound guidance without contrast


def intake_answers(
    rng: random.Random,
    p: SynthParameters,
    plan: Plan,
    *,
    diabetic: bool,
    insulin: bool,
    thinner: str | None,
    contrast_allergy: bool,
) -> dict[str, Any]:
    """The INTAKE.json answers of a synthetic patient for `plan`."""
    medicines = [{"name": thinner, "dose": None, "frequency": "daily"}] if thinner else []
    allergies, reactions = [], []
    if contrast_allergy:
        allergies.append(
            {"substance": "iodinated contrast", "kind": "contrast", "reaction": "hives"}
        )
        reactions.append({"to": "contrast", "description": "Hives after a scan with dye"})
    return {
        "procedure": {
            "kind": plan.kind,
            "side": plan.side,
            "anesthetic_agent": plan.anesthetic.id,
            "steroid_agent": None if plan.steroid is None else plan.steroid.id,
            "guidance": "ultrasound" if plan.ultrasound else "fluoroscopy",
            "contrast_planned": not plan.ultrasound,
            "sedation": "none",
        },
        "current_infection": False,
        "immunocompromised": False,
        "possibly_pregnant": False,
        "diabetes": {"has": diabetic, "uses_insulin": insulin if diabetic else None},
        "kidney_function_impaired": False,
        "medicines": medicines,
        "allergies": allergies,
        "past_reactions": reactions,
        "driver_arranged": True,
    }


def parsed(answers: dict[str, Any], knowledge: Knowledge) -> Intake:
    """The core's `Intake` of INTAKE.json answers; the few distinct answers are parsed once."""
    # repr, not sorted JSON: answers are built in one order here, and an equal dict in
    # another order is only parsed again.
    key = (id(knowledge), repr(answers))
    intake = _PARSED.get(key)
    if intake is None:
        if len(_PARSED) > _PARSED_MAX:
            _PARSED.clear()
        intake = _PARSED[key] = intake_from_dict(answers, knowledge)
    return intake


_PARSED: dict[tuple[int, str], Intake] = {}
_PARSED_MAX = 10_000


def screening(
    answers: dict[str, Any], at: datetime, submitted_at: datetime, knowledge: Knowledge
) -> Screening:
    """The answers screened by the core for a procedure at `at`."""
    result = screen(parsed(answers, knowledge), at, knowledge)
    return Screening(answers, to_jsonable(result), submitted_at)


def planned(
    answers: dict[str, Any], at: datetime, physician: Physician, location: str, knowledge: Knowledge
) -> PlannedProcedure:
    """The plan as the workspace sees it: booked at `at`, with its doctor and place."""
    plan = parsed(answers, knowledge).procedure.scheduled(at)
    return dataclasses.replace(plan, physician=physician.name, location=location)


def consent(
    plan: PlannedProcedure,
    physician: Physician,
    location: str,
    agreed_at: datetime,
    witnessed_at: datetime,
    knowledge: Knowledge,
) -> Consent:
    """The patient's witnessed agreement to `plan`, stored as the portal stores it."""
    context = ConsentContext(
        physician_qualifications=physician.qualifications,
        cost_note=consent_service.COST_NOTE,
        results_how=consent_service.RESULTS_HOW,
        physician_name=physician.name,
        location=location,
    )
    answered = answer_questions(plan, context, knowledge)
    confirmed = {
        "plan_version": answered.plan_version,
        "confirmations": [
            {"question": q.value, "confirmed_at": agreed_at.isoformat()} for q in Question
        ],
        "answers": [
            {"question": a.question.value, "text": a.text, "answer": list(a.answer)}
            for a in answered.answers
        ],
    }
    snapshot = consent_service.plan_snapshot(plan, context)
    return Consent(snapshot, confirmed, agreed_at, witnessed_at)


def procedure_document(
    plan: Plan, at: datetime, baseline: int, physician: Physician, knowledge: Knowledge
) -> Procedure:
    """The injection as the clinician documents it (checked by the core)."""
    observation = knowledge.integer("education.observation_minutes")
    anesthetic, steroid = plan.anesthetic, plan.steroid
    document = {
        "performed_at": at.isoformat(),
        "kind": plan.kind,
        "side": plan.side,
        "anesthetic": {
            "agent": anesthetic.id,
            "concentration_percent": anesthetic.concentration_percent,
            "volume_ml": anesthetic.volume_ml,
        },
        "steroid": None if steroid is None else {"agent": steroid.id, "dose_mg": steroid.dose_mg},
        "baseline_pain": baseline,
        "guidance": "ultrasound" if plan.ultrasound else "fluoroscopy",
        "contrast": {"used": False, "reason_not_used": "contrast allergy: ultrasound guidance"}
        if plan.ultrasound
        else {"used": True, "agent": "iohexol"},
        "sedation": "none",
        "physician": physician.name,
        "observation_end": (at + timedelta(minutes=observation)).isoformat(),
        "discharged_at": (at + timedelta(minutes=observation + 10)).isoformat(),
        "driver_present": True,
    }
    return procedure_from_dict(document, knowledge)


def stored_document(procedure: Procedure) -> dict[str, Any]:
    return procedure_to_dict(procedure)


def reading(
    procedure: Procedure,
    entries: list[tuple[datetime, int]],
    computed_at: datetime,
    knowledge: Knowledge,
) -> Reading:
    """The diary read by the core, as `services.diary.reinterpret` stores it."""
    scores = tuple(PainScore(at, pain) for at, pain in entries)
    computed = diary.reading_of(procedure, scores, knowledge)
    return Reading(
        kind=computed.kind,
        result_json=compact_json(computed.result),
        classification=computed.classification,
        columns=result_columns(computed.result),
        computed_at=computed_at,
    )


def symptom_reports(
    rng: random.Random,
    p: SynthParameters,
    procedure: Procedure,
    stored: dict[str, Any],
    now: datetime,
    knowledge: Knowledge,
) -> list[Report]:
    """The symptom reports after one injection, each triaged by the core."""
    at = procedure.performed_at
    drawn = []
    if rng.random() < p.site_soreness_share:
        drawn.append(SymptomReport(_day(rng, at, p.report_soreness_days), soreness_at_site=True))
    if rng.random() < p.flushing_share:
        drawn.append(SymptomReport(_day(rng, at, p.report_soreness_days), facial_flushing=True))
    if rng.random() < p.pain_flare_report_share:
        hours = uniform(rng, p.flare_hours)
        pain = min(10, procedure.baseline_pain + rng.randint(*p.flare_points))
        drawn.append(
            SymptomReport(at + hours * _HOUR, pain=pain, pain_controlled_by_usual_medicines=True)
        )
    if rng.random() < p.leg_numbness_share:
        reported = at + uniform(rng, p.report_numbness_hours) * _HOUR
        drawn.append(SymptomReport(reported, leg_numbness=LegSymptom(since=at + 0.25 * _HOUR)))
    if rng.random() < p.infection_share:
        drawn.append(
            SymptomReport(
                _day(rng, at, p.report_infection_days),
                temperature_c=round(uniform(rng, p.report_infection_temperature_c), 1),
                site_redness=True,
                site_warmth=True,
            )
        )
    return [
        _triaged(report, procedure, stored, knowledge)
        for report in drawn
        if report.reported_at <= now
    ]


def _day(rng: random.Random, at: datetime, days: tuple[int, int]) -> datetime:
    return at + timedelta(days=rng.randint(*days), hours=rng.uniform(1, 8))


def _triaged(
    report: SymptomReport, procedure: Procedure, stored: dict[str, Any], knowledge: Knowledge
) -> Report:
    result = triage(procedure, report, knowledge)
    return Report(
        reported_at=report.reported_at,
        report=report_to_dict(stored, report),
        disposition=result.disposition.value,
        result=to_jsonable(result),
    )
