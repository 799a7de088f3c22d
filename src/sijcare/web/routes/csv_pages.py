"""CSV files: a procedure's pain diary (export, and import by a clinician) and the
quality team's de-identified cohort export.

The diary file is DIARY.csv, the format of `sijcare diary` (docs/file-formats.md). An
import is all or nothing: the page lists every bad row by its line and keeps the diary
as it was. The cohort file's columns are described in `sijcare.services.cohort`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.services import access, cohort, diary_csv
from sijcare.services.errors import Invalid, msg, plural_msg
from sijcare.web.deps import Ctx, SignedIn
from sijcare.web.forms import FormParser, FormState
from sijcare.web.limits import MAX_UPLOAD_BYTES
from sijcare.web.navigation import NavLink
from sijcare.web.pages import redirect, render

router = APIRouter(include_in_schema=False)
nav_links = (
    NavLink(
        "/quality/cohort",
        msg("Cohort export"),
        frozenset({Role.ADMIN, Role.CLINICIAN}),
        msg("A de-identified CSV of the clinic's procedures and their results."),
    ),
)


def csv_download(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def decode_upload(data: bytes, field: str) -> str:
    """The text of an uploaded CSV file (UTF-8, with or without a byte-order mark)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid.one(field, msg("The file is too large (at most 2 MB)."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid.one(field, msg("The file is not UTF-8 text. Save it as CSV UTF-8.")) from None


@router.get("/portal/procedures/{procedure_id}/diary.csv")
@router.get("/workspace/procedures/{procedure_id}/diary.csv")
def diary_export(procedure_id: int, ctx: SignedIn) -> Response:
    export = diary_csv.export_diary(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )
    return csv_download(export.text, export.filename)


@router.get("/workspace/procedures/{procedure_id}/diary-import")
def import_form(procedure_id: int, ctx: SignedIn) -> Response:
    return _import_page(ctx, procedure_id, FormState())


def _import_page(ctx: Ctx, procedure_id: int, state: FormState, status_code: int = 200) -> Response:
    target = diary_csv.import_target(ctx.db, actor=ctx.me, procedure_id=procedure_id, now=ctx.now)
    context: dict[str, Any] = {"target": target, "problems": state.errors, **state.context()}
    return render(ctx, "workspace/diary_import.html", context, status_code=status_code)


@router.post("/workspace/procedures/{procedure_id}/diary-import")
async def import_diary(procedure_id: int, request: Request, ctx: SignedIn) -> Response:
    # Access first: the form page's check refuses anyone but the patient's clinicians.
    diary_csv.import_target(ctx.db, actor=ctx.me, procedure_id=procedure_id, now=ctx.now)
    form = await request.form()
    try:
        result = await _import_upload(ctx, procedure_id, form.get("file"))
    except Invalid as exc:
        return _import_page(ctx, procedure_id, FormState.failed({}, exc), 422)
    finally:
        await form.close()  # the upload's temporary file
    notice = plural_msg(
        "Imported {added} score. Already in the diary: {unchanged}.",
        "Imported {added} scores. Already in the diary: {unchanged}.",
        "added",
        added=result.added,
        unchanged=result.unchanged,
    )
    return redirect(ctx, f"/workspace/procedures/{procedure_id}/diary-import", notice=notice)


async def _import_upload(
    ctx: Ctx, procedure_id: int, upload: UploadFile | str | None
) -> diary_csv.ImportResult:
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid.one("file", msg("Choose a CSV file to import."))
    text = decode_upload(await upload.read(MAX_UPLOAD_BYTES + 1), "file")
    return diary_csv.import_diary(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        text=text,
        what=upload.filename,
        knowledge=ctx.platform.knowledge,
        now=ctx.now,
    )


@router.get("/quality/cohort")
def cohort_page(ctx: SignedIn) -> Response:
    return _cohort_page(ctx, FormState())


def _cohort_page(ctx: Ctx, state: FormState, status_code: int = 200) -> Response:
    access.require_role(ctx.me, Role.ADMIN, Role.CLINICIAN)
    context = {"columns": cohort.COLUMNS, **state.context()}
    return render(ctx, "quality/cohort.html", context, status_code=status_code)


@router.get("/quality/cohort.csv")
def cohort_csv(ctx: SignedIn, since: str = "", until: str = "") -> Response:
    access.require_role(ctx.me, Role.ADMIN, Role.CLINICIAN)
    try:
        first, last = parse_window(since, until)
    except Invalid as exc:
        return _cohort_page(ctx, FormState.failed({"since": since, "until": until}, exc), 422)
    export = cohort.export_cohort(
        ctx.db,
        actor=ctx.me,
        knowledge=ctx.platform.knowledge,
        pseudonym_key=ctx.platform.settings.secret_key.reveal().encode(),
        now=ctx.now,
        since=first,
        until=last,
    )
    return csv_download(export.text, export.filename)


def parse_window(since: str, until: str) -> tuple[date | None, date | None]:
    """The cohort form's days (both optional, both included)."""
    parser = FormParser({"since": since, "until": until})
    first = parser.day("since", required=False)
    last = parser.day("until", required=False)
    if first and last and last < first:
        parser.fail("until", msg("The last day cannot be before the first."))
    parser.check()
    return first, last
