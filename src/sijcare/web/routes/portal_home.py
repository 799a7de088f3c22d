"""The patient portal's home: each active pathway's stage at a glance (page and API)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.services import portal
from sijcare.services.errors import msg
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.navigation import NavLink
from sijcare.web.pages import render

router = APIRouter(tags=["portal"])
nav_links = (
    NavLink(
        "/portal",
        msg("My care"),
        frozenset({Role.PATIENT}),
        msg("Your injection step by step: health questions, consent, pain diary and help."),
    ),
)


@router.get("/portal", include_in_schema=False)
def home_page(ctx: SignedIn) -> Response:
    home = portal.view_home(ctx.db, actor=ctx.me, knowledge=ctx.platform.knowledge, now=ctx.now)
    return render(ctx, "portal/home.html", {"home": home})


class AppointmentGlanceOut(BaseModel):
    id: int
    starts_at: datetime
    kind: str = Field(description="procedure | follow_up")
    mode: str = Field(description="in_person | virtual")
    practitioner_id: int
    practitioner_name: str
    qualifications: list[str]
    location_name: str
    time_zone: str = Field(description="The location's time zone")
    pathway_id: int | None


class DiaryGlanceOut(BaseModel):
    procedure_id: int
    performed_at: datetime
    due: int = Field(description="Prompts whose time has come and that have no entry yet")
    missed: int = Field(description="Prompts whose answer window closed with no entry")
    entries: int
    next_prompt_at: datetime | None


class ReportGlanceOut(BaseModel):
    id: int
    reported_at: datetime
    disposition: str = Field(description="emergency | call_now | call_soon | expected")


class PathwayGlanceOut(BaseModel):
    pathway_id: int
    side: str
    kind: str
    screening: str = Field(description="not_planned | not_booked | to_answer | answered")
    readiness: str = Field(
        description="The screening result: ready | ready_with_actions | needs_review | "
        "postpone (empty before answering)"
    )
    consent: str = Field(
        description="no_plan | none | plan_changed | unconfirmed | needs_witness | complete"
    )
    diary: DiaryGlanceOut | None
    latest_report: ReportGlanceOut | None


class HomeOut(BaseModel):
    patient_id: str
    patient_name: str
    pathways: list[PathwayGlanceOut]
    next_appointment: AppointmentGlanceOut | None
    closed_pathways: int


@router.get("/api/v1/portal", response_model=HomeOut, responses=errors(401, 403))
def home(ctx: SignedIn) -> HomeOut:
    """The signed-in patient's pathways at a glance, and their next appointment."""
    view = portal.view_home(ctx.db, actor=ctx.me, knowledge=ctx.platform.knowledge, now=ctx.now)
    nxt = view.next_appointment
    return HomeOut(
        patient_id=view.patient_public_id,
        patient_name=view.patient_name,
        pathways=[_pathway(p) for p in view.pathways],
        next_appointment=None
        if nxt is None
        else AppointmentGlanceOut(
            id=nxt.id,
            starts_at=nxt.starts_at,
            kind=nxt.kind,
            mode=nxt.mode,
            practitioner_id=nxt.practitioner_id,
            practitioner_name=nxt.practitioner_name,
            qualifications=list(nxt.qualifications),
            location_name=nxt.location_name,
            time_zone=nxt.location_time_zone,
            pathway_id=nxt.pathway_id,
        ),
        closed_pathways=view.closed_pathways,
    )


def _pathway(glance: portal.PathwayGlance) -> PathwayGlanceOut:
    diary, report = glance.diary, glance.latest_report
    return PathwayGlanceOut(
        pathway_id=glance.pathway_id,
        side=glance.side,
        kind=glance.kind,
        screening=glance.screening.value,
        readiness=glance.readiness,
        consent=glance.consent.value,
        diary=None
        if diary is None
        else DiaryGlanceOut(
            procedure_id=diary.procedure_id,
            performed_at=diary.performed_at,
            due=diary.due,
            missed=diary.missed,
            entries=diary.entries,
            next_prompt_at=diary.next_prompt_at,
        ),
        latest_report=None
        if report is None
        else ReportGlanceOut(
            id=report.id,
            reported_at=report.advice.reported_at,
            disposition=report.advice.disposition,
        ),
    )
