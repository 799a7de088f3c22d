"""The JSON API of the quality dashboard: the same figures as `/quality` and its CSV.

`GET /api/v1/quality/outcomes` takes the page's query parameters (`by`, `since`,
`until` (included), `physician`, `side`, `anesthetic`, `steroid`) and answers one row
per group and a total, with the CSV's column names (rates as fractions 0-1, None when
nothing counts).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from sijcare.services import outcomes
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.routes.quality_pages import read_filter

router = APIRouter(prefix="/api/v1/quality", tags=["quality"])

Cell = int | float | str | None


class OutcomesOut(BaseModel):
    by: str | None = Field(description="The grouping, or None for the clinic as a whole")
    groups: list[dict[str, Cell]] = Field(description="One row per group (CSV column names)")
    total: dict[str, Cell] = Field(description="The clinic as a whole")
    waiting: int = Field(description="Interpretations waiting for `sijcare reinterpret`")


@router.get("/outcomes", response_model=OutcomesOut, responses=errors(401, 403, 422))
def get_outcomes(request: Request, ctx: SignedIn) -> OutcomesOut:
    """The outcome figures of the signed-in clinician's or admin's clinic."""
    by, where = read_filter(dict(request.query_params))
    result = outcomes.view_outcomes(
        ctx.db, actor=ctx.me, by=by, where=where, knowledge=ctx.platform.knowledge, now=ctx.now
    )
    rows = outcomes.as_rows(result)
    return OutcomesOut(by=by, groups=rows[:-1], total=rows[-1], waiting=result.waiting)
