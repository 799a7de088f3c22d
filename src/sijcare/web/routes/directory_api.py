"""The JSON API of the practitioner directory and of free slots."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from sijcare.db.enums import PractitionerKind
from sijcare.services import directory, free_times
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn

router = APIRouter(prefix="/api/v1", tags=["directory"])


class PlaceOut(BaseModel):
    id: int
    name: str
    address: str
    time_zone: str


class PractitionerOut(BaseModel):
    id: int
    name: str
    kind: PractitionerKind
    specialty: str
    qualifications: list[str]
    accepts_virtual: bool
    locations: list[PlaceOut]

    @classmethod
    def of(cls, card: directory.Card) -> PractitionerOut:
        return cls(
            id=card.id,
            name=card.name,
            kind=card.kind,
            specialty=card.specialty,
            qualifications=list(card.qualifications),
            accepts_virtual=card.accepts_virtual,
            locations=[PlaceOut(**vars(place)) for place in card.locations],
        )


class SlotOut(BaseModel):
    starts_at: datetime
    ends_at: datetime
    location_id: int


@router.get("/physicians", response_model=list[PractitionerOut], responses=errors(401))
def list_physicians(
    ctx: SignedIn, kind: PractitionerKind | None = PractitionerKind.PHYSICIAN
) -> list[PractitionerOut]:
    """The clinic's practitioners (physicians unless `kind` says otherwise)."""
    return [
        PractitionerOut.of(c) for c in directory.list_practitioners(ctx.db, actor=ctx.me, kind=kind)
    ]


@router.get(
    "/physicians/{practitioner_id}", response_model=PractitionerOut, responses=errors(401, 404)
)
def get_physician(practitioner_id: int, ctx: SignedIn) -> PractitionerOut:
    return PractitionerOut.of(
        directory.get_practitioner(ctx.db, actor=ctx.me, practitioner_id=practitioner_id)
    )


@router.get(
    "/physicians/{practitioner_id}/slots",
    response_model=list[SlotOut],
    responses=errors(401, 404, 422),
)
def free_slots(
    practitioner_id: int,
    location_id: int,
    ctx: SignedIn,
    first_day: Annotated[date, Query(alias="from")],
    days: Annotated[int, Query(ge=1, le=free_times.MAX_DAYS)] = 7,
) -> list[SlotOut]:
    """Free slots from the local day `from` for `days` days; times are UTC."""
    found = free_times.free_slots(
        ctx.db,
        actor=ctx.me,
        practitioner_id=practitioner_id,
        location_id=location_id,
        first_day=first_day,
        days=days,
        now=ctx.now,
    )
    return [
        SlotOut(starts_at=s.starts_at, ends_at=s.ends_at, location_id=s.location_id) for s in found
    ]
