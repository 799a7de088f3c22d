"""User accounts: listing them for the clinic admin, and a user's own preferences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import Role
from sijcare.db.models import User
from sijcare.services import access, audit
from sijcare.services.actor import Actor, load_actor
from sijcare.services.errors import FieldError, Invalid, NotFound, msg
from sijcare.settings import LOCALES


@dataclass(frozen=True)
class UserSummary:
    id: int
    email: str
    display_name: str
    role: Role
    active: bool
    must_change_password: bool
    locale: str


def list_users(db: Session, *, actor: Actor, now: datetime) -> list[UserSummary]:
    """The accounts of the admin's clinic, by name."""
    access.require_role(actor, Role.ADMIN)
    with db.begin():
        users = db.scalars(
            sa.select(User).where(User.clinic_id == actor.clinic_id).order_by(User.display_name)
        ).all()
        audit.record(db, actor=actor, action="user.list", at=now)
        return [_summary(user) for user in users]


def get_user(db: Session, *, actor: Actor, user_id: int) -> UserSummary:
    """One account of the admin's clinic (no audit: account data is not patient data)."""
    access.require_role(actor, Role.ADMIN)
    with db.begin():
        user = db.get(User, user_id)
        if user is None or user.clinic_id != actor.clinic_id:
            raise NotFound(msg("There is no such user."))
        return _summary(user)


def update_preferences(
    db: Session, *, actor: Actor, locale: str, time_zone: str, now: datetime
) -> Actor:
    """Set the actor's language and time zone ("" for the clinic's zone); the updated actor."""
    errors = []
    if locale not in LOCALES:
        errors.append(FieldError("locale", msg("Choose one of the listed languages.")))
    if time_zone and not is_time_zone(time_zone):
        errors.append(FieldError("time_zone", msg("Choose one of the listed time zones.")))
    if errors:
        raise Invalid(errors)
    with db.begin():
        user = db.get_one(User, actor.user_id)
        user.locale = locale
        user.time_zone = time_zone or None
        audit.record(
            db,
            actor=actor,
            action="user.update_preferences",
            at=now,
            target_type="user",
            target_id=user.id,
            detail={"fields": ["locale", "time_zone"]},
        )
        updated = load_actor(db, user.id, actor.origin)
    assert updated is not None  # the user is signed in, so active
    return updated


def is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return name in available_timezones()


def _summary(user: User) -> UserSummary:
    return UserSummary(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        active=user.active,
        must_change_password=user.must_change_password,
        locale=user.locale,
    )
