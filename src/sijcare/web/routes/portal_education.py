"""What the patient reads: the leaflet about the injection (page and API).

The leaflet is the core's `compose_leaflet`; it holds no patient data.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.services import education
from sijcare.services.errors import msg
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.navigation import NavLink
from sijcare.web.pages import render

router = APIRouter(tags=["portal"])
nav_links = (
    NavLink(
        "/portal/learn",
        msg("About the injection"),
        frozenset({Role.PATIENT}),
        msg("What the SI joint injection is, how it can help, its risks and other choices."),
    ),
)


@router.get("/portal/learn", include_in_schema=False)
def leaflet_page(ctx: SignedIn) -> Response:
    knowledge = ctx.platform.knowledge
    return render(
        ctx,
        "portal/learn.html",
        {"leaflet": education.leaflet(knowledge), "sources": knowledge.sources},
    )


class BulletOut(BaseModel):
    text: str
    source: str | None = Field(description="The id of the source of a figure")


class SectionOut(BaseModel):
    code: str
    title: str
    paragraphs: list[str]
    bullets: list[BulletOut]


class LeafletOut(BaseModel):
    knowledge_version: str
    sections: list[SectionOut]


@router.get("/api/v1/portal/education", response_model=LeafletOut, responses=errors(401))
def leaflet(ctx: SignedIn) -> LeafletOut:
    """The leaflet about the SI joint injection, in plain words (English)."""
    composed = education.leaflet(ctx.platform.knowledge)
    return LeafletOut(
        knowledge_version=composed.provenance.knowledge_version,
        sections=[
            SectionOut(
                code=s.code,
                title=str(s.title),
                paragraphs=[str(p) for p in s.paragraphs],
                bullets=[BulletOut(text=str(b.text), source=b.source) for b in s.bullets],
            )
            for s in composed.sections
        ],
    )
