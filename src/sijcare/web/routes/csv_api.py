"""The JSON API of CSV files: a procedure's diary (export and import) and the cohort.

An import's body is the DIARY.csv text itself (`Content-Type: text/csv`). It is all or
nothing: a 422 answer lists every bad row, with `field` naming the file and line.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from sijcare.services import cohort, diary_csv
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.limits import MAX_UPLOAD_BYTES, bounded_body
from sijcare.web.routes.csv_pages import csv_download, decode_upload

router = APIRouter(prefix="/api/v1", tags=["csv"])
CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "A CSV file (RFC 4180)"}
}


# The body is read up to MAX_UPLOAD_BYTES; a longer one is refused (`decode_upload`).
DIARY_BODY = {
    "type": "string",
    "format": "binary",
    "maxLength": MAX_UPLOAD_BYTES,
    "description": f"DIARY.csv, UTF-8, at most {MAX_UPLOAD_BYTES} bytes",
}


class ImportOut(BaseModel):
    procedure_id: int
    added: int
    unchanged: int
    interpretation_id: int | None


@router.get(
    "/procedures/{procedure_id}/diary.csv",
    response_class=Response,
    responses={**CSV, **errors(401, 403, 404)},
)
def export_diary(procedure_id: int, ctx: SignedIn) -> Response:
    """The diary as DIARY.csv, oldest first (the patient or their clinicians)."""
    export = diary_csv.export_diary(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    return csv_download(export.text, export.filename)


@router.post(
    "/procedures/{procedure_id}/diary.csv",
    response_model=ImportOut,
    responses=errors(401, 403, 404, 422),
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": DIARY_BODY}}, "required": True}
    },
)
async def import_diary(procedure_id: int, request: Request, ctx: SignedIn) -> ImportOut:
    """Add the rows of a DIARY.csv body to the diary (a clinician of the patient's clinic)."""
    diary_csv.import_target(ctx.db, actor=ctx.me, procedure_id=procedure_id, now=ctx.now)
    body = await bounded_body(request)
    result = diary_csv.import_diary(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        text=decode_upload(body, "body"),
        what="body",
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    return ImportOut(**vars(result))


@router.get("/cohort.csv", response_class=Response, responses={**CSV, **errors(401, 403, 422)})
def export_cohort(ctx: SignedIn, since: date | None = None, until: date | None = None) -> Response:
    """The clinic's procedures, de-identified (clinic admins and clinicians); `since` and
    `until` are procedure days, both included."""
    export = cohort.export_cohort(
        ctx.db,
        actor=ctx.me,
        knowledge=ctx.platform.knowledge,
        pseudonym_key=ctx.platform.settings.secret_key.reveal().encode(),
        now=ctx.now,
        since=since,
        until=until,
    )
    return csv_download(export.text, export.filename)
