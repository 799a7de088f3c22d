"""Signing in and out, sessions, password changes and admin resets.

- Failed logins are throttled per account and per address (`LoginThrottle`); while
  throttled even the right password is refused, so guessing cannot continue.
- An unknown e-mail costs the same argon2 work as a known one (no timing oracle).
- A successful login always creates a new session token and deletes the one the browser
  brought, so a token planted before login is useless (no session fixation).
- Only SHA-256 hashes of session tokens are stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.engine import one_writer, read_only
from sijcare.db.enums import Role
from sijcare.db.models import LoginAttempt, User, WebSession
from sijcare.services import access, audit
from sijcare.services import passwords as password_rules
from sijcare.services.actor import Actor, Origin, actor_columns, actor_of, load_actor, with_actor
from sijcare.services.errors import (
    FieldError,
    Invalid,
    NotFound,
    ServiceError,
    Throttled,
    msg,
    plural_msg,
)
from sijcare.services.passwords import Passwords
from sijcare.settings import LoginThrottle, Settings

# Refreshing last_seen on every request would make every read a write; a minute is enough
# resolution for an idle timeout measured in tens of minutes.
_LAST_SEEN_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class AuthConfig:
    """What authentication needs from the settings."""

    passwords: Passwords
    throttle: LoginThrottle
    key: bytes
    idle: timedelta
    lifetime: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthConfig:
        return cls(
            passwords=Passwords(fast=settings.env.value == "test"),
            throttle=settings.login_throttle,
            key=settings.secret_key.reveal().encode("utf-8"),
            idle=timedelta(minutes=settings.session_idle_minutes),
            lifetime=timedelta(hours=settings.session_max_hours),
        )


@dataclass(frozen=True)
class Grant:
    """A new session: `token` goes in the cookie, `csrf_token` in every form."""

    token: str
    csrf_token: str
    actor: Actor
    expires_at: datetime


class LoginFailed(ServiceError):
    """Wrong e-mail or password (the message does not say which)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


def throttle_key(config: AuthConfig, address: str) -> str:
    """The key failed sign-ins are counted under: a keyed hash, so the throttle table
    holds no e-mail address. `address` is already normalized."""
    return hmac.new(config.key, address.encode("utf-8"), "sha256").hexdigest()


def login(
    db: Session,
    *,
    email: str,
    password: str,
    origin: Origin,
    now: datetime,
    config: AuthConfig,
    replacing_token: str | None = None,
) -> Grant:
    """Check the password and open a session; raises `LoginFailed` or `Throttled`."""
    address = normalize_email(email)
    email_hash = throttle_key(config, address)
    with db.begin():
        retry = _throttled_for(db, email_hash=email_hash, ip=origin.ip, now=now, config=config)
        user = db.scalar(sa.select(User).where(User.email == address))
        if retry is not None:
            audit.record_anonymous(
                db,
                action="auth.login_throttled",
                at=now,
                origin=origin,
                clinic_id=None if user is None else user.clinic_id,
                user_id=None if user is None else user.id,
            )
            outcome: Grant | ServiceError = Throttled(
                plural_msg(
                    "Too many failed sign-in attempts. Try again in {minutes} minute.",
                    "Too many failed sign-in attempts. Try again in {minutes} minutes.",
                    "minutes",
                    minutes=retry,
                ),
                retry,
            )
        else:
            outcome = _check(db, user, password, email_hash, origin, now, config, replacing_token)
    # The failed attempt is committed before the error is raised: it must count.
    if isinstance(outcome, ServiceError):
        raise outcome
    return outcome


def _check(
    db: Session,
    user: User | None,
    password: str,
    email_hash: str,
    origin: Origin,
    now: datetime,
    config: AuthConfig,
    replacing_token: str | None,
) -> Grant | ServiceError:
    if user is None:
        config.passwords.hash(password)  # the same work as a real check
        ok = False
    else:
        ok = config.passwords.verify(user.password_hash, password) and user.active
    db.add(LoginAttempt(at=now, email_hash=email_hash, ip=origin.ip, success=ok))
    if not ok or user is None:
        audit.record_anonymous(
            db,
            action="auth.login_failed",
            at=now,
            origin=origin,
            clinic_id=None if user is None else user.clinic_id,
            user_id=None if user is None else user.id,
        )
        return LoginFailed(msg("The e-mail address or password is not right."))
    if config.passwords.needs_rehash(user.password_hash):
        user.password_hash = config.passwords.hash(password)
    if replacing_token:
        db.execute(
            sa.delete(WebSession).where(WebSession.token_hash == hash_token(replacing_token))
        )
    return _open_session(db, user, origin, now, config)


