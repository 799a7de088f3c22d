"""The JSON API of the clinician workspace (`/api/v1/workspace/...`): the worklist, a
patient's summary, timeline and next step, and the red-flag inbox.

The same use cases as the workspace pages. The core's next-step plan is given whole as
`detail`, in the core's own JSON form (`sijcare.formats.jsonout`), beside typed fields.
API routes around the injection are in `workspace_procedure_api`, starting and closing a
care pathway in `workspace_pathways_api`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from sijcare.domain.procedure import Kind, Side
from sijcare.formats.jsonout import to_jsonable
from sijcare.services import (
    inbox,
    plans,
    procedures,
    timeline,
    worklist,
)
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.limits import PatientId, PayerQuery

router = APIRouter(prefix="/api/v1/workspace", tags=["workspace"])


# -- worklist and patients ------------------------------------------------------------------


class PathwayStatusOut(BaseModel):
    pathway_id: int
    side: Side
    kind: Kind
    status: str
    opened_at: datetime
    readiness: str | None = Field(description="The core's readiness; null: not screened")
    screening_reviewed: bool
    open_findings: int
    consent: procedures.ConsentState
    driver_recorded: bool
    procedure_id: int | None
    open_red_flags: int

    @classmethod
    def of(cls, view: worklist.PathwayStatusView) -> PathwayStatusOut:
        return cls(**vars(view))


class WorklistItemOut(BaseModel):
    appointment_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    patient_id: str
    patient_name: str
    practitioner_id: int
    practitioner_name: str
    location_name: str
    room_name: str | None
    pathway_id: int | None
    driver_recorded: bool
    clinical: PathwayStatusOut | None = Field(description="Null for schedulers")


class WorklistOut(BaseModel):
    day: date
    time_zone: str
    items: list[WorklistItemOut]


@router.get("/worklist", response_model=WorklistOut, responses=errors(401, 403, 422))
def get_worklist(
    ctx: SignedIn, day: date | None = None, practitioner_id: int | None = None
) -> WorklistOut:
    """The clinic's procedures on `day` (default today, in the clinic's time zone)."""
    found = worklist.list_worklist(
        ctx.db,
        actor=ctx.me,
        day=day or ctx.today,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
        practitioner_id=practitioner_id,
    )
    return WorklistOut(
        day=found.day,
        time_zone=found.zone,
        items=[
            WorklistItemOut(
                appointment_id=i.appointment_id,
                starts_at=i.starts_at,
                ends_at=i.ends_at,
                status=i.status,
                patient_id=i.patient_public_id,
                patient_name=i.patient_name,
                practitioner_id=i.practitioner_id,
                practitioner_name=i.practitioner_name,
                location_name=i.location_name,
                room_name=i.room_name,
                pathway_id=i.pathway_id,
                driver_recorded=i.driver_recorded,
                clinical=None if i.clinical is None else PathwayStatusOut.of(i.clinical),
            )
            for i in found.items
        ],
    )


class PatientSummaryOut(BaseModel):
    id: str
    name: str
    date_of_birth: date
    phone: str | None
    pathways: list[PathwayStatusOut]


@router.get(
    "/patients/{patient_id}", response_model=PatientSummaryOut, responses=errors(401, 403, 404)
)
def get_patient_summary(patient_id: PatientId, ctx: SignedIn) -> PatientSummaryOut:
    s = worklist.patient_summary(
        ctx.db, actor=ctx.me, public_id=patient_id, knowledge=ctx.platform.knowledge, now=ctx.now
    )
    return PatientSummaryOut(
        id=s.public_id,
        name=s.name,
        date_of_birth=s.date_of_birth,
        phone=s.phone,
        pathways=[PathwayStatusOut.of(p) for p in s.pathways],
    )


class TimelineEventOut(BaseModel):
    at: datetime
    kind: str
    pathway_id: int | None
    by: str
    values: dict[str, Any]


@router.get(
    "/patients/{patient_id}/timeline",
    response_model=list[TimelineEventOut],
    responses=errors(401, 403, 404),
)
def get_timeline(patient_id: PatientId, ctx: SignedIn) -> list[TimelineEventOut]:
    """Everything that happened for the patient, oldest first."""
    found = timeline.patient_timeline(
        ctx.db, actor=ctx.me, public_id=patient_id, knowledge=ctx.platform.knowledge, now=ctx.now
    )
    return [
        TimelineEventOut(
            at=e.at, kind=e.kind, pathway_id=e.pathway_id, by=e.by, values=to_jsonable(e.values)
        )
        for e in found.events
    ]


class NextStepOut(BaseModel):
    payer: str
    procedures: int
    step: str | None = Field(description="The core's recommended step; null with a problem")
    payer_allows: bool | None
    earliest_date: date | None
    problem: str | None
    detail: dict[str, Any] | None = Field(description="The core's NextStepPlan")


@router.get(
    "/patients/{patient_id}/next-step",
    response_model=NextStepOut,
    responses=errors(401, 403, 404, 422),
)
def get_next_step(
    patient_id: PatientId, ctx: SignedIn, payer: PayerQuery = "medicare"
) -> NextStepOut:
    """The core's next step for the patient under `payer` (a payer profile id)."""
    view = plans.recommend(
        ctx.db,
        actor=ctx.me,
        public_id=patient_id,
        payer=payer,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    plan = view.plan
    return NextStepOut(
        payer=view.payer,
        procedures=view.procedures,
        step=None if plan is None else plan.step.value,
        payer_allows=None if plan is None else plan.payer_allows,
        earliest_date=None if plan is None else plan.earliest_date,
        problem=None if view.problem is None else ctx.text(view.problem),
        detail=None if plan is None else to_jsonable(plan),
    )


# -- red flags --------------------------------------------------------------------------------


class ReasonOut(BaseModel):
    disposition: str
    code: str
    message: str
    rationale: str


class ReportOut(BaseModel):
    id: int
    patient_id: str
    patient_name: str
    pathway_id: int
    procedure_id: int | None
    reported_at: datetime
    disposition: str
    reasons: list[ReasonOut]
    patient_note: str
    acknowledged_at: datetime | None
    acknowledged_by: str
    acknowledged_note: str

    @classmethod
    def of(cls, item: inbox.InboxItem) -> ReportOut:
        values = dict(vars(item))
        values["patient_id"] = values.pop("patient_public_id")
        values["reasons"] = [ReasonOut(**vars(r)) for r in item.reasons]
        return cls(**values)


class InboxOut(BaseModel):
    waiting: int
    reports: list[ReportOut] = Field(description="Waiting first, most urgent and newest first")


class AcknowledgeIn(BaseModel):
    note: str = Field(max_length=1000)


@router.get("/inbox", response_model=InboxOut, responses=errors(401, 403))
def get_inbox(ctx: SignedIn) -> InboxOut:
    items = inbox.list_inbox(ctx.db, actor=ctx.me, now=ctx.now)
    return InboxOut(
        waiting=sum(1 for i in items if i.open), reports=[ReportOut.of(i) for i in items]
    )


@router.get("/reports/{report_id}", response_model=ReportOut, responses=errors(401, 403, 404))
def get_report(report_id: int, ctx: SignedIn) -> ReportOut:
    return ReportOut.of(inbox.get_report(ctx.db, actor=ctx.me, report_id=report_id, now=ctx.now))


@router.post(
    "/reports/{report_id}/acknowledgement",
    response_model=ReportOut,
    responses=errors(401, 403, 404, 409, 422),
)
def acknowledge(report_id: int, body: AcknowledgeIn, ctx: SignedIn) -> ReportOut:
    """Acknowledge a report with a note (required; a report is never dropped)."""
    return ReportOut.of(
        inbox.acknowledge(ctx.db, actor=ctx.me, report_id=report_id, note=body.note, now=ctx.now)
    )
