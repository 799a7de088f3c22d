"""The request context every route receives, and the app-wide CSRF check.

Routes declare `ctx: Anyone` (signed in or not) or `ctx: SignedIn` (refuses anonymous
requests: a redirect to the login page for pages, 401 for the API). `Ctx` carries the
database session (use it inside `with ctx.db.begin():`, through a service), the actor,
the clock's `now` for this request, the locale and the CSRF token for forms.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from sijcare.services import auth
from sijcare.services.actor import Actor, Origin
from sijcare.services.errors import Forbidden, Message, NotSignedIn, msg
from sijcare.web import i18n
from sijcare.web.platform import Platform
from sijcare.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    FLASH_COOKIE,
    PRESESSION_COOKIE,
    SAFE_METHODS,
    presession_token,
    tokens_match,
    unsign,
)

# Where a user who must change their password may still go.
PASSWORD_CHANGE_PATHS = frozenset(
    {"/account/password", "/logout", "/api/v1/me/password", "/api/v1/session", "/api/v1/me"}
)


class CsrfRejected(Forbidden):
    """The form or request did not carry this session's CSRF token."""


class PasswordChangeRequired(Forbidden):
    """The user signed in with a temporary password and must choose their own first."""


@dataclass
class Ctx:
    request: Request
    platform: Platform
    db: Session
    now: datetime
    origin: Origin
    actor: Actor | None
    csrf_token: str
    session_token: str | None
    locale: str
    notice: Message | None = None
    # A new pre-session nonce to send as a cookie with the response (first anonymous visit).
    new_presession: str | None = None

    @property
    def me(self) -> Actor:
        if self.actor is None:
            raise NotSignedIn(msg("Please sign in."))
        return self.actor

    @property
    def zone(self) -> str:
        """The time zone to show times in: the user's, else the clinic's."""
        return self.actor.time_zone if self.actor else self.platform.clinic_time_zone

    @property
    def today(self) -> date:
        """Today's date in `zone`."""
        return self.now.astimezone(ZoneInfo(self.zone)).date()

    @property
    def is_api(self) -> bool:
        return self.request.url.path.startswith("/api/")

    def text(self, message: Message) -> str:
        return message.render(i18n.translations(self.locale))


# The dependencies are `async def`: FastAPI runs a plain `def` one in its thread pool,
# and each hop there costs more than the work itself. Opening a session does no I/O (it
# connects at its first query); closing one hands the connection back; the session
# lookup, which queries, runs on the app's lookup threads (`Platform.look_up`).


async def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def get_db(platform: Annotated[Platform, Depends(get_platform)]) -> AsyncIterator[Session]:
    with platform.sessions() as session:
        yield session


async def get_ctx(
    request: Request,
    platform: Annotated[Platform, Depends(get_platform)],
    db: Annotated[Session, Depends(get_db)],
) -> Ctx:
    now = platform.clock()
    resumed = (
        await platform.look_up(lambda: resume_session(request, platform, db, now))
        if request.cookies.get(platform.session_cookie)
        else None
    )
    return context_of(request, platform, db, now, resumed)


def resume_session(
    request: Request, platform: Platform, db: Session, now: datetime
) -> auth.Resumed | None:
    """The session the request's cookie names, if it is valid now. It queries: run it
    off the event loop."""
    token = request.cookies.get(platform.session_cookie)
    if not token:
        return None
    return auth.resume(db, token=token, origin=_origin(request), now=now, config=platform.auth)


def resume_sessions(
    requests: Sequence[Request], platform: Platform, db: Session, now: datetime
) -> tuple[list[auth.Resumed | None], auth.Seen]:
    """`resume_session` of several requests served together, in one query; the sessions
    to mark as seen are for the caller's write transaction (`auth.resume_all`)."""
    tokens = [(r.cookies.get(platform.session_cookie), _origin(r)) for r in requests]
    given = [(token, origin) for token, origin in tokens if token]
    if not given:
        return [None] * len(requests), auth.Seen(frozenset(), now)
    resumed, seen = auth.resume_all(db, tokens=given, now=now, config=platform.auth)
    found = iter(resumed)
    return [next(found) if token else None for token, _ in tokens], seen


def context_of(
    request: Request, platform: Platform, db: Session, now: datetime, resumed: auth.Resumed | None
) -> Ctx:
    """The request's context once its session is known (no I/O). Kept on the request's
    state too, for the error handlers."""
    nonce = request.cookies.get(PRESESSION_COOKIE)
    new_presession = None
    if resumed is None and not nonce:
        nonce = new_presession = secrets.token_urlsafe(24)
    actor = resumed.actor if resumed else None
    ctx = Ctx(
        request=request,
        platform=platform,
        db=db,
        now=now,
        origin=_origin(request),
        actor=actor,
        csrf_token=resumed.csrf_token
        if resumed
        else presession_token(platform.auth.key, nonce or ""),
        session_token=request.cookies.get(platform.session_cookie) if resumed else None,
        locale=i18n.choose_locale(
            actor.locale if actor else None,
            request.headers.get("accept-language", ""),
            platform.settings.default_locale,
        ),
        notice=_read_notice(request, platform),
        new_presession=new_presession,
    )
    request.state.ctx = ctx
    return ctx


def _origin(request: Request) -> Origin:
    return Origin(
        ip=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", "")[:500],
    )


def _read_notice(request: Request, platform: Platform) -> Message | None:
    signed = request.cookies.get(FLASH_COOKIE)
    value = unsign(platform.auth.key, signed) if signed else None
    if not isinstance(value, dict) or not isinstance(value.get("text"), str):
        return None
    params = value.get("params")
    notice = msg(value["text"], **(params if isinstance(params, dict) else {}))
    plural, count = value.get("plural"), value.get("count")
    if isinstance(plural, str) and isinstance(count, str):
        return replace(notice, plural=plural, count=count)
    return notice


Anyone = Annotated[Ctx, Depends(get_ctx)]


async def verify_csrf(request: Request, ctx: Anyone) -> None:
    """Refuse an unsafe request that lacks this session's (or pre-session's) CSRF token."""
    if request.method in SAFE_METHODS:
        return
    check_csrf(await csrf_given(request), ctx)


async def csrf_given(request: Request) -> str | None:
    """The CSRF token a request carries: its header, else a form's hidden field."""
    given = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if given is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    return given


def check_csrf(given: str | None, ctx: Ctx) -> None:
    if not tokens_match(given, ctx.csrf_token):
        raise CsrfRejected(msg("This form has expired. Go back, reload the page and try again."))


async def signed_in(ctx: Anyone) -> Ctx:
    """The context of a signed-in user who has no pending password change."""
    return require_signed_in(ctx)


def require_signed_in(ctx: Ctx) -> Ctx:
    """`signed_in` for a route that also serves anonymous visitors."""
    actor = ctx.me
    if actor.must_change_password and ctx.request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired(msg("Please choose a new password before you go on."))
    return ctx


SignedIn = Annotated[Ctx, Depends(signed_in)]