def _open_session(
    db: Session, user: User, origin: Origin, now: datetime, config: AuthConfig
) -> Grant:
    token = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    expires_at = now + config.lifetime
    db.add(
        WebSession(
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=now,
            expires_at=expires_at,
            last_seen_at=now,
            csrf_token=csrf_token,
        )
    )
    actor = load_actor(db, user.id, origin)
    assert actor is not None  # the user was just found active
    audit.record(
        db, actor=actor, action="auth.login", at=now, target_type="user", target_id=user.id
    )
    return Grant(token=token, csrf_token=csrf_token, actor=actor, expires_at=expires_at)


def _throttled_for(
    db: Session, *, email_hash: str, ip: str, now: datetime, config: AuthConfig
) -> int | None:
    """Minutes until the next attempt is allowed, or None when not throttled."""
    window_start = now - timedelta(minutes=config.throttle.window_minutes)
    for column, value, limit in (
        (LoginAttempt.email_hash, email_hash, config.throttle.max_failures_per_account),
        (LoginAttempt.ip, ip, config.throttle.max_failures_per_address),
    ):
        if column is LoginAttempt.ip and not ip:
            continue
        failures = db.scalars(
            sa.select(LoginAttempt.at)
            .where(column == value, LoginAttempt.at > window_start)
            .where(LoginAttempt.success.is_(False))
            .where(LoginAttempt.at > _last_success(db, column, value, window_start))
            .order_by(LoginAttempt.at)
        ).all()
        if len(failures) >= limit:
            free_at = failures[-limit] + timedelta(minutes=config.throttle.window_minutes)
            return max(1, -(-int((free_at - now).total_seconds()) // 60))
    return None


def _last_success(
    db: Session, column: sa.orm.InstrumentedAttribute[str], value: str, window_start: datetime
) -> datetime:
    # A success resets the count for the account (not for an address shared by many).
    if column is LoginAttempt.ip:
        return window_start - timedelta(seconds=1)
    last = db.scalar(
        sa.select(sa.func.max(LoginAttempt.at)).where(column == value, LoginAttempt.success)
    )
    return window_start - timedelta(seconds=1) if last is None else max(last, window_start)


@dataclass(frozen=True)
class Resumed:
    actor: Actor
    csrf_token: str


def resume(
    db: Session, *, token: str, origin: Origin, now: datetime, config: AuthConfig
) -> Resumed | None:
    """The session for `token` if it is valid now (not expired, not idle too long).

    Every request runs this, so it is one query in a read-only transaction (on SQLite it
    takes no write lock); only a session to end or a `last_seen_at` a minute old is
    written, in a short transaction of its own.
    """
    token_hash = hash_token(token)
    with db.begin():
        read_only(db)
        found = db.connection().execute(_RESUME, {"token_hash": token_hash}).first()
    rows = {token_hash: found}
    ended, seen = _judge(rows, now, config)
    _end(db, ended, seen)
    return _resumed(rows, [(token_hash, origin)], ended)[0]


def resume_all(
    db: Session, *, tokens: Sequence[tuple[str, Origin]], now: datetime, config: AuthConfig
) -> tuple[list[Resumed | None], Seen]:
    """`resume` of the sessions of several requests (each token with its request's
    origin) that are served together: one query. The sessions that are over end at once;
    those to mark as seen are returned, for the caller's own write transaction (one
    commit fewer a batch: on SQLite each commit also empties the other processes' page
    caches)."""
    hashes = [(hash_token(token), origin) for token, origin in tokens]
    with db.begin():
        read_only(db)
        rows = db.connection().execute(_RESUME_ALL, {"hashes": sorted({h for h, _ in hashes})})
        found = {row[0]: row[1:] for row in rows}
    ended, seen = _judge(found, now, config)
    _end(db, ended, Seen(frozenset(), now))
    return _resumed(found, hashes, ended), seen


@dataclass(frozen=True)
class Seen:
    """Sessions last seen a minute ago or more, to mark as seen `at` (`write`)."""

    token_hashes: frozenset[str]
    at: datetime

    def write(self, connection: sa.Connection) -> None:
        if self.token_hashes:
            connection.execute(
                sa.update(WebSession)
                .where(WebSession.token_hash.in_(self.token_hashes))
                .values(last_seen_at=self.at)
            )


def _judge(
    found: Mapping[str, Sequence[Any] | None], now: datetime, config: AuthConfig
) -> tuple[frozenset[str], Seen]:
    """The sessions (rows of `_RESUME`'s columns) that are over, and those to mark seen."""
    ended, touched = set(), set()
    for token_hash, row in found.items():
        if row is None:
            continue
        expires_at, last_seen_at = row[:2]
        # An expired or idle session, or one whose user is gone or inactive, ends.
        if now >= expires_at or now >= last_seen_at + config.idle or row[3] is None:
            ended.add(token_hash)
        elif now - last_seen_at >= _LAST_SEEN_RESOLUTION:
            touched.add(token_hash)
    return frozenset(ended), Seen(frozenset(touched), now)


def _end(db: Session, ended: frozenset[str], seen: Seen) -> None:
    """End the sessions that are over and mark the others seen, in one short write."""
    if ended or seen.token_hashes:
        # In turn with the other writers (SQLite), as the score writes take it, rather
        # than in SQLite's busy handler (`db.engine.one_writer`).
        with one_writer(db), db.begin():
            if ended:
                db.execute(sa.delete(WebSession).where(WebSession.token_hash.in_(ended)))
            seen.write(db.connection())


def _resumed(
    found: Mapping[str, Sequence[Any] | None],
    requests: Sequence[tuple[str, Origin]],
    ended: frozenset[str],
) -> list[Resumed | None]:
    """Each request's session from its row, unless it ended."""
    out: list[Resumed | None] = []
    for token_hash, origin in requests:
        row = found.get(token_hash)
        if row is None or token_hash in ended:
            out.append(None)
        else:
            out.append(Resumed(actor=actor_of(row[3:], origin), csrf_token=row[2]))
    return out


_SESSION_COLUMNS = (
    WebSession.expires_at,
    WebSession.last_seen_at,
    WebSession.csrf_token,
    *actor_columns(),
)
_RESUME = with_actor(
    sa.select(*_SESSION_COLUMNS).select_from(WebSession), WebSession.user_id
).where(WebSession.token_hash == sa.bindparam("token_hash"))
_RESUME_ALL = with_actor(
    sa.select(WebSession.token_hash, *_SESSION_COLUMNS).select_from(WebSession),
    WebSession.user_id,
).where(WebSession.token_hash.in_(sa.bindparam("hashes", expanding=True)))


def logout(db: Session, *, actor: Actor, token: str, now: datetime) -> None:
    with db.begin():
        db.execute(sa.delete(WebSession).where(WebSession.token_hash == hash_token(token)))
        audit.record(
            db,
            actor=actor,
            action="auth.logout",
            at=now,
            target_type="user",
            target_id=actor.user_id,
        )


def change_password(
    db: Session,
    *,
    actor: Actor,
    current: str,
    new: str,
    confirm: str,
    now: datetime,
    config: AuthConfig,
    keep_token: str | None = None,
) -> None:
    """Change the actor's own password; other sessions of the user are signed out."""
    with db.begin():
        user = db.get_one(User, actor.user_id)
        errors = password_rules.problems(new, context=(user.email, user.display_name))
        if new != confirm:
            errors.append(
                FieldError("confirm_password", msg("The two new passwords do not match."))
            )
        if not current:
            errors.insert(0, FieldError("current_password", msg("Enter your current password.")))
        elif not config.passwords.verify(user.password_hash, current):
            errors.insert(
                0, FieldError("current_password", msg("This is not your current password."))
            )
        if errors:
            raise Invalid(errors)
        user.password_hash = config.passwords.hash(new)
        user.must_change_password = False
        user.password_changed_at = now
        others = sa.delete(WebSession).where(WebSession.user_id == user.id)
        if keep_token:
            others = others.where(WebSession.token_hash != hash_token(keep_token))
        db.execute(others)
        audit.record(
            db,
            actor=actor,
            action="user.change_password",
            at=now,
            target_type="user",
            target_id=user.id,
        )


def reset_password(
    db: Session, *, actor: Actor, user_id: int, now: datetime, config: AuthConfig
) -> str:
    """Give a user of the admin's clinic a temporary password (returned once, shown once).

    The user must choose a new password at their next sign-in; their sessions end now.
    """
    access.require_role(actor, Role.ADMIN)
    temporary = password_rules.temporary_password()
    with db.begin():
        user = db.get(User, user_id)
        if user is None or user.clinic_id != actor.clinic_id:
            raise NotFound(msg("There is no such user."))
        user.password_hash = config.passwords.hash(temporary)
        user.must_change_password = True
        user.password_changed_at = now
        db.execute(sa.delete(WebSession).where(WebSession.user_id == user.id))
        db.execute(
            sa.delete(LoginAttempt).where(
                LoginAttempt.email_hash == throttle_key(config, user.email)
            )
        )
        audit.record(
            db,
            actor=actor,
            action="user.reset_password",
            at=now,
            target_type="user",
            target_id=user.id,
        )
    return temporary
