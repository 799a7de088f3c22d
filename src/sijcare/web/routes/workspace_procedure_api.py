"""The JSON API of the clinician workspace around the injection (`/api/v1/workspace/...`).

Screening review, consent, the procedure and the diary review: the same use cases as the
workspace pages. The core's results (a diary reading, a comparative reading) are given
whole in the core's own JSON form (`sijcare.formats.jsonout`) beside typed fields.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from sijcare.domain.intake import HoldDecision
from sijcare.domain.procedure import Guidance, Kind, Sedation, Side
from sijcare.formats.intake import intake_to_dict
from sijcare.formats.jsonout import to_jsonable
from sijcare.formats.procedure import procedure_to_dict
from sijcare.services import diary_review, procedures, screening_review
from sijcare.web import limits
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn

router = APIRouter(prefix="/api/v1/workspace", tags=["workspace"])


# -- screening review -------------------------------------------------------------------------


class FindingOut(BaseModel):
    code: str
    about: str
    severity: str
    clinician_rationale: str
    patient_message: str
    source: str
    options: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    open: bool
    reviewed_note: str | None


class ResponseOut(BaseModel):
    id: int
    status: str
    readiness: str
    procedure_time: datetime
    submitted_at: datetime | None
    knowledge_version: str
    open_findings: int
    findings: list[FindingOut]
    answers: dict[str, Any] = Field(description="INTAKE.json")


class ScreeningReviewOut(BaseModel):
    pathway_id: int
    patient_id: str
    response: ResponseOut | None
    history: list[int] = Field(description="Every submitted response, newest first")
    decisions: list[dict[str, Any]]


def _response_out(r: screening_review.ResponseView) -> ResponseOut:
    return ResponseOut(
        id=r.id,
        status=r.status,
        readiness=r.readiness,
        procedure_time=r.procedure_time,
        submitted_at=r.submitted_at,
        knowledge_version=r.knowledge_version,
        open_findings=r.open_findings,
        findings=[
            FindingOut(
                code=f.code,
                about=f.about,
                severity=f.severity,
                clinician_rationale=f.clinician_rationale,
                patient_message=f.patient_message,
                source=f.source,
                options=to_jsonable(f.options),
                actions=to_jsonable(f.actions),
                open=f.open,
                reviewed_note=None if f.review is None else f.review.note,
            )
            for f in r.findings
        ],
        answers=intake_to_dict(r.intake),
    )


@router.get(
    "/pathways/{pathway_id}/screening",
    response_model=ScreeningReviewOut,
    responses=errors(401, 403, 404, 409),
)
def get_screening(pathway_id: int, ctx: SignedIn) -> ScreeningReviewOut:
    review = screening_review.get_review(
        ctx.db, actor=ctx.me, pathway_id=pathway_id, knowledge=ctx.platform.knowledge, now=ctx.now
    )
    return ScreeningReviewOut(
        pathway_id=review.pathway_id,
        patient_id=review.patient_public_id,
        response=None if review.response is None else _response_out(review.response),
        history=[h.id for h in review.history],
        decisions=[
            {
                "id": d.id,
                "about": d.about,
                "decided_at": d.decided_at.isoformat(),
                "decided_by": d.decided_by,
                **d.detail,
            }
            for d in review.decisions
        ],
    )


class DecisionIn(BaseModel):
    response_id: int = Field(description="The newest screening response (refused otherwise)")
    medicine: str = Field(max_length=200, description="The medicine as listed, or its name")
    decision: HoldDecision
    confirmed_with_prescriber: bool
    prescriber: str = Field("", max_length=200)
    confirmed_on: date | None = None
    regimen: str | None = Field(None, max_length=200)
    note: str = Field("", max_length=1000)
    idempotency_key: str | None = Field(None, max_length=64)


class ReviewIn(BaseModel):
    response_id: int
    code: str = Field(max_length=80, description="The finding's code")
    about: str = Field(max_length=200, description="What the finding is about")
    note: str = Field(max_length=1000)
    idempotency_key: str | None = Field(None, max_length=64)


class OutcomeOut(BaseModel):
    decision_id: int
    response_id: int = Field(description="The newest screening response after the decision")
    readiness: str
    repeated: bool


@router.post(
    "/pathways/{pathway_id}/screening/decisions",
    response_model=OutcomeOut,
    status_code=201,
    responses=errors(401, 403, 404, 409, 422),
)
def decide(pathway_id: int, body: DecisionIn, ctx: SignedIn) -> OutcomeOut:
    """Hold or continue a listed medicine; the answers are screened again with it."""
    outcome = screening_review.decide_medicine(
        ctx.db,
        actor=ctx.me,
        pathway_id=pathway_id,
        decision=screening_review.MedicineDecision(**body.model_dump()),
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    return OutcomeOut(**vars(outcome))


@router.post(
    "/pathways/{pathway_id}/screening/reviews",
    response_model=OutcomeOut,
    status_code=201,
    responses=errors(401, 403, 404, 409, 422),
)
def review(pathway_id: int, body: ReviewIn, ctx: SignedIn) -> OutcomeOut:
    """Mark a finding of the newest screening reviewed, with a note."""
    outcome = screening_review.mark_reviewed(
        ctx.db, actor=ctx.me, pathway_id=pathway_id, now=ctx.now, **body.model_dump()
    )
    return OutcomeOut(**vars(outcome))


# -- consent and the procedure ----------------------------------------------------------------


class ConsentOut(BaseModel):
    pathway_id: int
    state: procedures.ConsentState
    consent_id: int | None
    agreed_at: datetime | None
    witnessed_at: datetime | None
    witnessed_by: str
    unconfirmed: list[str] = Field(description="The consent questions not confirmed")
    plan: dict[str, Any] | None = Field(description="The current plan (the core's)")
    language: str | None = Field(
        description="The language of the consent answers the patient read when agreeing "
        "(en, es); null when not agreed yet, or agreed before the language was recorded"
    )

    @classmethod
    def of(cls, pathway_id: int, s: procedures.ConsentStatus) -> ConsentOut:
        return cls(
            pathway_id=pathway_id,
            state=s.state,
            consent_id=s.record_id,
            agreed_at=s.agreed_at,
            witnessed_at=s.witnessed_at,
            witnessed_by=s.witnessed_by,
            unconfirmed=list(s.unconfirmed),
            plan=None if s.plan is None else to_jsonable(s.plan),
            language=s.language,
        )


class WitnessIn(BaseModel):
    consent_id: int


@router.get(
    "/pathways/{pathway_id}/consent", response_model=ConsentOut, responses=errors(401, 403, 404)
)
def get_consent(pathway_id: int, ctx: SignedIn) -> ConsentOut:
    found = procedures.get_consent(
        ctx.db, actor=ctx.me, pathway_id=pathway_id, knowledge=ctx.platform.knowledge, now=ctx.now
    )
    return ConsentOut.of(found.pathway_id, found.consent)


@router.post(
    "/pathways/{pathway_id}/consent/witness",
    response_model=ConsentOut,
    responses=errors(401, 403, 404, 409, 422),
)
def witness(pathway_id: int, body: WitnessIn, ctx: SignedIn) -> ConsentOut:
    """Witness the patient's agreement (refused unless the core finds consent complete)."""
    status = procedures.witness_consent(
        ctx.db,
        actor=ctx.me,
        pathway_id=pathway_id,
        consent_id=body.consent_id,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    return ConsentOut.of(pathway_id, status)


class AnestheticIn(BaseModel):
    agent: str = Field(max_length=60)
    # Up to the highest value a clinic may configure; the core checks the clinic's own
    # bound, and that an amount is above 0 (with its own message).
    concentration_percent: float = Field(ge=0, le=limits.ANESTHETIC_CONCENTRATION_MAX_PERCENT)
    volume_ml: float = Field(ge=0, le=limits.ANESTHETIC_VOLUME_MAX_ML)


class SteroidIn(BaseModel):
    agent: str = Field(max_length=60)
    dose_mg: float = Field(ge=0, le=limits.STEROID_DOSE_MAX_MG)


class ContrastIn(BaseModel):
    used: bool
    agent: str | None = Field(None, max_length=200)
    reason_not_used: str | None = Field(None, max_length=200)


class ProcedureIn(BaseModel):
    """PROCEDURE.json, with an optional idempotency key."""

    performed_at: AwareDatetime
    kind: Kind
    side: Side
    anesthetic: AnestheticIn
    steroid: SteroidIn | None = None
    baseline_pain: int = Field(ge=limits.PAIN_MIN, le=limits.PAIN_MAX)
    guidance: Guidance = Guidance.FLUOROSCOPY
    contrast: ContrastIn | None = None
    sedation: Sedation = Sedation.NONE
    physician: str | None = Field(None, max_length=200)
    observation_end: AwareDatetime | None = None
    discharged_at: AwareDatetime | None = None
    driver_present: bool | None = None
    idempotency_key: str | None = Field(None, max_length=64)


class ProcedureOut(BaseModel):
    id: int
    pathway_id: int
    patient_id: str
    documented_at: datetime
    documented_by: str
    consent_id: int | None
    procedure: dict[str, Any] = Field(description="PROCEDURE.json")

    @classmethod
    def of(cls, view: procedures.ProcedureView) -> ProcedureOut:
        return cls(
            id=view.id,
            pathway_id=view.pathway_id,
            patient_id=view.patient_public_id,
            documented_at=view.documented_at,
            documented_by=view.documented_by,
            consent_id=view.consent_record_id,
            procedure=procedure_to_dict(view.procedure),
        )


@router.post(
    "/pathways/{pathway_id}/procedure",
    response_model=ProcedureOut,
    status_code=201,
    responses=errors(401, 403, 404, 409, 422),
)
def document(pathway_id: int, body: ProcedureIn, ctx: SignedIn) -> ProcedureOut:
    """Document the injection; refused (409) unless consent is complete for the plan."""
    return ProcedureOut.of(
        procedures.document_procedure(
            ctx.db,
            actor=ctx.me,
            pathway_id=pathway_id,
            document=body.model_dump(mode="json", exclude={"idempotency_key"}),
            knowledge=ctx.platform.knowledge,
            now=ctx.now,
            idempotency_key=body.idempotency_key,
        )
    )


@router.get(
    "/procedures/{procedure_id}", response_model=ProcedureOut, responses=errors(401, 403, 404)
)
def get_procedure(procedure_id: int, ctx: SignedIn) -> ProcedureOut:
    return ProcedureOut.of(
        procedures.get_procedure(
            ctx.db,
            actor=ctx.me,
            procedure_id=procedure_id,
            knowledge=ctx.platform.knowledge,
            now=ctx.now,
        )
    )


# -- diary review -----------------------------------------------------------------------------


class SignOffOut(BaseModel):
    interpretation_id: int
    computed_at: datetime
    classification: str
    knowledge_version: str
    signed_off_at: datetime | None
    signed_off_by: str


class EntryOut(BaseModel):
    id: int
    recorded_at: datetime
    pain: int
    relief_percent: float | None
    note: str
    activity_done: bool | None


class DiaryReviewOut(BaseModel):
    procedure_id: int
    patient_id: str
    entries: list[EntryOut]
    reading: dict[str, Any] | None = Field(
        description="The core's diagnostic or therapeutic reading"
    )
    reading_problem: str
    current: SignOffOut | None = Field(
        description="The newest stored reading: what a sign-off signs"
    )
    earlier: list[SignOffOut]
    comparison: dict[str, Any] | None = Field(description="The core's comparative reading")


class SignOffIn(BaseModel):
    interpretation_id: int


@router.get(
    "/procedures/{procedure_id}/diary-review",
    response_model=DiaryReviewOut,
    responses=errors(401, 403, 404),
)
def get_diary_review(procedure_id: int, ctx: SignedIn) -> DiaryReviewOut:
    r = diary_review.get_review(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    cmp = r.comparison
    return DiaryReviewOut(
        procedure_id=r.procedure_id,
        patient_id=r.patient_public_id,
        entries=[EntryOut(**vars(e)) for e in r.entries],
        reading=None if r.reading is None else to_jsonable(r.reading),
        reading_problem=r.reading_problem,
        current=None if r.current is None else SignOffOut(**vars(r.current)),
        earlier=[SignOffOut(**vars(s)) for s in r.earlier],
        comparison=None
        if cmp is None
        else {
            "other_procedure_id": cmp.other_procedure_id,
            "result": None if cmp.result is None else to_jsonable(cmp.result),
            "problem": cmp.problem,
        },
    )


@router.post(
    "/procedures/{procedure_id}/sign-off",
    response_model=SignOffOut,
    responses=errors(401, 403, 404, 409),
)
def sign_off(procedure_id: int, body: SignOffIn, ctx: SignedIn) -> SignOffOut:
    """Sign off the newest stored reading (refused when it is no longer current)."""
    return SignOffOut(
        **vars(
            diary_review.sign_off(
                ctx.db,
                actor=ctx.me,
                procedure_id=procedure_id,
                interpretation_id=body.interpretation_id,
                knowledge=ctx.platform.knowledge,
                now=ctx.now,
            )
        )
    )
