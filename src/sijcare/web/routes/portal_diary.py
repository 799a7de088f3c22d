"""The pain diary and the pain chart (pages and API).

The patient records a score (0-10), whether they could do the activity that usually
hurts, and a note; the time is now unless they give a date and a time (in their zone).
The form carries a one-time `form_token`, so pressing "Save" twice saves once.
"""

from __future__ import annotations

import email.message
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from markupsafe import Markup
from pydantic import AwareDatetime, BaseModel, Field, ValidationError
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sijcare.db.models import DiaryEntry
from sijcare.services import diary, diary_corrections
from sijcare.services.errors import FieldError, Invalid, Message, msg
from sijcare.web import charts
from sijcare.web.api import errors
from sijcare.web.batches import Batches
from sijcare.web.deps import (
    Ctx,
    SignedIn,
    check_csrf,
    context_of,
    csrf_given,
    require_signed_in,
    resume_sessions,
)
from sijcare.web.forms import FormParser, FormState, new_form_token, read_form
from sijcare.web.pages import redirect, render
from sijcare.web.platform import Platform

router = APIRouter(tags=["portal"])
NOTE_MAX = diary.NOTE_MAX_LENGTH


# -- pages --------------------------------------------------------------------------------


@router.get("/portal/procedures/{procedure_id}/diary", include_in_schema=False)
def diary_page(procedure_id: int, ctx: SignedIn) -> Response:
    return diary_page_response(ctx, procedure_id, FormState())


def diary_page_response(
    ctx: Ctx,
    procedure_id: int,
    state: FormState,
    status_code: int = 200,
    *,
    problem: Message | None = None,
) -> Response:
    """The diary page; `state` holds a failed form's values and errors (the new score's,
    or the correction's), `problem` a refusal to show above them."""
    knowledge = ctx.platform.knowledge
    view = diary.view_diary(
        ctx.db, actor=ctx.me, procedure_id=procedure_id, knowledge=knowledge, now=ctx.now
    )
    fix = diary_corrections.correctable(view.entries, ctx.me, knowledge, ctx.now)
    context: dict[str, Any] = {
        "view": view,
        "form_token": state.values.get("form_token") or new_form_token(),
        "is_patient": ctx.me.patient_id is not None,
        "fix": fix,
        "problem": problem,
        **state.context(),
    }
    # The saved values fill the correction form, unless it comes back with the
    # patient's own after a refusal.
    if fix is not None and "entry_id" not in context["values"]:
        activity = diary.Activity.of(fix.entry.activity_done)
        context["values"] = {
            **context["values"],
            "corrected_pain": str(fix.entry.pain),
            "corrected_activity": "" if activity is None else activity.value,
            "corrected_note": fix.entry.note,
        }
    return render(ctx, "portal/diary.html", context, status_code=status_code)


@router.post("/portal/procedures/{procedure_id}/diary", include_in_schema=False)
async def add_entry(procedure_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    try:
        await _record(ctx, procedure_id, parse_entry(form, ctx.zone))
    except Invalid as exc:
        errors_ = tuple(
            FieldError("recorded_date" if e.field == "recorded_at" else e.field, e.message)
            for e in exc.errors
        )
        return diary_page_response(ctx, procedure_id, FormState.failed(form, Invalid(errors_)), 422)
    return redirect(
        ctx, f"/portal/procedures/{procedure_id}/diary", notice=msg("Your score is saved.")
    )


def parse_entry(form: dict[str, str], zone: str) -> diary.NewEntry:
    """The diary form's fields as a new entry; every bad field at once as `Invalid`."""
    parser = FormParser(form)
    pain = parser.integer("pain", msg("Choose a number from 0 to 10."))
    activity = None
    if form.get("activity"):
        activity = parser.choice("activity", diary.Activity, msg("Choose one of the answers."))
    note = parser.text("note", max_length=NOTE_MAX)
    day = parser.day("recorded_date", required=False)
    clock = parser.clock_time("recorded_time", required=False)
    if (day is None) != (clock is None) and not parser.errors:
        missing = "recorded_time" if clock is None else "recorded_date"
        parser.fail(missing, msg("Give both the date and the time, or leave both empty for now."))
    parser.check()
    assert pain is not None
    return diary.NewEntry(
        pain=pain,
        activity=activity,
        note=note,
        recorded_at=None if day is None or clock is None else local_moment(day, clock, zone),
        idempotency_key=form.get("form_token") or None,
    )


def local_moment(day: date, clock: time, zone: str) -> datetime:
    """`clock` on `day` in `zone`; a time skipped by a clock change moves forward."""
    tz = ZoneInfo(zone)
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC).astimezone(tz)


