"""What every JSON API route shares: the error body and the documented error responses.

Use `responses=errors(401, 403, 404)` on a route so that OpenAPI lists its errors.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorItem(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    """Every API error: a sentence for people, and a message per wrong field (422)."""

    detail: str
    errors: list[ErrorItem] = []


_DESCRIPTIONS = {
    401: "Not signed in",
    403: "Refused: no access, or the CSRF token is missing",
    404: "Not found",
    409: "Conflicts with the current state (for example a slot just taken)",
    422: "Invalid fields",
    429: "Too many attempts",
}
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in _DESCRIPTIONS.items()
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` entry for these error statuses."""
    return {status: ERRORS[status] for status in statuses}
