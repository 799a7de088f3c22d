"""Logs with nothing of a patient in them: the access log and how exceptions are written.

A server's usual access log writes each request's path and query string, and ours carry
patient data: `/patients?search=<a name>`, `/patients/17`. `AccessLogMiddleware` writes
the method, the route the request matched as its template (`/patients/{patient_id}`),
the status and the time taken; no query string, no id, no client address. It replaces
uvicorn's (`sijcare serve` turns that one off). It writes to the `sijcare.access` logger
at INFO: off unless logging is set up for it, as `sijcare serve` does, and then a request
costs one check of the level.

An exception's message may hold patient data (a value that failed a check, a row a
database refused), so `PrivateFormatter` writes a logged exception as its type and its
traceback's frames (file, line, code), without the message: enough to find the fault.
"""

from __future__ import annotations

import logging
import time
import traceback
from types import TracebackType

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.logging import DefaultFormatter

log = logging.getLogger("sijcare.access")

UNMATCHED = "(unmatched)"  # no route matched the path: a 404


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # An exception before the response starts becomes a 500 further out.
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            log.info(
                "%s %s %d %.1f ms",
                scope["method"],
                route_template(scope),
                status,
                (time.perf_counter() - started) * 1000,
            )


def route_template(scope: Scope) -> str:
    """The path template of the route that answered (the router notes it in the scope),
    never the path itself."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class PrivateFormatter(DefaultFormatter):
    """uvicorn's formatter, writing an exception without its message (or its causes')."""

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:  # noqa: N802 (logging's name)
        _, error, _ = ei
        return "" if error is None else traceback_text(error)


def traceback_text(error: BaseException) -> str:
    """`error`'s traceback, causes included, each exception by its type: no message."""
    return "".join(_without_messages(error, set())).rstrip("\n")


def _without_messages(error: BaseException, seen: set[int]) -> list[str]:
    """The traceback `traceback.format_exception` writes, each exception by its type."""
    seen.add(id(error))
    out: list[str] = []
    cause, context = error.__cause__, error.__context__
    if cause is not None and id(cause) not in seen:
        out += _without_messages(cause, seen)
        out.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif context is not None and not error.__suppress_context__ and id(context) not in seen:
        out += _without_messages(context, seen)
        out.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    out.append("Traceback (most recent call last):\n")
    out += traceback.format_tb(error.__traceback__)
    kind = type(error)
    out.append(f"{kind.__module__}.{kind.__qualname__} (message not logged)\n")
    return out
