"""PDF downloads (page and API addresses): the answer's type and headers, refusals (audited),
and the OpenAPI entry."""

from __future__ import annotations

import io

import httpx
import pypdf
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.workspace import POSITIVE_BLOCK, PROCEDURE_AT, Story
from sijcare.db.models import AuditEvent
from sijcare.domain.knowledge import Knowledge
from web.conftest import Web

TITLES = {
    "preparation": "Getting ready for your injection",
    "aftercare": "After your injection",
    "consent": "Consent record",
    "diary-report": "Diary report",
}


@pytest.fixture
def story(db: Session, web: Web, knowledge: Knowledge) -> Story:
    return Story(db, web.personas, knowledge)


@pytest.fixture
def urls(story: Story) -> dict[str, str]:
    """The address of each document of a documented injection with a diary."""
    pathway = story.ready(story.pathway())
    view = story.document(pathway)
    story.scores(view.id, PROCEDURE_AT, POSITIVE_BLOCK)
    return {
        "preparation": f"/portal/pathways/{pathway.id}/documents/preparation.pdf",
        "aftercare": f"/portal/procedures/{view.id}/documents/aftercare.pdf",
        "consent": f"/portal/pathways/{pathway.id}/documents/consent.pdf",
        "diary-report": f"/workspace/procedures/{view.id}/diary-report.pdf",
    }


def _events(db: Session, action: str) -> list[AuditEvent]:
    with db.begin():
        return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _assert_pdf_download(response: httpx.Response, name: str) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="sijcare-{name}.pdf"'
    assert response.headers["cache-control"] == "no-store"
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert TITLES[name] in " ".join(text.split())


def test_patient_downloads_their_sheets(web: Web, db: Session, urls: dict[str, str]) -> None:
    patient = web.as_("patient")
    for name in ("preparation", "aftercare", "consent"):
        _assert_pdf_download(patient.get(urls[name]), name)
    printed = [e.detail["document"] for e in _events(db, "document.print")]
    assert printed == ["preparation", "aftercare", "consent"]


def test_clinician_downloads_each_document(web: Web, urls: dict[str, str]) -> None:
    clinician = web.as_("clinician")
    for name in ("preparation", "aftercare", "consent", "diary-report"):
        _assert_pdf_download(clinician.get(urls[name]), name)


REFUSED = [
    ("outsider", "preparation"),
    ("outsider", "aftercare"),
    ("outsider", "consent"),
    ("outsider", "diary-report"),
    ("other_patient", "consent"),
    ("scheduler", "preparation"),
    ("admin", "aftercare"),
    ("patient", "diary-report"),
]


def test_refusal_is_an_error_page_and_is_audited(
    web: Web, db: Session, urls: dict[str, str]
) -> None:
    for who, name in REFUSED:
        response = web.as_(who).get(urls[name])
        assert response.status_code == 403, (who, name)
        assert response.headers["content-type"].startswith("text/html")
        assert "content-disposition" not in response.headers
    denied = _events(db, "access.denied")
    assert [e.target_id for e in denied] == [urls[name][:64] for _who, name in REFUSED]
    assert _events(db, "document.print") == []


def test_anonymous_is_sent_to_sign_in(web: Web, urls: dict[str, str]) -> None:
    response = web.browser().get(urls["consent"])
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_nothing_to_print_yet_is_a_conflict_page(web: Web, db: Session, story: Story) -> None:
    pathway = story.pathway()
    response = web.as_("patient").get(f"/portal/pathways/{pathway.id}/documents/consent.pdf")
    assert response.status_code == 409
    assert "There is no consent to print yet." in response.text
    assert _events(db, "document.print") == []


def test_the_api_serves_the_same_pdf_and_answers_errors_in_json(
    web: Web, urls: dict[str, str]
) -> None:
    clinician, outsider = web.as_("clinician"), web.as_("outsider")
    for name, url in urls.items():
        _assert_pdf_download(clinician.get("/api/v1" + url), name)
        refused = outsider.get("/api/v1" + url)
        assert refused.status_code == 403
        assert set(refused.json()) == {"detail", "errors"}
    assert web.browser().get("/api/v1" + urls["preparation"]).status_code == 401


def test_openapi_documents_the_downloads(web: Web) -> None:
    schema = web.browser().get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/portal/pathways/{pathway_id}/documents/preparation.pdf",
        "/api/v1/portal/procedures/{procedure_id}/documents/aftercare.pdf",
        "/api/v1/portal/pathways/{pathway_id}/documents/consent.pdf",
        "/api/v1/workspace/procedures/{procedure_id}/diary-report.pdf",
    ):
        answers = schema["paths"][path]["get"]["responses"]
        assert "application/pdf" in answers["200"]["content"], path
        assert "PDF" in answers["200"]["description"]
        assert {"401", "403", "404", "409"} <= set(answers)
    assert not any("/documents/" in path for path in schema["paths"] if path.startswith("/portal"))
