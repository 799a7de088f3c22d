"""One log line a request, with nothing of a patient in it.

A server's usual access log writes each request's path and query string, and ours carry
patient data: `/patients?search=<a name>`, `/patients/17`. This one writes the method,
the route the request matched as its template (`/patients/{patient_id}`), the status
and the time taken; no query string, no id, no client address. It replaces uvicorn's
(`sijcare serve` turns that one off).

Written to the `sijcare.access` logger at INFO: off unless logging is set up for it, as
`sijcare serve` does, and then a request costs one check of the level.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
