"""What a use case reports when it cannot do what was asked.

Messages are `Message` values: an English text that the web layer translates through
the message catalogs (the text is the msgid, marked with `msg()` so Babel extracts it)
and then fills in with `params`; a text with a count (`plural_msg`) has an English form
for 1 and one for other counts, and each language chooses its own (gettext's
`ngettext`). Services never translate, so they stay locale-free.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from sijcare.domain.words import Translate, translated


@dataclass(frozen=True)
class Message:
    """A user-facing text (a catalog msgid) with the values for its `{placeholders}`."""

    text: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # A text with a count: its English for other counts than 1 (`text` is for 1), and
    # the name of the value in `params` that is the count.
    plural: str | None = None
    count: str | None = None

    def render(self, translate: Translate | None = None) -> str:
        """The text translated by `translate` (the reader's catalogue, or a gettext) when
        given, in the form for its count if it has one, then filled in."""
        count = None if self.count is None else self.params.get(self.count)
        text = translated(translate, self.text, self.plural, count)
        return text.format(**self.params) if self.params else text

    def filled(self, **values: Any) -> Message:
        """This text with its `{placeholders}` filled in by `values` (a text kept as a
        template, filled where its values are known)."""
        return replace(self, params=MappingProxyType(values))


def msg(text: str, **params: Any) -> Message:
    """Mark `text` for translation; `params` fill its `{placeholders}` after translation."""
    return Message(text, MappingProxyType(params))


def plural_msg(one: str, other: str, count: str, /, **params: Any) -> Message:
    """Mark a text with a count for translation: `one` is its English for a count of 1,
    `other` for any other count, and `count` names the value of `params` that is it."""
    return Message(one, MappingProxyType(params), other, count)


@dataclass(frozen=True)
class FieldError:
    """A problem with one input field; `field` is the form or JSON field name."""

    field: str
    message: Message


class ServiceError(Exception):
    """Base of the errors a use case raises; the web layer maps each class to a status."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.render())
        self.message = message


class NotSignedIn(ServiceError):
    """No valid session (expired, signed out, or never signed in)."""


class Forbidden(ServiceError):
    """The acting user may not see or change this."""


class NotFound(ServiceError):
    """No such record (or none the acting user can know about)."""


class Conflict(ServiceError):
    """The request clashes with the current state (a slot just taken, a pathway already open)."""


class Throttled(ServiceError):
    """Too many failed attempts; try again after `retry_after_minutes`."""

    def __init__(self, message: Message, retry_after_minutes: int) -> None:
        super().__init__(message)
        self.retry_after_minutes = retry_after_minutes


class Invalid(ServiceError):
    """Input that fails validation, with one message per field."""

    def __init__(self, errors: list[FieldError] | tuple[FieldError, ...]) -> None:
        super().__init__(msg("Please correct the fields marked below."))
        self.errors = tuple(errors)

    @classmethod
    def one(cls, field_name: str, message: Message) -> Invalid:
        return cls([FieldError(field_name, message)])
