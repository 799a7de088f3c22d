"""Informed consent for a planned SI joint injection.

Before agreeing, the patient should have an answer to each of twelve questions (the
name of the procedure, why, the results and what they mean, risks and benefits, side
effects, when and where, who does it, what happens without it, the alternatives, when
and how results come, who to call, and the cost). `answer_questions` answers each one
for this patient's plan, in plain words: each sentence is in `domain.consent_words`,
kept as `Words` beside its English for a page in the reader's language (ADR 0007); the
doctor's training and the clinic's notes on cost and results come from the consent
context, as written. A `ConsentRecord` keeps which questions the patient confirmed they
understood and when, the signed and witnessed agreement, and the version of the plan it
was answered for. Consent is complete only when every question was confirmed no later
than the signature, and the plan has not changed since: a new side, steroid, time or
doctor means the questions are answered again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from sijcare.domain import consent_words as cw
from sijcare.domain.contact import clinic_local_time, help_line_clocks
from sijcare.domain.education import alternative_words, onset_words, risk_figures, risk_words
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge, Provenance
from sijcare.domain.procedure import Kind, PlannedProcedure
from sijcare.domain.words import PAGES_ONLY, Words, clock_of, day_of


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


# The questions as the patient reads them (`consent_words`), and their English.
QUESTION_WORDS = {q: cw.QUESTIONS[q.value] for q in Question}
QUESTION_TEXT = {q: str(said) for q, said in QUESTION_WORDS.items()}

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


# An answer's paragraphs, kept as `Words`.
Paragraphs = tuple[Words, ...]


@dataclass(frozen=True)
class Answer:
    """A question and its answer, in English (`text`, `answer`: the CLI's, the API's, the
    stored record's) and as `Words` for a page in the reader's language."""

    question: Question
    text: str  # the question as the patient reads it
    answer: tuple[str, ...]  # short paragraphs
    text_words: Words = field(compare=False, repr=False, metadata=PAGES_ONLY)
    answer_words: Paragraphs = field(compare=False, repr=False, metadata=PAGES_ONLY)


@dataclass(frozen=True)
class AnsweredQuestions:
    plan_version: str
    answers: tuple[Answer, ...]
    provenance: Provenance

    @property
    def sentences(self) -> tuple[Words, ...]:
        """Every question and every paragraph of its answer, as `Words`."""
        return tuple(said for a in self.answers for said in (a.text_words, *a.answer_words))


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
        Question.WHO: _who(physician, context),
        Question.WITHOUT_IT: _without_it(plan),
        Question.ALTERNATIVES: (cw.INSTEAD, *alternative_words()),
        Question.GETTING_RESULTS: _getting_results(plan, context, knowledge),
        Question.WHO_TO_CALL: _who_to_call(knowledge),
        Question.COST: (Words(context.cost_note),),
    }
    inputs = {"plan_version": plan_version(plan), "kind": plan.kind.value, "side": plan.side.value}
    return AnsweredQuestions(
        plan_version=plan_version(plan),
        answers=tuple(_answer(q, answers[q]) for q in Question),
        provenance=knowledge.provenance(CONSENT_RULES, inputs),
    )


def _answer(question: Question, paragraphs: Paragraphs) -> Answer:
    said = QUESTION_WORDS[question]
    return Answer(
        question,
        str(said),
        tuple(str(paragraph) for paragraph in paragraphs),
        said,
        paragraphs,
    )


def _known(value: str | None, where: str) -> str:
    if value is None or not value.strip():
        raise InputError(where, "must be known before consent (in the plan or the consent context)")
    return value.strip()


def _medicines(plan: PlannedProcedure) -> Words:
    if plan.steroid_agent is None:
        return cw.ONE_MEDICINE.filled(anesthetic=plan.anesthetic_agent)
    return cw.TWO_MEDICINES.filled(anesthetic=plan.anesthetic_agent, steroid=plan.steroid_agent)


def _name(plan: PlannedProcedure) -> Paragraphs:
    kind = cw.NAME_DIAGNOSTIC if plan.kind is Kind.DIAGNOSTIC else cw.NAME_THERAPEUTIC
    return (
        kind.filled(side=cw.SIDES[plan.side.value]),
        cw.HOW.filled(
            medicines=_medicines(plan),
            guidance=cw.GUIDANCE[plan.guidance.value],
            dye=cw.DYE if plan.contrast_planned else cw.NO_DYE,
        ),
    )


def _reason(plan: PlannedProcedure) -> Paragraphs:
    if plan.kind is Kind.DIAGNOSTIC:
        return (cw.REASON_DIAGNOSTIC,)
    return (cw.REASON_THERAPEUTIC,)


def _results(plan: PlannedProcedure, hours: float, knowledge: Knowledge) -> Paragraphs:
    if plan.kind is Kind.DIAGNOSTIC:
        percent = knowledge.integer("diagnostic.positive_threshold_percent")
        return (
            cw.DIARY_WINDOW.filled(hours=hours, anesthetic=plan.anesthetic_agent),
            cw.POSITIVE_TEST.filled(percent=percent),
        )
    return (cw.NUMBING_FIRST, cw.STEROID_ONSET.filled(days=onset_words(knowledge)))


def _risks_and_benefits(plan: PlannedProcedure, knowledge: Knowledge) -> Paragraphs:
    if plan.kind is Kind.DIAGNOSTIC:
        benefit = cw.BENEFIT_DIAGNOSTIC
    else:
        weeks = knowledge.integer("education.steroid_relief_weeks")
        benefit = cw.BENEFIT_THERAPEUTIC.filled(weeks=weeks)
    risks = tuple(risk_words(r) for r in risk_figures(knowledge))
    return (benefit, cw.RISKS, *risks)


def _side_effects(plan: PlannedProcedure, hours: float, knowledge: Knowledge) -> Paragraphs:
    common = (cw.SORENESS, cw.PAIN_BACK, cw.LEG.filled(hours=hours))
    if plan.steroid_agent is None:
        return common
    flushing = knowledge.number("triage.flushing_expected_days")
    sugar = knowledge.number("diabetes.check_more_often_days")
    return (
        *common,
        cw.FLUSHING.filled(days=flushing),
        cw.SUGAR.filled(days=sugar),
        cw.FLARE,
    )


def _when_and_where(plan: PlannedProcedure, location: str, knowledge: Knowledge) -> Paragraphs:
    local = clinic_local_time(plan.scheduled_at, knowledge)
    minutes = knowledge.integer("education.observation_minutes")
    return (
        cw.WHEN_AND_WHERE.filled(day=day_of(local), time=clock_of(local), location=location),
        cw.AFTER.filled(minutes=minutes),
    )


def _who(physician: str, context: ConsentContext) -> Paragraphs:
    return (cw.WHO.filled(physician=physician, qualifications=context.physician_qualifications),)


def _without_it(plan: PlannedProcedure) -> Paragraphs:
    lost = cw.LOST_DIAGNOSTIC if plan.kind is Kind.DIAGNOSTIC else cw.LOST_THERAPEUTIC
    return (cw.WITHOUT_IT, lost)


def _getting_results(
    plan: PlannedProcedure, context: ConsentContext, knowledge: Knowledge
) -> Paragraphs:
    if plan.kind is Kind.DIAGNOSTIC:
        when = cw.DIARY_ANSWERS
    else:
        first, second, third = (
            int(knowledge.numbers(f"therapeutic.milestone_{m}_days")[1]) for m in ("2w", "6w", "3m")
        )
        when = cw.MILESTONES.filled(first=first, second=second, third=third)
    return (when, Words(context.results_how))


def _who_to_call(knowledge: Knowledge) -> Paragraphs:
    opens, closes = help_line_clocks(knowledge)
    return (
        cw.HELP_LINE.filled(
            phone=knowledge.text("clinic.help_line_phone"),
            opens=clock_of(opens),
            closes=clock_of(closes),
        ),
        cw.OTHER_TIMES.filled(
            after_hours=knowledge.text("clinic.after_hours_phone"),
            emergency=knowledge.text("clinic.emergency_phone"),
        ),
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