@router.get("/portal/procedures/{procedure_id}/chart", include_in_schema=False)
def chart_page(procedure_id: int, ctx: SignedIn) -> Response:
    view = diary.view_diary(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
        action="chart.view",
    )
    knowledge = ctx.platform.knowledge
    svg = charts.pain_chart_svg(
        view.procedure, view.scores, view.reading, knowledge, ctx.zone, ctx.locale
    )
    description = charts.describe_pain_chart(
        view.procedure, view.scores, view.reading, knowledge, ctx.zone, ctx.locale
    )
    # The SVG is our own markup: every text in it was escaped by ElementTree.
    context = {"view": view, "chart": Markup(svg), "description": description}
    return render(ctx, "portal/chart.html", context)


# -- API ------------------------------------------------------------------------------------


class PromptOut(BaseModel):
    due_at: datetime
    label: str
    purpose: str = Field(description="anesthetic_window | daily | weekly | milestone")
    milestone: str | None = Field(description="2w | 6w | 3m for a milestone prompt")
    state: str = Field(description="done | due | missed | upcoming")


class EntryOut(BaseModel):
    id: int
    recorded_at: datetime
    pain: int
    note: str
    activity: str | None = Field(description="yes | no | null (not answered or not tried)")

    @classmethod
    def of(cls, entry: DiaryEntry) -> EntryOut:
        activity = diary.Activity.of(entry.activity_done)
        return cls(
            id=entry.id,
            recorded_at=entry.recorded_at,
            pain=entry.pain,
            note=entry.note,
            activity=None if activity is None else activity.value,
        )


class DiaryOut(BaseModel):
    procedure_id: int
    pathway_id: int
    performed_at: datetime
    kind: str
    side: str
    baseline_pain: int
    prompts: list[PromptOut]
    entries: list[EntryOut]


class EntryIn(BaseModel):
    # Strict: JSON true is not a pain score of 1.
    pain: int = Field(ge=0, le=10, strict=True, description="Pain now, 0 (none) to 10 (worst)")
    activity: diary.Activity | None = Field(
        None, description="Could you do the activity that usually hurts?"
    )
    note: str = Field("", max_length=NOTE_MAX)
    recorded_at: AwareDatetime | None = Field(None, description="When; now if left out")
    idempotency_key: str | None = Field(
        None, max_length=64, description="Send the same key again to get the same entry back"
    )


