"""Starting and closing a care pathway from the clinician's patient page, and the API twins.

Only a clinician of the patient's clinic starts or closes one; a bad form comes back with
a message linked to its field (422), a second active pathway on a joint is the service's
conflict (409), and a refused or failed request saves nothing.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import Kind, PathwayStatus, Side
from sijcare.db.models import Pathway
from web.conftest import Web

CONFLICT = "This joint already has an active pathway. Close it first."
REFUSED = ("patient", "other_patient", "scheduler", "admin", "outsider")


def public_id(web: Web) -> str:
    patient = web.personas.patient.patient
    assert patient is not None
    return patient.public_id


def saved(db: Session) -> list[Pathway]:
    with db.begin():
        found = db.scalars(sa.select(Pathway).order_by(Pathway.id)).all()
        db.expunge_all()
    return list(found)


def start(web: Web, side: str = "left", kind: str = "diagnostic") -> int:
    response = web.as_("clinician").api(
        "POST",
        f"/api/v1/workspace/patients/{public_id(web)}/pathways",
        {"side": side, "kind": kind},
    )
    assert response.status_code == 201, response.text
    pathway_id: int = response.json()["id"]
    return pathway_id


# -- the page --------------------------------------------------------------------------------


def test_the_patient_page_offers_to_start_a_care_pathway(web: Web) -> None:
    page = web.as_("clinician").get(f"/workspace/patients/{public_id(web)}")
    assert page.status_code == 200
    assert "Care pathways" in page.text and "Start a care pathway" in page.text
    assert f'action="/workspace/patients/{public_id(web)}/pathways"' in page.text
    assert 'name="side" value="bilateral"' in page.text
    assert 'name="kind" value="therapeutic"' in page.text
    assert "This patient has no pathway yet." in page.text


def test_a_clinician_starts_a_pathway_and_sees_it_on_the_patient_page(
    web: Web, db: Session
) -> None:
    clinician = web.as_("clinician")
    url = f"/workspace/patients/{public_id(web)}"
    response = clinician.post_form(f"{url}/pathways", {"side": "left", "kind": "diagnostic"})
    assert response.status_code == 303
    assert response.headers["location"] == url
    [pathway] = saved(db)
    assert (pathway.side, pathway.kind, pathway.status) == (
        Side.LEFT,
        Kind.DIAGNOSTIC,
        PathwayStatus.ACTIVE,
    )
    assert pathway.opened_by == web.personas.clinician.user.id
    page = clinician.get(url).text
    assert "The care pathway is started. Plan the injection next." in page
    assert "Diagnostic block, left (active)" in page
    assert f'action="/workspace/pathways/{pathway.id}/close"' in page
    assert f'href="/workspace/pathways/{pathway.id}/plan"' in page


@pytest.mark.parametrize(
    ("form", "fields"),
    [
        ({}, {"side", "kind"}),
        ({"side": "middle", "kind": "diagnostic"}, {"side"}),
        ({"side": "left", "kind": "cortisone"}, {"kind"}),
    ],
)
def test_a_bad_start_form_names_its_fields_and_saves_nothing(
    web: Web, db: Session, form: dict[str, str], fields: set[str]
) -> None:
    response = web.as_("clinician").post_form(
        f"/workspace/patients/{public_id(web)}/pathways", form
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text
    for name in fields:
        assert f'id="error-{name}"' in response.text
        assert f'href="#field-{name}"' in response.text
    for name in {"side", "kind"} - fields:
        assert f'id="error-{name}"' not in response.text
    assert saved(db) == []


def test_a_second_pathway_on_the_same_joint_shows_the_conflict(web: Web, db: Session) -> None:
    start(web, side="bilateral", kind="therapeutic")
    response = web.as_("clinician").post_form(
        f"/workspace/patients/{public_id(web)}/pathways", {"side": "right", "kind": "diagnostic"}
    )
    assert response.status_code == 409
    assert CONFLICT in response.text
    # The form keeps what was chosen.
    assert 'name="side" value="right" checked' in response.text
    assert [p.side for p in saved(db)] == [Side.BILATERAL]


def test_a_clinician_closes_a_pathway_with_a_reason_and_the_joint_is_free_again(
    web: Web, db: Session
) -> None:
    pathway_id = start(web)
    clinician = web.as_("clinician")
    url = f"/workspace/patients/{public_id(web)}"
    response = clinician.post_form(
        f"/workspace/pathways/{pathway_id}/close",
        {f"reason_{pathway_id}": "The patient chose physical therapy."},
    )
    assert response.status_code == 303
    assert response.headers["location"] == url
    [pathway] = saved(db)
    assert pathway.status is PathwayStatus.CLOSED
    assert pathway.close_reason == "The patient chose physical therapy."
    assert pathway.closed_by == web.personas.clinician.user.id
    page = clinician.get(url).text
    assert "The care pathway is closed." in page
    assert "Diagnostic block, left (closed)" in page
    assert f'action="/workspace/pathways/{pathway_id}/close"' not in page
    again = clinician.post_form(f"{url}/pathways", {"side": "left", "kind": "therapeutic"})
    assert again.status_code == 303


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_closing_without_a_usable_reason_names_the_field_and_changes_nothing(
    web: Web, db: Session, reason: str
) -> None:
    pathway_id = start(web)
    response = web.as_("clinician").post_form(
        f"/workspace/pathways/{pathway_id}/close", {f"reason_{pathway_id}": reason}
    )
    assert response.status_code == 422
    assert f'id="error-reason_{pathway_id}"' in response.text
    assert f'href="#field-reason_{pathway_id}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert [p.status for p in saved(db)] == [PathwayStatus.ACTIVE]


def test_closing_a_closed_pathway_shows_the_conflict(web: Web) -> None:
    pathway_id = start(web)
    clinician = web.as_("clinician")
    form = {f"reason_{pathway_id}": "done"}
    assert clinician.post_form(f"/workspace/pathways/{pathway_id}/close", form).status_code == 303
    response = clinician.post_form(f"/workspace/pathways/{pathway_id}/close", form)
    assert response.status_code == 409
    assert "This pathway is already closed." in response.text


@pytest.mark.parametrize("who", REFUSED)
def test_only_a_clinician_of_the_clinic_starts_or_closes_a_pathway_on_the_page(
    web: Web, db: Session, who: str
) -> None:
    pathway_id = start(web, side="left")
    browser = web.as_(who)
    started = browser.post_form(
        f"/workspace/patients/{public_id(web)}/pathways", {"side": "right", "kind": "diagnostic"}
    )
    assert started.status_code == 403
    # A bad form from someone refused is refused too, not answered with field errors.
    assert (
        browser.post_form(f"/workspace/patients/{public_id(web)}/pathways", {}).status_code == 403
    )
    closed = browser.post_form(
        f"/workspace/pathways/{pathway_id}/close", {f"reason_{pathway_id}": "no"}
    )
    assert closed.status_code == 403
    assert [(p.side, p.status) for p in saved(db)] == [(Side.LEFT, PathwayStatus.ACTIVE)]


def test_an_unknown_patient_or_pathway_is_not_found(web: Web) -> None:
    clinician = web.as_("clinician")
    form = {"side": "left", "kind": "diagnostic"}
    assert (
        clinician.post_form("/workspace/patients/p0000000000000000/pathways", form).status_code
        == 404
    )
    assert (
        clinician.post_form("/workspace/pathways/999999/close", {"reason_999999": "x"}).status_code
        == 404
    )


# -- the API ---------------------------------------------------------------------------------


def test_api_starts_and_closes_a_pathway(web: Web, db: Session) -> None:
    clinician = web.as_("clinician")
    response = clinician.api(
        "POST",
        f"/api/v1/workspace/patients/{public_id(web)}/pathways",
        {"side": "bilateral", "kind": "therapeutic"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "side": "bilateral",
        "kind": "therapeutic",
        "status": "active",
        "opened_at": "2026-03-02T16:00:00Z",
        "closed_at": None,
        "close_reason": "",
    }
    summary = clinician.api("GET", f"/api/v1/workspace/patients/{public_id(web)}").json()
    assert [p["pathway_id"] for p in summary["pathways"]] == [body["id"]]
    closed = clinician.api(
        "POST", f"/api/v1/workspace/pathways/{body['id']}/close", {"reason": "Block done."}
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["close_reason"] == "Block done."
    assert closed.json()["closed_at"] == "2026-03-02T16:00:00Z"
    [pathway] = saved(db)
    assert pathway.status is PathwayStatus.CLOSED


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"side": "middle", "kind": "diagnostic"}, {"side"}),
        ({"side": "left"}, {"kind"}),
        ({}, {"side", "kind"}),
    ],
)
def test_api_bad_start_names_the_fields_and_saves_nothing(
    web: Web, db: Session, body: dict[str, str], fields: set[str]
) -> None:
    response = web.as_("clinician").api(
        "POST", f"/api/v1/workspace/patients/{public_id(web)}/pathways", body
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == fields
    assert saved(db) == []


@pytest.mark.parametrize("body", [{"reason": ""}, {"reason": "  "}, {"reason": "x" * 501}, {}])
def test_api_close_needs_a_reason(web: Web, db: Session, body: dict[str, str]) -> None:
    pathway_id = start(web)
    response = web.as_("clinician").api(
        "POST", f"/api/v1/workspace/pathways/{pathway_id}/close", body
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]
    assert [p.status for p in saved(db)] == [PathwayStatus.ACTIVE]


def test_api_conflicts(web: Web, db: Session) -> None:
    pathway_id = start(web, side="left")
    clinician = web.as_("clinician")
    second = clinician.api(
        "POST",
        f"/api/v1/workspace/patients/{public_id(web)}/pathways",
        {"side": "bilateral", "kind": "diagnostic"},
    )
    assert second.status_code == 409
    assert second.json()["detail"] == CONFLICT
    url = f"/api/v1/workspace/pathways/{pathway_id}/close"
    assert clinician.api("POST", url, {"reason": "done"}).status_code == 200
    twice = clinician.api("POST", url, {"reason": "done"})
    assert twice.status_code == 409
    assert twice.json()["detail"] == "This pathway is already closed."
    assert len(saved(db)) == 1


@pytest.mark.parametrize("who", REFUSED)
def test_api_refuses_everyone_but_a_clinician_of_the_clinic(
    web: Web, db: Session, who: str
) -> None:
    pathway_id = start(web, side="left")
    browser = web.as_(who)
    started = browser.api(
        "POST",
        f"/api/v1/workspace/patients/{public_id(web)}/pathways",
        {"side": "right", "kind": "diagnostic"},
    )
    assert started.status_code == 403
    closed = browser.api("POST", f"/api/v1/workspace/pathways/{pathway_id}/close", {"reason": "no"})
    assert closed.status_code == 403
    assert [(p.side, p.status) for p in saved(db)] == [(Side.LEFT, PathwayStatus.ACTIVE)]


def test_api_unknown_patient_or_pathway_is_not_found(web: Web) -> None:
    clinician = web.as_("clinician")
    body = {"side": "left", "kind": "diagnostic"}
    missing = "/api/v1/workspace/patients/p0000000000000000/pathways"
    assert clinician.api("POST", missing, body).status_code == 404
    closing = clinician.api("POST", "/api/v1/workspace/pathways/999999/close", {"reason": "x"})
    assert closing.status_code == 404
