"""The JSON API of care pathways in the clinician workspace (`/api/v1/workspace/...`):
starting one for a patient's joint(s) and closing it with a reason.

The same use cases as the forms of the workspace's patient page (`workspace_pages`); only
a clinician of the patient's clinic may use them. A second active pathway on a joint is a
409 (`pathways.open_pathway`), so repeating a start does not open two.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from sijcare.db.enums import Kind, PathwayStatus, Side
from sijcare.db.models import Pathway
from sijcare.services import pathways
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.limits import CLOSE_REASON_MAX_LENGTH, PatientId

router = APIRouter(prefix="/api/v1/workspace", tags=["workspace"])


class PathwayIn(BaseModel):
    side: Side = Field(description="The joint: left, right or bilateral (both)")
    kind: Kind = Field(description="diagnostic (a block) or therapeutic (with a steroid)")


class PathwayCloseIn(BaseModel):
    reason: str = Field(
        max_length=CLOSE_REASON_MAX_LENGTH, description="Why the pathway is closed (required)"
    )


class PathwayOut(BaseModel):
    id: int
    side: Side
    kind: Kind
    status: PathwayStatus
    opened_at: datetime
    closed_at: datetime | None
    close_reason: str

    @classmethod
    def of(cls, pathway: Pathway) -> PathwayOut:
        return cls(
            id=pathway.id,
            side=pathway.side,
            kind=pathway.kind,
            status=pathway.status,
            opened_at=pathway.opened_at,
            closed_at=pathway.closed_at,
            close_reason=pathway.close_reason,
        )


@router.post(
    "/patients/{patient_id}/pathways",
    response_model=PathwayOut,
    status_code=201,
    responses=errors(401, 403, 404, 409, 422),
)
def open_pathway(patient_id: PatientId, body: PathwayIn, ctx: SignedIn) -> PathwayOut:
    """Start a care pathway for the joint(s) of `side` (a clinician of the patient's
    clinic). 409 when a joint it covers already has an active pathway."""
    return PathwayOut.of(
        pathways.open_pathway(
            ctx.db, actor=ctx.me, public_id=patient_id, side=body.side, kind=body.kind, now=ctx.now
        )
    )


@router.post(
    "/pathways/{pathway_id}/close",
    response_model=PathwayOut,
    responses=errors(401, 403, 404, 409, 422),
)
def close_pathway(pathway_id: int, body: PathwayCloseIn, ctx: SignedIn) -> PathwayOut:
    """Close an active pathway with a reason; its joint is then free for a new one."""
    return PathwayOut.of(
        pathways.close_pathway(
            ctx.db, actor=ctx.me, pathway_id=pathway_id, reason=body.reason, now=ctx.now
        )
    )