@router.get(
    "/api/v1/portal/procedures/{procedure_id}/diary",
    response_model=DiaryOut,
    responses=errors(401, 403, 404),
)
def get_diary(procedure_id: int, ctx: SignedIn) -> DiaryOut:
    """The diary: the schedule with each prompt's state, and the entries (oldest first)."""
    view = diary.view_diary(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    return DiaryOut(
        procedure_id=view.record.id,
        pathway_id=view.pathway.id,
        performed_at=view.procedure.performed_at,
        kind=view.procedure.kind.value,
        side=view.procedure.side.value,
        baseline_pain=view.procedure.baseline_pain,
        prompts=[
            PromptOut(
                due_at=p.prompt.due_at,
                label=p.prompt.label,
                purpose=p.prompt.purpose.value,
                milestone=p.prompt.milestone,
                state=p.state.value,
            )
            for p in view.prompts
        ],
        entries=[EntryOut.of(e) for e in view.entries],
    )


@router.post(
    "/api/v1/portal/procedures/{procedure_id}/diary-entries",
    response_model=EntryOut,
    status_code=201,
    responses=errors(401, 403, 404, 409, 422),
)
async def post_entry(procedure_id: int, body: EntryIn, ctx: SignedIn) -> EntryOut:
    """Record a pain score (the patient only); the diary's interpretation is updated."""
    recorded = await _record(ctx, procedure_id, _new_entry(body))
    return EntryOut.of(recorded)


# -- the score API without FastAPI's routing and dependency resolution ----------------------
#
# Every patient writes scores several times a day: this is the app's busiest request. A
# profile of one app process under load showed about a third of its CPU in FastAPI
# itself (matching the path against every route, resolving the dependencies, one more
# thread hop for the session lookup). `record_score` serves the same request as
# `post_entry` (which stays for the API's documentation, and for a path FastAPI alone
# refuses) from the same parts in the same order. The scores that arrive together are
# recorded together (`web.batches`, `diary.record_entries`): one session query, one
# transaction, one insert of each kind for all of them, in one `Platform.write` (in the
# event loop, or on a writer thread for a database on another machine); each request
# still gets the answer it would get alone. `tests/web/test_score_api_twins.py` sends the
# same requests to both routes and compares the answers.

# At most this many scores in one transaction, to bound its size (a batch holds at most
# one score per waiting request: under the benchmark's 32 connections, at most 32).
BATCH_LIMIT = 64


@dataclass(frozen=True)
class _Score:
    """A score request as read in the event loop: its path id, body and CSRF token, and
    when it came (the score's time if the body gives none)."""

    request: Request
    procedure_id: int
    body: Any
    csrf_given: str | None
    now: datetime


async def record_score(request: Request) -> Response:
    """`POST /api/v1/portal/procedures/{procedure_id}/diary-entries` (see above)."""
    now = request.app.state.platform.clock()
    raw = await request.body()
    body = _json_body(raw, request.headers.get("content-type"))  # FastAPI reads it first
    given = await csrf_given(request)
    score = _Score(request, request.path_params["procedure_id"], body, given, now)
    recorded = await _batches(request).submit(score)
    return JSONResponse(EntryOut.of(recorded).model_dump(mode="json"), status_code=201)


def _batches(request: Request) -> Batches[_Score, DiaryEntry]:
    """The app's batches of score requests (made on first use, in the event loop)."""
    state = request.app.state
    found: Batches[_Score, DiaryEntry] | None = getattr(state, "score_batches", None)
    if found is None:
        platform: Platform = state.platform

        async def serve(scores: list[_Score]) -> list[DiaryEntry | Exception]:
            return await platform.write(lambda: _record_scores(platform, scores))

        slots = platform.write_slots
        found = state.score_batches = Batches(serve, limit=BATCH_LIMIT, slots=slots)
    return found


def _record_scores(platform: Platform, scores: list[_Score]) -> list[DiaryEntry | Exception]:
    """Each request's checks in `post_entry`'s order (its session, CSRF, sign-in, body),
    then the scores that passed them, recorded together."""
    answers: list[DiaryEntry | Exception | None] = [None] * len(scores)
    checked: list[tuple[int, diary.ScoreRequest]] = []
    with platform.sessions() as db:
        sessions, seen = resume_sessions(
            [s.request for s in scores], platform, db, platform.clock()
        )
        for index, (score, resumed) in enumerate(zip(scores, sessions, strict=True)):
            try:
                ctx = context_of(score.request, platform, db, score.now, resumed)
                check_csrf(score.csrf_given, ctx)
                require_signed_in(ctx)
                entry = _new_entry(_entry_in(score.body))
            except Exception as exc:  # answered as alone: see `Batches`
                answers[index] = exc
                continue
            request = diary.ScoreRequest(ctx.me, score.procedure_id, entry, score.now)
            checked.append((index, request))
        # The sessions are marked seen in the scores' write transaction.
        outcomes = diary.record_entries(
            db, [r for _, r in checked], platform.knowledge, also=seen.write
        )
    for (index, _), outcome in zip(checked, outcomes, strict=True):
        answers[index] = outcome
    assert all(answer is not None for answer in answers)
    return [answer for answer in answers if answer is not None]


fast_routes = [
    Route(
        "/api/v1/portal/procedures/{procedure_id:int}/diary-entries",
        record_score,
        methods=["POST"],
    )
]
_NO_BODY = object()


def _json_body(raw: bytes, content_type: str | None) -> Any:
    """The body as FastAPI reads a JSON body parameter: parsed when the content type is
    JSON, else the bytes; `_NO_BODY` when empty."""
    if not raw:
        return _NO_BODY
    if content_type is None:
        return raw
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    if message.get_content_maintype() != "application" or not (
        subtype == "json" or subtype.endswith("+json")
    ):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        error = {
            "type": "json_invalid",
            "loc": ("body", exc.pos),
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": exc.msg},
        }
        raise RequestValidationError([error]) from exc


def _entry_in(body: Any) -> EntryIn:
    """The body checked as FastAPI checks a required body parameter."""
    if body is _NO_BODY:
        missing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
        raise RequestValidationError([missing])
    try:
        return EntryIn.model_validate(body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        ) from exc


def _new_entry(body: EntryIn) -> diary.NewEntry:
    return diary.NewEntry(
        pain=body.pain,
        activity=body.activity,
        note=body.note,
        recorded_at=body.recorded_at,
        idempotency_key=body.idempotency_key,
    )


async def _record(ctx: Ctx, procedure_id: int, entry: diary.NewEntry) -> DiaryEntry:
    """Record a score through `Platform.write` (the form and the API alike): in the event
    loop, or on the writer thread for a database on another machine."""
    return await ctx.platform.write(
        lambda: diary.record_entry(
            ctx.db,
            actor=ctx.me,
            procedure_id=procedure_id,
            entry=entry,
            knowledge=ctx.platform.knowledge,
            now=ctx.now,
        )
    )


@router.get(
    "/api/v1/portal/procedures/{procedure_id}/chart.svg",
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {}}, "description": "The pain chart (SVG)"},
        **errors(401, 403, 404),
    },
)
def get_chart(procedure_id: int, ctx: SignedIn) -> Response:
    """The pain chart as an SVG image, with its text alternative inside (`<desc>`)."""
    view = diary.view_diary(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
        action="chart.view",
    )
    svg = charts.pain_chart_svg(
        view.procedure, view.scores, view.reading, ctx.platform.knowledge, ctx.zone, ctx.locale
    )
    return Response(svg, media_type="image/svg+xml")
