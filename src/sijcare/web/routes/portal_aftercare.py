"""Aftercare instructions for the documented injection, with who to call (page and API)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import Response

from sijcare.services import education
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.pages import render

router = APIRouter(tags=["portal"])


@router.get("/portal/procedures/{procedure_id}/aftercare", include_in_schema=False)
def aftercare_page(procedure_id: int, ctx: SignedIn) -> Response:
    page = education.view_aftercare(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        knowledge=ctx.platform.knowledge,
        zone=ctx.zone,
        now=ctx.now,
    )
    return render(ctx, "portal/aftercare.html", {"page": page})


class ItemOut(BaseModel):
    code: str
    text: str
    at: datetime | None


class SectionOut(BaseModel):
    code: str
    title: str
    items: list[ItemOut]


class CallOut(BaseModel):
    kind: str = Field(description="help_line | after_hours")
    number: str
    label: str
    message: str


class AftercareOut(BaseModel):
    procedure_id: int
    procedure_at: datetime
    time_zone: str
    sections: list[SectionOut]
    call_now: CallOut = Field(description="Who to call at this hour (not an emergency)")
    emergency_number: str
    knowledge_version: str


@router.get(
    "/api/v1/portal/procedures/{procedure_id}/aftercare",
    response_model=AftercareOut,
    responses=errors(401, 403, 404),
)
def aftercare(procedure_id: int, ctx: SignedIn) -> AftercareOut:
    """What to do and expect after the injection, dated from its time (English)."""
    page = education.view_aftercare(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        knowledge=ctx.platform.knowledge,
        zone=ctx.zone,
        now=ctx.now,
    )
    instructions, contact = page.instructions, page.contact
    return AftercareOut(
        procedure_id=page.record.id,
        procedure_at=instructions.procedure_at,
        time_zone=instructions.time_zone,
        sections=[
            SectionOut(
                code=s.code,
                title=s.title,
                items=[ItemOut(code=i.code, text=i.text, at=i.at) for i in s.items],
            )
            for s in instructions.sections
        ],
        call_now=CallOut(
            kind=contact.kind.value,
            number=contact.number,
            label=contact.label,
            message=contact.message,
        ),
        emergency_number=page.emergency_number,
        knowledge_version=instructions.provenance.knowledge_version,
    )
