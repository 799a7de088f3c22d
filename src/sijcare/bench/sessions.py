"""Signed-in sessions for the benchmarks, stored as a sign-in stores them.

A sign-in checks a password with argon2 (tens of milliseconds by design); the
benchmarks need hundreds of sessions, so they store the session rows directly, with the
same token hashing as `services.auth`. The cookie carries the token, and unsafe calls
carry the session's CSRF token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from sijcare.db.models import WebSession
from sijcare.services.auth import hash_token

COOKIE = "sijcare_session"  # without SIJCARE_SECURE_COOKIES (the benchmarks use plain HTTP)


@dataclass(frozen=True)
class Signed:
    user_id: int
    token: str
    csrf_token: str

    @property
    def cookie(self) -> str:
        return f"{COOKIE}={self.token}"


def open_sessions(connection: sa.Connection, user_ids: list[int], now: datetime) -> list[Signed]:
    """A fresh session for each user, valid for a day from `now`."""
    out = [Signed(u, secrets.token_urlsafe(32), secrets.token_urlsafe(32)) for u in user_ids]
    connection.execute(
        sa.insert(WebSession),
        [
            {
                "token_hash": hash_token(s.token),
                "user_id": s.user_id,
                "created_at": now,
                "expires_at": now + timedelta(days=1),
                "last_seen_at": now,
                "csrf_token": s.csrf_token,
            }
            for s in out
        ],
    )
    return out
