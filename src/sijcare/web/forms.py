"""Reading HTML form posts and carrying their errors back to the page.

Routes parse forms themselves (not with FastAPI `Form` parameters), so that access is
checked before the input and a bad form re-renders the page with a message next to each
field and everything the user typed kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import TypeVar

from fastapi import Request

from sijcare.services.errors import FieldError, Invalid, Message, msg
from sijcare.web.security import CSRF_FIELD

E = TypeVar("E", bound=StrEnum)


async def read_form(request: Request) -> dict[str, str]:
    """The text fields of the posted form (the CSRF token left out; last value wins)."""
    form = await request.form()
    return {
        key: value.strip() if isinstance(value, str) else ""
        for key, value in form.multi_items()
        if key != CSRF_FIELD and isinstance(value, str)
    }


@dataclass(frozen=True)
class FormState:
    """What a form page shows again after an error: the values and a message per field."""

    values: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, Message] = field(default_factory=dict)

    @classmethod
    def failed(cls, values: Mapping[str, str], error: Invalid) -> FormState:
        return cls(values=values, errors=errors_by_field(error.errors))

    def context(self) -> dict[str, object]:
        return {"values": dict(self.values), "errors": dict(self.errors)}


def errors_by_field(errors: tuple[FieldError, ...]) -> dict[str, Message]:
    out: dict[str, Message] = {}
    for error in errors:
        out.setdefault(error.field, error.message)
    return out


def new_form_token() -> str:
    """A one-time token for a form that creates something: a second submission is a replay."""
    return secrets.token_urlsafe(24)


class FormParser:
    """Reads typed values out of a form, collecting one message per bad field.

    Each method returns the value, or None after noting the problem; `check()` then
    raises `Invalid` with every message at once.
    """

    def __init__(self, form: Mapping[str, str]) -> None:
        self.form = form
        self.errors: list[FieldError] = []

    def fail(self, name: str, message: Message) -> None:
        self.errors.append(FieldError(name, message))

    def text(self, name: str, *, required: Message | None = None, max_length: int = 500) -> str:
        value = self.form.get(name, "").strip()
        if required is not None and not value:
            self.fail(name, required)
        elif len(value) > max_length:
            self.fail(name, msg("Use at most {count} characters.", count=max_length))
        return value

    def integer(self, name: str, message: Message) -> int | None:
        value = self.form.get(name, "").strip()
        if not value.lstrip("-").isdigit():
            self.fail(name, message)
            return None
        return int(value)

    def day(self, name: str, *, required: bool = True) -> date | None:
        value = self.form.get(name, "").strip()
        if not value and not required:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(name, msg("Enter a date like 2026-03-08."))
            return None

    def clock_time(self, name: str, *, required: bool = True) -> time | None:
        value = self.form.get(name, "").strip()
        if not value and not required:
            return None
        try:
            return time.fromisoformat(value)
        except ValueError:
            self.fail(name, msg("Enter a time like 09:30."))
            return None

    def choice(self, name: str, enum: type[E], message: Message) -> E | None:
        try:
            return enum(self.form.get(name, ""))
        except ValueError:
            self.fail(name, message)
            return None

    def moment(self, name: str, message: Message) -> datetime | None:
        """An ISO 8601 date-time with its UTC offset (the value of a slot choice)."""
        try:
            value = datetime.fromisoformat(self.form.get(name, "").strip())
        except ValueError:
            value = None
        if value is None or value.utcoffset() is None:
            self.fail(name, message)
            return None
        return value

    def check(self) -> None:
        if self.errors:
            raise Invalid(self.errors)
