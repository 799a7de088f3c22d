"""Printable documents as PDF downloads: the patient's preparation sheet, aftercare sheet and
consent record, and the clinician's diary report (services.documents).

Each document has a page address (for the portal's and the workspace's links: errors are
error pages, and not signed in redirects to the sign-in page) and the same under
`/api/v1` (documented in OpenAPI: errors are the API's JSON). Each answer is an
attachment with a neutral file name and is never cached.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from sijcare.services import documents
from sijcare.web.api import errors
from sijcare.web.charts import pain_chart_svg
from sijcare.web.deps import Ctx, SignedIn
from sijcare.web.pages import finish
from sijcare.web.templating import Templates

router = APIRouter(tags=["documents"])

# The package's static files: the only files a printed document may link to (print.css).
STATIC_DIR = Path(str(resources.files("sijcare.web").joinpath("static")))


def printing_for(templates: Templates, locale: str) -> documents.Printing:
    """Printing with the app's templates, static files and pain chart, for a reader in `locale`."""

    def render(template: str, context: Mapping[str, Any], locale: str) -> str:
        return templates.render(template, dict(context), locale=locale)

    return documents.Printing(
        render=render, static_dir=STATIC_DIR, locale=locale, draw_chart=pain_chart_svg
    )


def _responses(what: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI answers of a download: the PDF, or an error."""
    return {
        200: {
            "description": f"{what} (PDF, an attachment)",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        },
        **errors(401, 403, 404, 409),
    }


def _download(ctx: Ctx, document: documents.Document) -> Response:
    response = Response(
        content=document.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{document.file_name}"',
            "Cache-Control": "no-store",
        },
    )
    finish(ctx, response)
    return response


def _printing(ctx: Ctx) -> documents.Printing:
    return printing_for(ctx.platform.templates, ctx.locale)


@router.get("/portal/pathways/{pathway_id}/documents/preparation.pdf", include_in_schema=False)
@router.get(
    "/api/v1/portal/pathways/{pathway_id}/documents/preparation.pdf",
    response_class=Response,
    responses=_responses("The patient's preparation sheet"),
)
def preparation_pdf(pathway_id: int, ctx: SignedIn) -> Response:
    """The patient's preparation sheet: the plan, the dated steps and how to get ready."""
    document = documents.preparation_sheet(
        ctx.db,
        actor=ctx.me,
        pathway_id=pathway_id,
        knowledge=ctx.platform.knowledge,
        printing=_printing(ctx),
        now=ctx.now,
    )
    return _download(ctx, document)


@router.get("/portal/procedures/{procedure_id}/documents/aftercare.pdf", include_in_schema=False)
@router.get(
    "/api/v1/portal/procedures/{procedure_id}/documents/aftercare.pdf",
    response_class=Response,
    responses=_responses("The patient's aftercare sheet"),
)
def aftercare_pdf(procedure_id: int, ctx: SignedIn) -> Response:
    """The aftercare sheet of a documented injection, with who to call."""
    document = documents.aftercare_sheet(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        knowledge=ctx.platform.knowledge,
        printing=_printing(ctx),
        now=ctx.now,
    )
    return _download(ctx, document)


@router.get("/portal/pathways/{pathway_id}/documents/consent.pdf", include_in_schema=False)
@router.get(
    "/api/v1/portal/pathways/{pathway_id}/documents/consent.pdf",
    response_class=Response,
    responses=_responses("The consent record"),
)
def consent_pdf(pathway_id: int, ctx: SignedIn) -> Response:
    """The consent record: the answers read, their confirmations, the agreement and witness."""
    document = documents.consent_record(
        ctx.db,
        actor=ctx.me,
        pathway_id=pathway_id,
        knowledge=ctx.platform.knowledge,
        printing=_printing(ctx),
        now=ctx.now,
    )
    return _download(ctx, document)


@router.get("/workspace/procedures/{procedure_id}/diary-report.pdf", include_in_schema=False)
@router.get(
    "/api/v1/workspace/procedures/{procedure_id}/diary-report.pdf",
    response_class=Response,
    responses=_responses("The clinician's diary report"),
)
def diary_report_pdf(procedure_id: int, ctx: SignedIn) -> Response:
    """The diary report: the reading with its rules and versions, the chart and the entries."""
    document = documents.diary_report(
        ctx.db,
        actor=ctx.me,
        procedure_id=procedure_id,
        knowledge=ctx.platform.knowledge,
        printing=_printing(ctx),
        zone=ctx.zone,
        now=ctx.now,
    )
    return _download(ctx, document)
