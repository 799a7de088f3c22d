"""Consent: the questions answered for this injection, confirming them, agreeing (pages, API).

The page lists the core's answers to the consent questions for the current plan, in the
reader's language; the patient ticks "I understand" under each one and agrees, and the
record keeps the language of the page (the request's locale). The API gives the answers
in English, so an agreement through it is recorded as read in English. A clinician
witnesses it in the workspace. When the plan changes, the page says consent must be
given again.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from sijcare.domain.consent import Question
from sijcare.services import consent
from sijcare.services.errors import Conflict, Invalid, Message, msg
from sijcare.web import i18n
from sijcare.web.api import errors
from sijcare.web.deps import Ctx, SignedIn
from sijcare.web.forms import FormState, read_form
from sijcare.web.pages import redirect, render

router = APIRouter(tags=["portal"])


@router.get("/portal/pathways/{pathway_id}/consent", include_in_schema=False)
def consent_page(pathway_id: int, ctx: SignedIn) -> Response:
    return _page(ctx, pathway_id, FormState())


def _page(
    ctx: Ctx,
    pathway_id: int,
    state: FormState,
    status_code: int = 200,
    problem: Message | None = None,
) -> Response:
    page = consent.view_consent(
        ctx.db, actor=ctx.me, pathway_id=pathway_id, knowledge=ctx.platform.knowledge, now=ctx.now
    )
    context = {"page": page, "problem": problem, **state.context()}
    return render(ctx, "portal/consent.html", context, status_code=status_code)


@router.post("/portal/pathways/{pathway_id}/consent", include_in_schema=False)
async def agree(pathway_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    confirmed = [q.value for q in Question if form.get(f"confirm_{q.value}") == "yes"]
    try:
        consent.give_consent(
            ctx.db,
            actor=ctx.me,
            pathway_id=pathway_id,
            plan_version=form.get("plan_version", ""),
            confirmed=confirmed,
            agree=form.get("agree") == "yes",
            language=ctx.locale,
            knowledge=ctx.platform.knowledge,
            now=ctx.now,
        )
    except Invalid as exc:
        return _page(ctx, pathway_id, FormState.failed(form, exc), 422)
    except Conflict as exc:
        return _page(ctx, pathway_id, FormState(), 409, problem=exc.message)
    return redirect(
        ctx,
        f"/portal/pathways/{pathway_id}/consent",
        notice=msg("Thank you. Your consent is saved."),
    )


class AnswerOut(BaseModel):
    question: str = Field(description="The question's id, to confirm it")
    text: str
    answer: list[str]


class ConsentOut(BaseModel):
    pathway_id: int
    state: str = Field(
        description="no_plan | none | plan_changed | unconfirmed | needs_witness | complete"
    )
    plan_version: str | None = Field(description="Send it back when agreeing")
    questions: list[AnswerOut] = Field(description="The answers, in English")
    agreed_at: datetime | None
    witnessed_at: datetime | None
    witnessed_by: str

    @classmethod
    def of(cls, page: consent.ConsentPage) -> ConsentOut:
        questions, status = page.questions, page.status
        return cls(
            pathway_id=page.pathway.id,
            state=status.state.value,
            plan_version=None if questions is None else questions.plan_version,
            questions=[]
            if questions is None
            else [
                AnswerOut(question=a.question.value, text=a.text, answer=list(a.answer))
                for a in questions.answers
            ],
            agreed_at=status.agreed_at,
            witnessed_at=status.witnessed_at,
            witnessed_by=status.witnessed_by,
        )


class AgreementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan_version: str = Field(max_length=64)
    # Each question once at most.
    confirmed: list[Question] = Field(
        max_length=len(Question), description="Every question the patient understood"
    )
    agree: bool


@router.get(
    "/api/v1/portal/pathways/{pathway_id}/consent",
    response_model=ConsentOut,
    responses=errors(401, 403, 404),
)
def get_consent(pathway_id: int, ctx: SignedIn) -> ConsentOut:
    """The consent questions answered for the current plan, and where consent stands."""
    page = consent.view_consent(
        ctx.db, actor=ctx.me, pathway_id=pathway_id, knowledge=ctx.platform.knowledge, now=ctx.now
    )
    return ConsentOut.of(page)


@router.post(
    "/api/v1/portal/pathways/{pathway_id}/consent",
    response_model=ConsentOut,
    status_code=201,
    responses=errors(401, 403, 404, 409, 422),
)
def post_consent(pathway_id: int, body: AgreementIn, ctx: SignedIn) -> ConsentOut:
    """Confirm every answer and agree (the patient only); a clinician then witnesses it."""
    consent.give_consent(
        ctx.db,
        actor=ctx.me,
        pathway_id=pathway_id,
        plan_version=body.plan_version,
        confirmed=[q.value for q in body.confirmed],
        agree=body.agree,
        language=i18n.SOURCE_LOCALE,  # the API's answers are English (`ConsentOut`)
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    return get_consent(pathway_id, ctx)
