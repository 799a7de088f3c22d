"""Weekly availability and its exceptions, kept by schedulers and clinic admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import Role
from sijcare.db.models import Availability, AvailabilityException, Location, PractitionerLocation
from sijcare.services import access, audit, directory
from sijcare.services.actor import Actor
from sijcare.services.errors import FieldError, Invalid, NotFound, msg

MANAGERS = (Role.SCHEDULER, Role.ADMIN)
MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 480


@dataclass(frozen=True)
class WeeklyHours:
    """A new weekly rule; times are wall-clock at the location, weekday 0 = Monday."""

    practitioner_id: int
    location_id: int
    weekday: int
    start_local: time
    end_local: time
    slot_minutes: int
    valid_from: date
    valid_to: date | None = None


@dataclass(frozen=True)
class TimeOff:
    """A new exception: the whole day, or from `start_local` to `end_local`."""

    practitioner_id: int
    on_date: date
    start_local: time | None = None
    end_local: time | None = None
    reason: str = ""


@dataclass(frozen=True)
class Schedule:
    rules: list[Availability]
    exceptions: list[AvailabilityException]


def schedule_of(db: Session, *, actor: Actor, practitioner_id: int) -> Schedule:
    """The weekly rules and exceptions of a practitioner of the actor's clinic."""
    access.require_role(actor, *MANAGERS)
    with db.begin():
        directory.load(db, actor, practitioner_id)
        rules = db.scalars(
            sa.select(Availability)
            .where(Availability.practitioner_id == practitioner_id)
            .order_by(Availability.weekday, Availability.start_local, Availability.id)
        ).all()
        exceptions = db.scalars(
            sa.select(AvailabilityException)
            .where(AvailabilityException.practitioner_id == practitioner_id)
            .order_by(AvailabilityException.on_date, AvailabilityException.id)
        ).all()
    for row in (*rules, *exceptions):
        db.expunge(row)
    return Schedule(list(rules), list(exceptions))


def add_weekly_hours(
    db: Session, *, actor: Actor, hours: WeeklyHours, now: datetime
) -> Availability:
    access.require_role(actor, *MANAGERS)
    errors = _hours_problems(hours)
    with db.begin():
        directory.load(db, actor, hours.practitioner_id)
        works_there = db.get(PractitionerLocation, (hours.practitioner_id, hours.location_id))
        if works_there is None:
            errors.append(
                FieldError("location_id", msg("This practitioner does not work at that location."))
            )
        if not errors:
            errors += _overlap(db, hours)
        if errors:
            raise Invalid(errors)
        rule = Availability(**vars(hours))
        db.add(rule)
        db.flush()
        audit.record(
            db,
            actor=actor,
            action="availability.add",
            at=now,
            target_type="availability",
            target_id=rule.id,
            detail={"practitioner_id": hours.practitioner_id},
        )
    db.expunge(rule)
    return rule


def remove_weekly_hours(db: Session, *, actor: Actor, availability_id: int, now: datetime) -> None:
    """Remove a rule; booked appointments stay booked."""
    access.require_role(actor, *MANAGERS)
    with db.begin():
        rule = db.get(Availability, availability_id)
        if rule is None:
            raise NotFound(msg("There are no such hours."))
        directory.load(db, actor, rule.practitioner_id)
        db.delete(rule)
        audit.record(
            db,
            actor=actor,
            action="availability.remove",
            at=now,
            target_type="availability",
            target_id=availability_id,
            detail={"practitioner_id": rule.practitioner_id},
        )


def add_time_off(
    db: Session, *, actor: Actor, time_off: TimeOff, now: datetime
) -> AvailabilityException:
    access.require_role(actor, *MANAGERS)
    errors = []
    partial = time_off.start_local is not None or time_off.end_local is not None
    if partial and (time_off.start_local is None or time_off.end_local is None):
        errors.append(
            FieldError(
                "end_local",
                msg("Give both the start and the end time, or neither for the whole day."),
            )
        )
    elif partial and time_off.start_local >= time_off.end_local:  # type: ignore[operator]
        errors.append(FieldError("end_local", msg("The end must be after the start.")))
    with db.begin():
        directory.load(db, actor, time_off.practitioner_id)
        if errors:
            raise Invalid(errors)
        exception = AvailabilityException(
            practitioner_id=time_off.practitioner_id,
            on_date=time_off.on_date,
            all_day=not partial,
            start_local=time_off.start_local,
            end_local=time_off.end_local,
            reason=time_off.reason.strip()[:200],
        )
        db.add(exception)
        db.flush()
        audit.record(
            db,
            actor=actor,
            action="availability.add_exception",
            at=now,
            target_type="availability_exception",
            target_id=exception.id,
            detail={"practitioner_id": time_off.practitioner_id},
        )
    db.expunge(exception)
    return exception


def remove_time_off(db: Session, *, actor: Actor, exception_id: int, now: datetime) -> None:
    access.require_role(actor, *MANAGERS)
    with db.begin():
        exception = db.get(AvailabilityException, exception_id)
        if exception is None:
            raise NotFound(msg("There is no such time off."))
        directory.load(db, actor, exception.practitioner_id)
        db.delete(exception)
        audit.record(
            db,
            actor=actor,
            action="availability.remove_exception",
            at=now,
            target_type="availability_exception",
            target_id=exception_id,
            detail={"practitioner_id": exception.practitioner_id},
        )


def _overlap(db: Session, hours: WeeklyHours) -> list[FieldError]:
    """The practitioner's weekly hours, here or at another location, that overlap `hours`
    on the same weekday and days of validity: one person cannot be in two places, and
    the bookings would hide the clash."""
    rows = db.execute(
        sa.select(Availability, Location.name)
        .join(Location, Location.id == Availability.location_id)
        .where(
            Availability.practitioner_id == hours.practitioner_id,
            Availability.weekday == hours.weekday,
            Availability.start_local < hours.end_local,
            Availability.end_local > hours.start_local,
            sa.or_(Availability.valid_to.is_(None), Availability.valid_to >= hours.valid_from),
            *(() if hours.valid_to is None else (Availability.valid_from <= hours.valid_to,)),
        )
        .limit(1)
    ).first()
    if rows is None:
        return []
    rule, place = rows
    return [
        FieldError(
            "start_local",
            msg(
                "These hours overlap hours the practitioner already has that day: "
                "{start} to {end} at {place}.",
                start=rule.start_local.strftime("%H:%M"),
                end=rule.end_local.strftime("%H:%M"),
                place=place,
            ),
        )
    ]


def _hours_problems(hours: WeeklyHours) -> list[FieldError]:
    errors = []
    if not 0 <= hours.weekday <= 6:
        errors.append(FieldError("weekday", msg("Choose a day of the week.")))
    if hours.start_local >= hours.end_local:
        errors.append(FieldError("end_local", msg("The end must be after the start.")))
    if not MIN_SLOT_MINUTES <= hours.slot_minutes <= MAX_SLOT_MINUTES:
        errors.append(
            FieldError(
                "slot_minutes",
                msg("Use {low} to {high} minutes.", low=MIN_SLOT_MINUTES, high=MAX_SLOT_MINUTES),
            )
        )
    if hours.valid_to is not None and hours.valid_to < hours.valid_from:
        errors.append(FieldError("valid_to", msg("The last day must not be before the first day.")))
    return errors
