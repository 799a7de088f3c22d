"""The practitioner directory: who works at the clinic, what they do and where.

Any signed-in user of a clinic may read its directory; it holds no patient data, so
reads are not audited.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import PractitionerKind
from sijcare.db.models import Location, Practitioner, PractitionerLocation
from sijcare.services.actor import Actor
from sijcare.services.errors import NotFound, msg


@dataclass(frozen=True)
class Place:
    id: int
    name: str
    address: str
    time_zone: str


@dataclass(frozen=True)
class Card:
    """A practitioner as the directory shows them."""

    id: int
    name: str
    kind: PractitionerKind
    specialty: str
    qualifications: tuple[str, ...]
    accepts_virtual: bool
    locations: tuple[Place, ...]


def list_practitioners(
    db: Session, *, actor: Actor, kind: PractitionerKind | None = PractitionerKind.PHYSICIAN
) -> list[Card]:
    """The active practitioners of the actor's clinic by name (physicians by default)."""
    query = sa.select(Practitioner).where(
        Practitioner.clinic_id == actor.clinic_id, Practitioner.active.is_(True)
    )
    if kind is not None:
        query = query.where(Practitioner.kind == kind)
    with db.begin():
        found = db.scalars(query.order_by(Practitioner.name, Practitioner.id)).all()
        places = _places(db, [p.id for p in found])
        return [_card(p, places.get(p.id, ())) for p in found]


def get_practitioner(db: Session, *, actor: Actor, practitioner_id: int) -> Card:
    with db.begin():
        practitioner = load(db, actor, practitioner_id)
        return _card(practitioner, _places(db, [practitioner.id]).get(practitioner.id, ()))


def load(db: Session, actor: Actor, practitioner_id: int) -> Practitioner:
    """A practitioner of the actor's clinic, else `NotFound`. Call inside a transaction."""
    practitioner = db.get(Practitioner, practitioner_id)
    if practitioner is None or practitioner.clinic_id != actor.clinic_id:
        raise NotFound(msg("There is no such practitioner."))
    return practitioner


def locations(db: Session, *, actor: Actor) -> list[Place]:
    """The locations of the actor's clinic, by name."""
    with db.begin():
        rows = db.scalars(
            sa.select(Location).where(Location.clinic_id == actor.clinic_id).order_by(Location.name)
        ).all()
        return [Place(r.id, r.name, r.address, r.time_zone) for r in rows]


def _places(db: Session, practitioner_ids: list[int]) -> dict[int, tuple[Place, ...]]:
    rows = db.execute(
        sa.select(PractitionerLocation.practitioner_id, Location)
        .join(Location, Location.id == PractitionerLocation.location_id)
        .where(PractitionerLocation.practitioner_id.in_(practitioner_ids))
        .order_by(Location.name)
    ).all()
    out: dict[int, list[Place]] = {}
    for practitioner_id, location in rows:
        out.setdefault(practitioner_id, []).append(
            Place(location.id, location.name, location.address, location.time_zone)
        )
    return {key: tuple(value) for key, value in out.items()}


def _card(practitioner: Practitioner, places: tuple[Place, ...]) -> Card:
    return Card(
        id=practitioner.id,
        name=practitioner.name,
        kind=practitioner.kind,
        specialty=practitioner.specialty,
        qualifications=tuple(
            line.strip() for line in practitioner.qualifications.splitlines() if line.strip()
        ),
        accepts_virtual=practitioner.accepts_virtual,
        locations=places,
    )
