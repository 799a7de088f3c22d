"""What the clinician workspace's pages share: the workspace navigation and form helpers.

Every workspace page shows the workspace navigation (worklist, red flags with the number
waiting, patients); `page` renders a template with it. Not a route module itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.services import inbox
from sijcare.services.errors import FieldError, Invalid, Message, msg
from sijcare.web.deps import Ctx
from sijcare.web.forms import errors_by_field
from sijcare.web.pages import render


def page(
    ctx: Ctx, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> Response:
    """`template` with the workspace navigation's data added (`red_flags`: how many wait)."""
    full = {
        "red_flags": inbox.count_open(ctx.db, actor=ctx.me),
        "is_clinician": ctx.me.role is Role.CLINICIAN,
        **(context or {}),
    }
    return render(ctx, template, full, status_code=status_code)


def failed(
    values: Mapping[str, str], error: Invalid, rename: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The `values`/`errors` context of a form that failed; `rename` maps service fields
    to the form's field names."""
    names = rename or {}
    errors = errors_by_field(
        tuple(FieldError(names.get(e.field, e.field), e.message) for e in error.errors)
    )
    return {"values": dict(values), "errors": errors}


def parse_day(raw: str, default: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


def optional_int(raw: str) -> int | None:
    return int(raw) if raw.strip().isdigit() else None


class LocalForm:
    """Reads numbers and local date-times of a form, one message per bad field."""

    def __init__(self, form: Mapping[str, str], zone: str) -> None:
        self.form = form
        self.zone = ZoneInfo(zone)
        self.errors: list[FieldError] = []

    def text(self, name: str) -> str | None:
        value = self.form.get(name, "").strip()
        return value or None

    def number(self, name: str, message: Message, *, required: bool = True) -> float | None:
        value = self.form.get(name, "").strip()
        if not value and not required:
            return None
        try:
            return float(value)
        except ValueError:
            self.errors.append(FieldError(name, message))
            return None

    def whole(self, name: str, message: Message) -> int | None:
        value = self.form.get(name, "").strip()
        if not value.isdigit():
            self.errors.append(FieldError(name, message))
            return None
        return int(value)

    def local_time(self, name: str, *, required: bool = True) -> str | None:
        """A `datetime-local` value read in the form's zone, as ISO 8601 with its offset."""
        value = self.form.get(name, "").strip()
        if not value and not required:
            return None
        try:
            naive = datetime.fromisoformat(value)
        except ValueError:
            self.errors.append(
                FieldError(name, msg("Enter a date and time like 2026-03-08 09:30."))
            )
            return None
        return naive.replace(tzinfo=self.zone).isoformat()

    def yes_no(self, name: str) -> bool | None:
        return {"yes": True, "no": False}.get(self.form.get(name, ""))

    def check(self) -> None:
        if self.errors:
            raise Invalid(self.errors)


def local_input(value: datetime | None, zone: str) -> str:
    """A time as a `datetime-local` input's value in `zone` (minutes)."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
