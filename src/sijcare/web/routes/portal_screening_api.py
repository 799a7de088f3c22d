"""The screening API: the patient's answers and result, and the clinic's planned injection.

Answers follow INTAKE.json (`sijcare.formats.intake`) without `procedure` and
`clinician_decisions`; field errors name INTAKE.json paths (`medicines[2].name`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from sijcare.domain.errors import InputError
from sijcare.domain.intake import AllergyKind, ProcedurePlan, ReactionTo
from sijcare.domain.procedure import Guidance, Kind, Sedation, Side
from sijcare.services import screening, screening_pages
from sijcare.services.errors import Invalid, msg
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.limits import TEMPERATURE_C_MIN, TEMPERATURE_F_MAX
from sijcare.web.routes.portal_screening import MAX_ROWS

router = APIRouter(tags=["portal", "screening"])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DiabetesIn(_Strict):
    has: bool
    uses_insulin: bool | None = None


class FeverIn(_Strict):
    # Either unit: a physical bound; the core checks `triage.temperature_c_accepted`.
    max_temperature: float = Field(
        ge=TEMPERATURE_C_MIN,
        le=TEMPERATURE_F_MAX,
        description="The highest temperature measured",
    )
    unit: Literal["C", "F"]
    on: date = Field(description="The day it was measured")


class IllnessIn(_Strict):
    description: str = Field(max_length=500)
    last_symptoms_on: date | None = Field(None, description="None: still ill")


class MedicineIn(_Strict):
    name: str = Field(max_length=200)
    dose: str | None = Field(None, max_length=200)
    frequency: str | None = Field(None, max_length=200)


class AllergyIn(_Strict):
    substance: str = Field(max_length=200)
    kind: AllergyKind
    reaction: str | None = Field(None, max_length=500)


class PastReactionIn(_Strict):
    to: ReactionTo
    description: str = Field(max_length=500)


class DriverIn(_Strict):
    name: str = Field(max_length=200)
    phone: str = Field(max_length=40)
    relationship: str = Field("", max_length=80)


class AnswersIn(_Strict):
    """The patient's screening answers; `driver` is required when `driver_arranged`."""

    current_infection: bool
    immunocompromised: bool
    possibly_pregnant: bool
    diabetes: DiabetesIn
    driver_arranged: bool
    kidney_function_impaired: bool | None = None
    fever_recent: FeverIn | None = None
    recent_illness: IllnessIn | None = None
    # As many rows as the screening form can send.
    medicines: list[MedicineIn] = Field([], max_length=MAX_ROWS)
    allergies: list[AllergyIn] = Field([], max_length=MAX_ROWS)
    past_reactions: list[PastReactionIn] = Field([], max_length=MAX_ROWS)
    driver: DriverIn | None = None


class FindingOut(BaseModel):
    code: str
    severity: str = Field(description="info | action | review | stop")
    message: str = Field(description="What the patient reads")


class StepOut(BaseModel):
    at: datetime
    what: str
    code: str


class ItemOut(BaseModel):
    code: str
    text: str
    at: datetime | None


class SectionOut(BaseModel):
    code: str
    title: str
    items: list[ItemOut]


class ScreeningOut(BaseModel):
    pathway_id: int
    stage: str = Field(description="not_planned | not_booked | to_answer | answered")
    response_id: int | None
    submitted_at: datetime | None
    readiness: str = Field(description="ready | ready_with_actions | needs_review | postpone")
    screened_for: datetime | None = Field(description="The procedure time of the result")
    time_changed: bool = Field(description="The booking moved since: answer again")
    findings: list[FindingOut]
    steps: list[StepOut] = Field(description="Dated steps from the result, in time order")
    preparation: list[SectionOut] = Field(description="How to get ready (English)")

    @classmethod
    def of(cls, page: screening_pages.ScreeningPage) -> ScreeningOut:
        response = page.response
        return cls(
            pathway_id=page.pathway.id,
            stage=page.stage.value,
            response_id=None if response is None else response.id,
            submitted_at=None if response is None else response.submitted_at,
            readiness=page.readiness,
            screened_for=page.screened_for,
            time_changed=page.time_changed,
            findings=[
                FindingOut(code=f.code, severity=f.severity, message=f.text) for f in page.findings
            ],
            steps=[StepOut(at=s.at, what=s.what, code=s.code) for s in page.steps],
            preparation=[]
            if page.preparation is None
            else [
                SectionOut(
                    code=s.code,
                    title=s.title,
                    items=[ItemOut(code=i.code, text=i.text, at=i.at) for i in s.items],
                )
                for s in page.preparation.sections
            ],
        )


@router.get(
    "/api/v1/portal/pathways/{pathway_id}/screening",
    response_model=ScreeningOut,
    responses=errors(401, 403, 404),
)
def get_screening(pathway_id: int, ctx: SignedIn) -> ScreeningOut:
    """The screening's stage, the newest result (patient sentences) and how to get ready."""
    page = screening_pages.view_screening(
        ctx.db,
        actor=ctx.me,
        pathway_id=pathway_id,
        knowledge=ctx.platform.knowledge,
        zone=ctx.zone,
        now=ctx.now,
    )
    return ScreeningOut.of(page)


@router.post(
    "/api/v1/portal/pathways/{pathway_id}/screening",
    response_model=ScreeningOut,
    status_code=201,
    responses=errors(401, 403, 404, 409, 422),
)
def post_screening(pathway_id: int, body: AnswersIn, ctx: SignedIn) -> ScreeningOut:
    """Send the patient's answers (the patient only); the core screens them at once."""
    answers = body.model_dump(mode="json", exclude={"driver"})
    driver = body.driver
    screening.submit(
        ctx.db,
        actor=ctx.me,
        pathway_id=pathway_id,
        answers=answers,
        driver=None
        if driver is None
        else screening.DriverDetails(driver.name, driver.phone, driver.relationship),
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    return get_screening(pathway_id, ctx)


class PlanIn(_Strict):
    """The planned injection (INTAKE.json `procedure`): the clinic's decision."""

    kind: Kind
    side: Side
    anesthetic_agent: str = Field(max_length=200)
    steroid_agent: str | None = Field(None, max_length=200)
    guidance: Guidance = Guidance.FLUOROSCOPY
    contrast_planned: bool = True
    sedation: Sedation = Sedation.NONE


class PlanOut(BaseModel):
    screening_response_id: int
    status: str = Field(description="draft (no answers yet) | submitted (answers screened again)")
    readiness: str = Field(description="The new result's readiness (empty for a draft)")


@router.put(
    "/api/v1/pathways/{pathway_id}/planned-injection",
    response_model=PlanOut,
    responses=errors(401, 403, 404, 409, 422),
)
def put_plan(pathway_id: int, body: PlanIn, ctx: SignedIn) -> PlanOut:
    """Set the planned injection (a clinician of the patient's clinic)."""
    try:
        plan = ProcedurePlan(**body.model_dump())
    except InputError as exc:  # a steroid with a diagnostic block, or none with a therapeutic
        raise Invalid.one(
            exc.where, msg("Check the medicines of this kind of injection.")
        ) from None
    row = screening.plan_injection(
        ctx.db,
        actor=ctx.me,
        pathway_id=pathway_id,
        plan=plan,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    return PlanOut(
        screening_response_id=row.id,
        status=row.status,
        readiness=str((row.result or {}).get("status", "")),
    )
