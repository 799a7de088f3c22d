"""Informed consent for a planned SI joint injection.

Before agreeing, the patient should have an answer to each of twelve questions (the
name of the procedure, why, the results and what they mean, risks and benefits, side
effects, when and where, who does it, what happens without it, the alternatives, when
and how results come, who to call, and the cost). `answer_questions` answers each one
for this patient's plan, in plain words. A `ConsentRecord` keeps which questions the
patient confirmed they understood and when, the signed and witnessed agreement, and the
version of the plan it was answered for. Consent is complete only when every question
was confirmed no later than the signature, and the plan has not changed since: a new
side, steroid, time or doctor means the questions are answered again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sijcare.domain.contact import clinic_local_time, clock_text, day_text, help_line_hours
from sijcare.domain.education import alternatives, onset_days, risk_figures
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge, Provenance
from sijcare.domain.procedure import Guidance, Kind, PlannedProcedure, Side


class Question(StrEnum):
    NAME = "name"
    REASON = "reason"
    RESULTS = "results"
    RISKS_AND_BENEFITS = "risks_and_benefits"
    SIDE_EFFECTS = "side_effects"
    WHEN_AND_WHERE = "when_and_where"
    WHO = "who"
    WITHOUT_IT = "without_it"
    ALTERNATIVES = "alternatives"
    GETTING_RESULTS = "getting_results"
    WHO_TO_CALL = "who_to_call"
    COST = "cost"


QUESTION_TEXT = {
    Question.NAME: "What is the procedure called?",
    Question.REASON: "Why are you having it?",
    Question.RESULTS: "What results can you expect, and what do they mean?",
    Question.RISKS_AND_BENEFITS: "What are the risks and the benefits?",
    Question.SIDE_EFFECTS: "What side effects or problems could happen?",
    Question.WHEN_AND_WHERE: "When and where will it be done?",
    Question.WHO: "Who will do it, and what training do they have?",
    Question.WITHOUT_IT: "What would happen if you did not have it?",
    Question.ALTERNATIVES: "What other choices do you have?",
    Question.GETTING_RESULTS: "When and how will you get the results?",
    Question.WHO_TO_CALL: "Who do you call with questions or problems?",
    Question.COST: "How much will you have to pay?",
}

CONSENT_RULES = (
    "education.steroid_onset_days",
    "education.steroid_relief_weeks",
    "education.observation_minutes",
    "diagnostic.positive_threshold_percent",
    "therapeutic.milestone_2w_days",
    "therapeutic.milestone_6w_days",
    "therapeutic.milestone_3m_days",
    "triage.flushing_expected_days",
    "diabetes.check_more_often_days",
    "clinic.time_zone",
    "clinic.help_line_opens",
    "clinic.help_line_closes",
    "clinic.help_line_phone",
    "clinic.after_hours_phone",
    "clinic.emergency_phone",
)


@dataclass(frozen=True)
class ConsentContext:
    """What the plan itself does not say: the doctor's training, the cost, how results come.

    `physician_name` and `location` are used when the plan has none.
    """

    physician_qualifications: str
    cost_note: str
    results_how: str
    physician_name: str | None = None
    location: str | None = None

    def __post_init__(self) -> None:
        for name in ("physician_qualifications", "cost_note", "results_how"):
            if not getattr(self, name).strip():
                raise InputError(name, "is required to answer the consent questions")


@dataclass(frozen=True)
class Answer:
    question: Question
    text: str  # the question as the patient reads it
    answer: tuple[str, ...]  # short paragraphs


@dataclass(frozen=True)
class AnsweredQuestions:
    plan_version: str
    answers: tuple[Answer, ...]
    provenance: Provenance


def plan_version(plan: PlannedProcedure) -> str:
    """A fingerprint of every field of `plan`: any change gives a new version."""
    fields = {
        "scheduled_at": plan.scheduled_at.astimezone(UTC).isoformat(),
        "kind": plan.kind.value,
        "side": plan.side.value,
        "anesthetic_agent": plan.anesthetic_agent.strip().casefold(),
        "steroid_agent": (plan.steroid_agent or "").strip().casefold(),
        "guidance": plan.guidance.value,
        "contrast_planned": plan.contrast_planned,
        "sedation": plan.sedation.value,
        "physician": (plan.physician or "").strip(),
        "location": (plan.location or "").strip(),
    }
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()[:16]


def answer_questions(
    plan: PlannedProcedure, context: ConsentContext, knowledge: Knowledge
) -> AnsweredQuestions:
    """Each consent question answered for `plan`, in plain words.

    The plan's agents must be in the knowledge base; the doctor and the place must be
    known (from the plan or the context), else `InputError` names the missing field.
    """
    window = knowledge.row("anesthetics", plan.anesthetic_agent, where="anesthetic_agent")
    if plan.steroid_agent is not None:
        knowledge.row("steroids", plan.steroid_agent, where="steroid_agent")
    physician = _known(plan.physician or context.physician_name, "physician")
    location = _known(plan.location or context.location, "location")
    hours = float(window["window_hours"])
    answers = {
        Question.NAME: _name(plan),
        Question.REASON: _reason(plan),
        Question.RESULTS: _results(plan, hours, knowledge),
        Question.RISKS_AND_BENEFITS: _risks_and_benefits(plan, knowledge),
        Question.SIDE_EFFECTS: _side_effects(plan, hours, knowledge),
        Question.WHEN_AND_WHERE: _when_and_where(plan, location, knowledge),
        Question.WHO: (f"{physician} will do the injection. {context.physician_qualifications}",),
        Question.WITHOUT_IT: _without_it(plan),
        Question.ALTERNATIVES: ("You can choose any of these instead:", *alternatives()),
        Question.GETTING_RESULTS: _getting_results(plan, context, knowledge),
        Question.WHO_TO_CALL: _who_to_call(knowledge),
        Question.COST: (context.cost_note,),
    }
    inputs = {"plan_version": plan_version(plan), "kind": plan.kind.value, "side": plan.side.value}
    return AnsweredQuestions(
        plan_version=plan_version(plan),
        answers=tuple(Answer(q, QUESTION_TEXT[q], answers[q]) for q in Question),
        provenance=knowledge.provenance(CONSENT_RULES, inputs),
    )


def _known(value: str | None, where: str) -> str:
    if value is None or not value.strip():
        raise InputError(where, "must be known before consent (in the plan or the consent context)")
    return value.strip()


def _medicines(plan: PlannedProcedure) -> str:
    numbing = f"{plan.anesthetic_agent} (a numbing medicine)"
    if plan.steroid_agent is None:
        return f"The medicine is {numbing}."
    return f"The medicines are {numbing} and {plan.steroid_agent} (a steroid)."


_SIDE_WORDS = {
    Side.LEFT: "on your left side",
    Side.RIGHT: "on your right side",
    Side.BILATERAL: "on both sides",
}
_GUIDE_WORDS = {
    Guidance.FLUOROSCOPY: "X-rays guide the needle.",
    Guidance.CT: "A CT scanner guides the needle.",
    Guidance.ULTRASOUND: "Ultrasound guides the needle.",
}


def _name(plan: PlannedProcedure) -> tuple[str, ...]:
    kind = "test (diagnostic)" if plan.kind is Kind.DIAGNOSTIC else "treatment (therapeutic)"
    dye = (
        "A little dye shows that the needle is in the joint."
        if plan.contrast_planned
        else "No dye will be used."
    )
    return (
        f"A {kind} SI joint injection, {_SIDE_WORDS[plan.side]}.",
        f"{_medicines(plan)} {_GUIDE_WORDS[plan.guidance]} {dye}",
    )


def _reason(plan: PlannedProcedure) -> tuple[str, ...]:
    if plan.kind is Kind.DIAGNOSTIC:
        return (
            "To find out if your pain comes from this joint. If the numbing medicine eases "
            "your pain for a few hours, the joint is likely the cause.",
        )
    return ("To ease pain that comes from this joint. The steroid calms swelling in the joint.",)


def _results(plan: PlannedProcedure, hours: float, knowledge: Knowledge) -> tuple[str, ...]:
    if plan.kind is Kind.DIAGNOSTIC:
        percent = knowledge.integer("diagnostic.positive_threshold_percent")
        return (
            f"You rate your pain in a diary for the next {hours:g} hours. That is how long "
            f"{plan.anesthetic_agent} works.",
            f"If your pain drops by {percent}% or more, the test is positive. That means the "
            "joint is likely the source of your pain. If it does not, the pain may come "
            "from somewhere else.",
        )
    return (
        "The numbing medicine may ease your pain for a few hours. Then the pain may come back.",
        f"The steroid often starts to work in {onset_days(knowledge)}. Your pain diary shows "
        "how much it helps and for how long.",
    )


def _risks_and_benefits(plan: PlannedProcedure, knowledge: Knowledge) -> tuple[str, ...]:
    if plan.kind is Kind.DIAGNOSTIC:
        benefit = "The benefit: it can show if this joint causes your pain."
    else:
        weeks = knowledge.integer("education.steroid_relief_weeks")
        benefit = f"The benefit: it can ease your pain, often for {weeks} weeks or more."
    risks = tuple(f"{r.label}: {r.in_words}." for r in risk_figures(knowledge))
    return (benefit, "It does not help everyone. The risks, and how often they happen:", *risks)


def _side_effects(plan: PlannedProcedure, hours: float, knowledge: Knowledge) -> tuple[str, ...]:
    common = (
        "Soreness where the needle went in.",
        "Your usual pain may come back as the numbing medicine wears off.",
        f"Your leg may feel numb or weak for up to {hours:g} hours. Do not walk alone or drive.",
    )
    if plan.steroid_agent is None:
        return common
    flushing = knowledge.number("triage.flushing_expected_days")
    sugar = knowledge.number("diabetes.check_more_often_days")
    return (
        *common,
        f"Your face may be red and warm for up to {flushing:g} days.",
        f"Your blood sugar may go up for about {sugar:g} days. If you have diabetes, check it "
        "more often.",
        "Your pain may flare up for a few days before the steroid starts to work.",
    )


def _when_and_where(plan: PlannedProcedure, location: str, knowledge: Knowledge) -> tuple[str, ...]:
    local = clinic_local_time(plan.scheduled_at, knowledge)
    minutes = knowledge.integer("education.observation_minutes")
    return (
        f"On {day_text(local)}, at {clock_text(local)}, at {location}.",
        f"After the injection, we watch you for about {minutes} minutes. Someone must drive "
        "you home.",
    )


def _without_it(plan: PlannedProcedure) -> tuple[str, ...]:
    if plan.kind is Kind.DIAGNOSTIC:
        lost = "Your doctor would know less about where your pain comes from."
    else:
        lost = "You would not get the relief the steroid may give."
    return (
        "Your pain would likely go on as it is now. You can choose this or another "
        "treatment later.",
        lost,
    )


def _getting_results(
    plan: PlannedProcedure, context: ConsentContext, knowledge: Knowledge
) -> tuple[str, ...]:
    if plan.kind is Kind.DIAGNOSTIC:
        when = "Your diary from the first hours after the injection gives the answer."
    else:
        days = [
            int(knowledge.numbers(f"therapeutic.milestone_{m}_days")[1]) for m in ("2w", "6w", "3m")
        ]
        when = (
            f"We look at your pain diary about {days[0]}, {days[1]} and {days[2]} days after "
            "the injection."
        )
    return (when, context.results_how)


def _who_to_call(knowledge: Knowledge) -> tuple[str, ...]:
    return (
        f"Call the clinic help line at {knowledge.text('clinic.help_line_phone')}. It is open "
        f"every day from {help_line_hours(knowledge)}.",
        f"At other times, call {knowledge.text('clinic.after_hours_phone')} for the doctor on "
        f"call. In an emergency, call {knowledge.text('clinic.emergency_phone')}.",
    )


@dataclass(frozen=True)
class Confirmation:
    """The patient confirmed they understood the answer to `question`, at `confirmed_at`."""

    question: Question
    confirmed_at: datetime

    def __post_init__(self) -> None:
        if self.confirmed_at.utcoffset() is None:
            raise InputError("confirmed_at", "needs a UTC offset")


@dataclass(frozen=True)
class Agreement:
    """The signed agreement to the injection, and who witnessed it."""

    signed_by: str
    signed_at: datetime
    witnessed_by: str

    def __post_init__(self) -> None:
        if not self.signed_by.strip():
            raise InputError("agreement.signed_by", "is required")
        if not self.witnessed_by.strip():
            raise InputError("agreement.witnessed_by", "is required")
        if self.witnessed_by.strip().casefold() == self.signed_by.strip().casefold():
            raise InputError("agreement.witnessed_by", "the witness cannot be the person signing")
        if self.signed_at.utcoffset() is None:
            raise InputError("agreement.signed_at", "needs a UTC offset")


@dataclass(frozen=True)
class ConsentRecord:
    """What the patient confirmed, their agreement, and the plan version it was for."""

    plan_version: str
    confirmations: tuple[Confirmation, ...]
    agreement: Agreement | None = None

    def __post_init__(self) -> None:
        if not self.plan_version.strip():
            raise InputError("plan_version", "is required")


class ConsentIncomplete(InputError):
    """Consent is not complete: the plan changed, or questions or the agreement are missing."""

    def __init__(self, missing: tuple[Question, ...], *, plan_changed: bool, agreed: bool) -> None:
        parts = []
        if plan_changed:
            parts.append("the plan changed after consent, so every question must be answered again")
        if missing and not plan_changed:
            parts.append("not confirmed: " + ", ".join(q.value for q in missing))
        if not agreed:
            parts.append("no signed, witnessed agreement")
        super().__init__("consent", "; ".join(parts))
        self.missing = missing
        self.plan_changed = plan_changed


def unconfirmed(record: ConsentRecord, plan: PlannedProcedure) -> tuple[Question, ...]:
    """The questions not yet confirmed for this plan version, no later than the signature.

    With a changed plan every question counts as unconfirmed.
    """
    if record.plan_version != plan_version(plan):
        return tuple(Question)
    signed = record.agreement.signed_at if record.agreement else None
    done = {c.question for c in record.confirmations if signed is None or c.confirmed_at <= signed}
    return tuple(q for q in Question if q not in done)


def is_complete(record: ConsentRecord, plan: PlannedProcedure) -> bool:
    """Whether every question was confirmed for this plan and the agreement is signed."""
    return record.agreement is not None and not unconfirmed(record, plan)


def require_complete_consent(record: ConsentRecord | None, plan: PlannedProcedure) -> None:
    """Raise `ConsentIncomplete` unless consent to `plan` is complete (none at all included).

    Documenting the procedure as done calls this first.
    """
    if record is None:
        raise ConsentIncomplete(tuple(Question), plan_changed=False, agreed=False)
    if not is_complete(record, plan):
        raise ConsentIncomplete(
            unconfirmed(record, plan),
            plan_changed=record.plan_version != plan_version(plan),
            agreed=record.agreement is not None,
        )
