"""Security headers, CSRF tokens and signed cookies.

CSRF: a synchronizer token. A signed-in session has its own random token (stored with
the session); every form carries it in the hidden field `csrf_token` and every unsafe
API call in the `X-CSRF-Token` header. Before sign-in (the login form) the token is an
HMAC of a random pre-session cookie, so a page from another site can neither read nor
forge it. `verify_csrf` runs on every route of the app (an app-wide dependency).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
PRESESSION_COOKIE = "sijcare_presession"
FLASH_COOKIE = "sijcare_notice"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeadersMiddleware:
    """Adds the security headers to every response; pages and API answers are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if not static:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def presession_token(key: bytes, nonce: str) -> str:
    """The CSRF token of a browser before sign-in, bound to its pre-session cookie."""
    return hmac.new(key, b"presession:" + nonce.encode("utf-8"), hashlib.sha256).hexdigest()


def tokens_match(given: str | None, expected: str) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(str(given), expected)


def sign(key: bytes, value: Any) -> str:
    """`value` as JSON, base64-encoded, with an HMAC so it cannot be altered."""
    body = base64.urlsafe_b64encode(json.dumps(value).encode("utf-8")).decode("ascii")
    mac = hmac.new(key, body.encode("ascii"), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def unsign(key: bytes, signed: str) -> Any:
    """The value of `sign`, or None when the text was altered or is not ours."""
    body, _, mac = signed.rpartition(".")
    expected = hmac.new(key, body.encode("ascii", "replace"), hashlib.sha256).hexdigest()
    if not body or not hmac.compare_digest(mac, expected):
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(body.encode("ascii")))
    except ValueError:
        return None
