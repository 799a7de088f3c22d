"""The JSON API of signing in and out, and of the signed-in user's own account.

Unsafe calls need the `X-CSRF-Token` header. Before signing in, get a token from
`GET /api/v1/session/csrf` (it sets the pre-session cookie it is bound to); the answer
to a sign-in carries the session's token for the calls that follow.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from sijcare.db.enums import Role
from sijcare.services import auth, users
from sijcare.services.actor import Actor
from sijcare.services.errors import Throttled
from sijcare.web.api import errors
from sijcare.web.deps import Anyone, SignedIn
from sijcare.web.errors import api_error
from sijcare.web.limits import LOCALE_MAX_LENGTH, TIME_ZONE_MAX_LENGTH
from sijcare.web.pages import clear_session_cookie, finish, set_session_cookie

router = APIRouter(prefix="/api/v1", tags=["session"])


class CsrfOut(BaseModel):
    csrf_token: str


class Credentials(BaseModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class Me(BaseModel):
    user_id: int
    display_name: str
    role: Role
    locale: str
    time_zone: str
    must_change_password: bool
    patient_id: int | None
    practitioner_id: int | None

    @classmethod
    def of(cls, actor: Actor) -> Me:
        return cls(
            user_id=actor.user_id,
            display_name=actor.display_name,
            role=actor.role,
            locale=actor.locale,
            time_zone=actor.time_zone,
            must_change_password=actor.must_change_password,
            patient_id=actor.patient_id,
            practitioner_id=actor.practitioner_id,
        )


class SessionOut(BaseModel):
    user: Me
    csrf_token: str


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)
    confirm_password: str = Field(max_length=200)


class Preferences(BaseModel):
    # Lengths of the stored columns; the service checks the value against LOCALES and zoneinfo.
    locale: str = Field(max_length=LOCALE_MAX_LENGTH, description="en or es")
    time_zone: str = Field(
        "",
        max_length=TIME_ZONE_MAX_LENGTH,
        description="An IANA zone, or empty for the clinic's zone",
    )


@router.get("/session/csrf", response_model=CsrfOut)
def csrf_token(ctx: Anyone) -> Response:
    """The CSRF token to send as X-CSRF-Token (before sign-in: bound to a pre-session cookie)."""
    response = JSONResponse(CsrfOut(csrf_token=ctx.csrf_token).model_dump())
    finish(ctx, response)
    return response


@router.post(
    "/session",
    response_model=SessionOut,
    responses=errors(401, 403, 422, 429),
)
def sign_in(body: Credentials, request: Request, ctx: Anyone) -> Response:
    """Sign in; sets the session cookie."""
    try:
        grant = auth.login(
            ctx.db,
            email=body.email,
            password=body.password,
            origin=ctx.origin,
            now=ctx.now,
            config=ctx.platform.auth,
            replacing_token=request.cookies.get(ctx.platform.session_cookie),
        )
    except Throttled as exc:
        headers = {"Retry-After": str(exc.retry_after_minutes * 60)}
        return api_error(ctx, 429, exc.message, headers=headers)
    except auth.LoginFailed as exc:
        return api_error(ctx, 401, exc.message)
    out = SessionOut(user=Me.of(grant.actor), csrf_token=grant.csrf_token)
    response = JSONResponse(out.model_dump(mode="json"))
    set_session_cookie(ctx, response, grant.token)
    return response


@router.delete("/session", status_code=204, responses=errors(401, 403))
def sign_out(ctx: SignedIn) -> Response:
    """Sign out: the session ends and its cookie is removed."""
    assert ctx.session_token is not None
    auth.logout(ctx.db, actor=ctx.me, token=ctx.session_token, now=ctx.now)
    response = Response(status_code=204)
    clear_session_cookie(ctx, response)
    return response


@router.get("/me", response_model=Me, responses=errors(401))
def me(ctx: SignedIn) -> Me:
    """The signed-in user."""
    return Me.of(ctx.me)


@router.patch("/me", response_model=Me, responses=errors(401, 403, 422))
def update_me(body: Preferences, ctx: SignedIn) -> Me:
    """Set the signed-in user's language and time zone."""
    actor = users.update_preferences(
        ctx.db, actor=ctx.me, locale=body.locale, time_zone=body.time_zone, now=ctx.now
    )
    return Me.of(actor)


@router.post("/me/password", status_code=204, responses=errors(401, 403, 422))
def change_password(body: PasswordChange, ctx: SignedIn) -> Response:
    """Change the signed-in user's password; their other sessions end."""
    auth.change_password(
        ctx.db,
        actor=ctx.me,
        current=body.current_password,
        new=body.new_password,
        confirm=body.confirm_password,
        now=ctx.now,
        config=ctx.platform.auth,
        keep_token=ctx.session_token,
    )
    return Response(status_code=204)
