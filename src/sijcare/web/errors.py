"""How errors become responses: an error page for browsers, JSON for the API.

API errors always have the shape {"detail": "...", "errors": [{"field": ..., "message": ...}]}
with `errors` empty unless fields were wrong (then the status is 422). Messages are in the
user's locale. A refused access is written to the audit log in its own transaction.

When the database cannot be reached or stays locked, the answer is a 503 at once (no
traceback, no waiting): it says that nothing could be done, to try again in a few
minutes, and gives the clinic's number at this hour for anyone reporting symptoms. The
next request tries the database again (the pool replaces dead connections), so the app
recovers by itself when the database is back. A value too large for the database (a
record number past its range) is a 422, never a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy import exc as db_errors
from starlette.exceptions import HTTPException
from starlette.responses import Response

from sijcare.domain.contact import who_to_call
from sijcare.services import audit
from sijcare.services.errors import (
    Conflict,
    FieldError,
    Forbidden,
    Invalid,
    Message,
    NotFound,
    NotSignedIn,
    ServiceError,
    Throttled,
    msg,
)
from sijcare.web import i18n
from sijcare.web.deps import Ctx, PasswordChangeRequired
from sijcare.web.pages import clear_session_cookie, render
from sijcare.web.platform import Platform

log = logging.getLogger(__name__)

# The database is down, unreachable or locked past its timeout: try again later.
UNAVAILABLE_ERRORS = (db_errors.OperationalError, db_errors.InterfaceError, db_errors.TimeoutError)
# A value the database cannot hold (an id past its integer range, for example).
OUT_OF_RANGE_ERRORS = (db_errors.DataError, OverflowError)
RETRY_AFTER_SECONDS = 60
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"

STATUS = {
    NotSignedIn: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Throttled: 429,
    Invalid: 422,
}
_HTTP_MESSAGES = {
    400: msg("The request could not be read. Check its format and try again."),
    404: msg("This page does not exist."),
    405: msg("This action is not available here."),
}
_PYDANTIC_MESSAGES = {
    "missing": msg("This field is required."),
    "string_too_short": msg("This field is required."),
    "string_too_long": msg("This is too long."),
    "float_parsing": msg("Enter a number."),
    "float_type": msg("Enter a number."),
    "string_pattern_mismatch": msg("This does not have the expected form."),
    "int_parsing": msg("Enter a whole number."),
    "int_type": msg("Enter a whole number."),
    "bool_parsing": msg("Enter true or false."),
    "datetime_parsing": msg("Enter a date and time like 2026-03-08T09:00:00-08:00."),
    "datetime_from_date_parsing": msg("Enter a date and time like 2026-03-08T09:00:00-08:00."),
    "timezone_aware": msg("Add a time zone offset, like -08:00."),
    "date_parsing": msg("Enter a date like 2026-03-08."),
    "date_from_datetime_parsing": msg("Enter a date like 2026-03-08."),
    "time_parsing": msg("Enter a time like 09:30."),
    "enum": msg("Choose one of the listed values."),
    "literal_error": msg("Choose one of the listed values."),
}


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    for unavailable in UNAVAILABLE_ERRORS:
        app.add_exception_handler(unavailable, _database_unavailable)
    for out_of_range in OUT_OF_RANGE_ERRORS:
        app.add_exception_handler(out_of_range, _out_of_range)
    # Any other exception (a fault of ours): Starlette answers through this, then raises
    # it again for the server to log (`web.logs.PrivateFormatter`: without its message).
    app.add_exception_handler(Exception, _unexpected)
    app.openapi = _describing_error_bodies(app.openapi)  # type: ignore[method-assign]


def _describing_error_bodies(build: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """The OpenAPI document, made to say what the app really answers.

    - FastAPI documents the 422 of every route with parameters as `HTTPValidationError`;
      the app answers every 422 with `ErrorBody` (`_validation_error`).
    - A request body that cannot be read at all (broken multipart, for example) is a 400
      with `ErrorBody`, for every operation that takes a body.
    - Times of day are local wall-clock times (`09:30`, `09:30:00`), with no UTC offset:
      JSON Schema's `time` format requires one, so they are described by a pattern.
    """

    def openapi() -> dict[str, Any]:
        schema = build()
        components = schema.get("components", {}).get("schemas", {})
        if "ErrorBody" not in components:
            return schema
        ours = {"$ref": "#/components/schemas/ErrorBody"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.get("responses", {})
                for response in responses.values():
                    for content in response.get("content", {}).values():
                        if (
                            content.get("schema", {})
                            .get("$ref", "")
                            .endswith("/HTTPValidationError")
                        ):
                            content["schema"] = ours
                if "requestBody" in operation and "400" not in responses:
                    responses["400"] = {
                        "description": "The request body could not be read",
                        "content": {"application/json": {"schema": ours}},
                    }
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        _describe_local_times(schema)
        return schema

    return openapi


def _describe_local_times(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            del node["format"]
            node["pattern"] = LOCAL_TIME_PATTERN
        for value in node.values():
            _describe_local_times(value)
    elif isinstance(node, list):
        for value in node:
            _describe_local_times(value)


def api_error(
    ctx_or_locale: Ctx | str,
    status: int,
    message: Message,
    errors: tuple[FieldError, ...] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    locale = ctx_or_locale if isinstance(ctx_or_locale, str) else ctx_or_locale.locale
    catalogue = i18n.translations(locale)
    body: dict[str, Any] = {
        "detail": message.render(catalogue),
        "errors": [{"field": e.field, "message": e.message.render(catalogue)} for e in errors],
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _ctx(request: Request) -> Ctx | None:
    return getattr(request.state, "ctx", None)


def _status(exc: ServiceError) -> int:
    for kind, status in STATUS.items():
        if isinstance(exc, kind):
            return status
    return 400


async def _service_error(request: Request, exc: ServiceError) -> Response:
    ctx = _ctx(request)
    status = _status(exc)
    api = request.url.path.startswith("/api/")
    if isinstance(exc, Forbidden) and ctx is not None and ctx.actor is not None:
        _audit_refusal(ctx, request)
    if ctx is None:
        locale = request.app.state.platform.settings.default_locale
        return api_error(locale, status, exc.message)
    headers = (
        {"Retry-After": str(exc.retry_after_minutes * 60)} if isinstance(exc, Throttled) else None
    )
    if api:
        errors = exc.errors if isinstance(exc, Invalid) else ()
        return api_error(ctx, status, exc.message, errors, headers)
    if isinstance(exc, NotSignedIn):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        if request.cookies.get(ctx.platform.session_cookie):
            clear_session_cookie(ctx, response)
        return response
    if isinstance(exc, PasswordChangeRequired):
        return RedirectResponse("/account/password", status_code=303)
    return render(ctx, "error.html", {"message": exc.message, "status": status}, status_code=status)


def _audit_refusal(ctx: Ctx, request: Request) -> None:
    platform: Platform = ctx.platform
    with platform.sessions() as db, db.begin():
        audit.record(
            db,
            actor=ctx.me,
            action="access.denied",
            at=ctx.now,
            target_type="route",
            target_id=request.url.path[:64],
            detail={"method": request.method},
        )


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    ctx = _ctx(request)
    if not request.url.path.startswith("/api/"):
        # A page's address with a part that is not an id (a typed or cut URL): the pages
        # read their forms themselves, so only the address can fail here.
        if all(error.get("loc", ("",))[0] == "path" for error in exc.errors()):
            return _page_error(request, 404, _HTTP_MESSAGES[404])
        return _page_error(request, 400, _HTTP_MESSAGES[400])
    errors = tuple(_field_error(error) for error in exc.errors())
    locale = ctx.locale if ctx else request.app.state.platform.settings.default_locale
    return api_error(locale, 422, msg("Please correct the fields marked below."), errors)


# Errors of a limit: the message names the limit, from the error's context.
_LIMIT_MESSAGES = {
    ("less_than_equal", "le"): msg("Enter a number no more than {limit}."),
    ("less_than", "lt"): msg("Enter a number below {limit}."),
    ("greater_than_equal", "ge"): msg("Enter a number no less than {limit}."),
    ("greater_than", "gt"): msg("Enter a number above {limit}."),
    ("string_too_long", "max_length"): msg("This is too long: at most {limit} characters."),
    ("too_long", "max_length"): msg("There are too many: at most {limit}."),
}


def _field_error(error: dict[str, Any]) -> FieldError:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    return FieldError(".".join(location) or "body", _message(error))


def _message(error: dict[str, Any]) -> Message:
    kind, context = str(error.get("type")), error.get("ctx") or {}
    for (limited, key), template in _LIMIT_MESSAGES.items():
        if kind == limited and isinstance(context.get(key), int | float):
            return msg(template.text, limit=_number(context[key]))
    return _PYDANTIC_MESSAGES.get(kind, msg("This value is not valid."))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


async def _http_error(request: Request, exc: HTTPException) -> Response:
    message = _HTTP_MESSAGES.get(exc.status_code, msg("Something went wrong."))
    ctx = _ctx(request)
    headers = dict(exc.headers or {}) or None
    if request.url.path.startswith("/api/"):
        locale = ctx.locale if ctx else request.app.state.platform.settings.default_locale
        return api_error(locale, exc.status_code, message, headers=headers)
    return _page_error(request, exc.status_code, message, headers)


def _page_error(
    request: Request, status: int, message: Message, headers: dict[str, str] | None = None
) -> Response:
    """The error page for a browser: with the user's context when the route built it (an
    address no route matches has none), else the plain one."""
    ctx = _ctx(request)
    if ctx is None:
        return _error_without_database(request, status, message, headers)
    response = render(ctx, "error.html", {"message": message, "status": status}, status_code=status)
    response.headers.update(headers or {})
    return response


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    """503: the database is unreachable or locked; say so, and who to phone meanwhile."""
    # The exception's text may quote SQL parameters (patient values): log its type only.
    log.error("The database is unavailable (%s); answered 503.", type(exc).__name__)
    message = msg(
        "The clinic's system is not available just now, so this could not be done. "
        "Please try again in a few minutes. If you are reporting symptoms or are worried, "
        "phone the clinic now at {number}. In an emergency, call {emergency}.",
        **_phones_now(request),
    )
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return _error_without_database(request, 503, message, headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """500: a fault of ours. Say that it may not have been saved, and who to phone: the
    patient may have been reporting symptoms. Built without the database, which may be
    what failed; logged by the server, not here."""
    message = msg(
        "Something went wrong on our side, and this may not have been saved. Please try "
        "again. If you are reporting symptoms or are worried, phone the clinic now at "
        "{number}. In an emergency, call {emergency}.",
        **_phones_now(request),
    )
    return _error_without_database(request, 500, message, None)


def _phones_now(request: Request) -> dict[str, str]:
    """The clinic's number at this hour and the emergency number, from the knowledge
    alone (the database may be what failed)."""
    platform: Platform = request.app.state.platform
    contact = who_to_call(platform.clock(), platform.knowledge, emergency=False)
    return {
        "number": contact.number,
        "emergency": platform.knowledge.text("clinic.emergency_phone"),
    }


async def _out_of_range(request: Request, exc: Exception) -> Response:
    """422: a number or text too large for the database (nothing was saved)."""
    log.warning("A value was out of the database's range (%s).", type(exc).__name__)
    message = msg("A number or a text in this request is too large.")
    return _error_without_database(request, 422, message, None)


def _error_without_database(
    request: Request, status: int, message: Message, headers: dict[str, str] | None
) -> Response:
    """An error answer built without touching the database (it may be the problem)."""
    ctx = _ctx(request)
    platform: Platform = request.app.state.platform
    locale = ctx.locale if ctx else platform.settings.default_locale
    if request.url.path.startswith("/api/"):
        return api_error(locale, status, message, headers=headers)
    context: dict[str, Any] = {
        "actor": None,
        "csrf_token": "",
        "notice": None,
        "zone": platform.clinic_time_zone,
        "nav": (),
        "path": request.url.path,
        "errors": {},
        "values": {},
        "message": message,
        "status": status,
    }
    html = platform.templates.render("error.html", context, locale=locale)
    return HTMLResponse(html, status_code=status, headers=headers)
