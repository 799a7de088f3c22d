"""The quality dashboard (`/quality`) and its CSV export, for a clinic's clinicians and admins.

Aggregates only (no patient is shown): see `sijcare.services.outcomes` for every figure.
Filters come from the query string, so a filtered view is a link: `by`, `since` and
`until` (dates; `until` included), `physician` (part of the documented name, any
case), `side`, `anesthetic`, `steroid`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.services import outcomes
from sijcare.services.errors import FieldError, Invalid, msg
from sijcare.web.deps import SignedIn
from sijcare.web.forms import FormState
from sijcare.web.navigation import NavLink
from sijcare.web.pages import render
from sijcare.web.routes.quality_charts import rates_chart

router = APIRouter(include_in_schema=False)
nav_links = (
    NavLink(
        "/quality",
        msg("Quality"),
        frozenset({Role.CLINICIAN, Role.ADMIN}),
        msg("How well the clinic's injections work: blocks, responders, flares, red flags."),
    ),
)
SIDES = ("left", "right", "bilateral")


def read_filter(query: dict[str, str]) -> tuple[str | None, outcomes.OutcomeFilter]:
    """The grouping and the filter of the query string; `Invalid` names a bad field."""
    errors: list[FieldError] = []
    by = query.get("by", "").strip() or None
    if by is not None and by not in outcomes.GROUPS:
        errors.append(FieldError("by", msg("Choose one of the groupings.")))
    days: dict[str, date | None] = {}
    for name in ("since", "until"):
        text = query.get(name, "").strip()
        try:
            days[name] = date.fromisoformat(text) if text else None
        except ValueError:
            days[name] = None
            errors.append(FieldError(name, msg("Enter a date like 2026-03-08.")))
    side = query.get("side", "").strip() or None
    if side is not None and side not in SIDES:
        errors.append(FieldError("side", msg("Choose left, right or both.")))
    since, until = days["since"], days["until"]
    if since and until and until < since:
        errors.append(FieldError("until", msg("The end date is before the start date.")))
    if errors:
        raise Invalid(errors)
    return by, outcomes.OutcomeFilter(
        physician=query.get("physician", "").strip() or None,
        side=side,
        anesthetic=query.get("anesthetic", "").strip() or None,
        steroid=query.get("steroid", "").strip() or None,
        since=since,
        until=None if until is None else until + timedelta(days=1),
    )


@router.get("/quality")
def quality_page(request: Request, ctx: SignedIn) -> Response:
    query = dict(request.query_params)
    choices = _choices(ctx)
    try:
        by, where = read_filter(query)
    except Invalid as exc:
        context = {**FormState.failed(query, exc).context(), **choices, "result": None}
        return render(ctx, "quality/outcomes.html", context, status_code=422)
    result = outcomes.view_outcomes(
        ctx.db, actor=ctx.me, by=by, where=where, knowledge=ctx.platform.knowledge, now=ctx.now
    )
    context: dict[str, Any] = {
        "result": result,
        "values": query,
        "query": request.url.query,
        "charts": _charts(ctx, result),
        **choices,
    }
    return render(ctx, "quality/outcomes.html", context)


@router.get("/quality/outcomes.csv")
def quality_csv(request: Request, ctx: SignedIn) -> Response:
    by, where = read_filter(dict(request.query_params))
    result = outcomes.view_outcomes(
        ctx.db, actor=ctx.me, by=by, where=where, knowledge=ctx.platform.knowledge, now=ctx.now
    )
    name = f"sijcare-outcomes-{ctx.now.strftime('%Y%m%dT%H%M%SZ')}.csv"
    return Response(
        outcomes.to_csv(result),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _choices(ctx: SignedIn) -> dict[str, Any]:
    knowledge = ctx.platform.knowledge
    return {
        "anesthetic_choices": [(str(r["id"]),) * 2 for r in knowledge.table("anesthetics")],
        "steroid_choices": [(str(r["id"]),) * 2 for r in knowledge.table("steroids")],
    }


def _charts(ctx: SignedIn, result: outcomes.Outcomes) -> list[str]:
    groups = list(result.groups) if result.by else [result.total]
    if not groups or result.total.procedures == 0:
        return []
    text = ctx.text
    return [
        rates_chart(
            groups,
            [
                (text(msg("2 weeks")), lambda g: g.responders.get("2w", outcomes.Rate(0, 0))),
                (text(msg("6 weeks")), lambda g: g.responders.get("6w", outcomes.Rate(0, 0))),
                (text(msg("3 months")), lambda g: g.responders.get("3m", outcomes.Rate(0, 0))),
            ],
            element_id="responders-chart",
            title=text(msg("Therapeutic responders (at least 50 percent relief)")),
            axis_label=text(msg("Share of injections with a known result, percent")),
            unknown=text(msg("no data")),
        ),
        rates_chart(
            groups,
            [
                (text(msg("Positive blocks")), lambda g: g.positive_rate),
                (text(msg("Confirmed pairs")), lambda g: g.confirmation_rate),
                (text(msg("Red flags")), lambda g: g.red_flag_rate),
            ],
            element_id="blocks-chart",
            title=text(msg("Diagnostic blocks and red flags")),
            axis_label=text(msg("Share, percent")),
            unknown=text(msg("no data")),
        ),
    ]
