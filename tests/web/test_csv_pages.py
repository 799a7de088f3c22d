"""CSV pages and API: diary import (all or nothing) and export, and the cohort export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.clinical import make_documented
from sijcare.db.models import DiaryEntry
from sijcare.services import cohort
from web.conftest import Browser, Web

# The injection, Sunday 1 March 2026 at 08:00 PST: before the tests' frozen "now".
INJECTED = datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
GOOD = b"recorded_at,pain\r\n2026-03-01T08:30:00-08:00,2\r\n2026-03-01T09:00:00-08:00,1\r\n"
BAD = (
    b"recorded_at,pain\r\n"
    b"2026-03-01T08:30:00-08:00,2\r\n"
    b"2026-03-01T08:45:00-08:00,eleven\r\n"
    b"2026-03-01T09:00:00,1\r\n"
)


def procedure_id(web: Web, db: Session) -> int:
    patient = web.personas.patient.patient
    assert patient is not None
    return make_documented(
        db, patient=patient, clinician=web.personas.clinician.user, performed_at=INJECTED
    ).id


def entries(db: Session) -> int:
    with db.begin():
        return int(db.scalar(sa.select(sa.func.count()).select_from(DiaryEntry)) or 0)


def upload(browser: Browser, url: str, data: bytes, name: str = "diary.csv") -> object:
    return browser.client.post(
        url,
        data={"csrf_token": browser.csrf_token or browser.refresh_csrf()},
        files={"file": (name, data, "text/csv")},
    )


def test_a_clinician_imports_a_diary_file(web: Web, db: Session) -> None:
    record = procedure_id(web, db)
    browser = web.as_("clinician")
    form = browser.get(f"/workspace/procedures/{record}/diary-import")
    assert form.status_code == 200 and "Pat Patient" in form.text
    done = upload(browser, f"/workspace/procedures/{record}/diary-import", GOOD)
    assert done.status_code == 303  # type: ignore[attr-defined]
    page = browser.get(f"/workspace/procedures/{record}/diary-import")
    assert "Imported 2 scores. Already in the diary: 0." in page.text
    assert entries(db) == 2


def test_a_bad_file_lists_every_bad_row_and_imports_nothing(web: Web, db: Session) -> None:
    record = procedure_id(web, db)
    browser = web.as_("clinician")
    page = upload(browser, f"/workspace/procedures/{record}/diary-import", BAD, "paper.csv")
    assert page.status_code == 422  # type: ignore[attr-defined]
    text = page.text  # type: ignore[attr-defined]
    assert "Nothing was imported" in text
    assert "paper.csv:3: pain: &#39;eleven&#39; is not a whole number from 0 to 10" in text
    assert "paper.csv:4: recorded_at: &#39;2026-03-01T09:00:00&#39; has no UTC offset" in text
    assert entries(db) == 0
    latin = upload(browser, f"/workspace/procedures/{record}/diary-import", "é".encode("latin-1"))
    assert latin.status_code == 422 and "not UTF-8 text" in latin.text  # type: ignore[attr-defined]
    empty = browser.post_form(f"/workspace/procedures/{record}/diary-import")
    assert empty.status_code == 422 and "Choose a CSV file to import." in empty.text


def test_the_api_imports_a_csv_body_all_or_nothing(web: Web, db: Session) -> None:
    record = procedure_id(web, db)
    browser = web.as_("clinician")
    url = f"/api/v1/procedures/{record}/diary.csv"
    headers = {"content-type": "text/csv"}
    bad = browser.api("POST", url, content=BAD, headers=headers)
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["body:3", "body:4"]
    assert entries(db) == 0
    good = browser.api("POST", url, content=GOOD, headers=headers)
    assert good.status_code == 200
    assert good.json() | {"interpretation_id": 0} == {
        "procedure_id": record,
        "added": 2,
        "unchanged": 0,
        "interpretation_id": 0,
    }
    exported = web.as_("patient").get(url)
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert exported.text.splitlines()[1] == "2026-03-01T08:30:00-08:00,2,,"
    page_export = browser.get(f"/workspace/procedures/{record}/diary.csv")
    assert page_export.text == exported.text
    own = web.as_("patient").get(f"/portal/procedures/{record}/diary.csv")
    assert own.text == exported.text
    assert browser.api("POST", url, content=exported.content, headers=headers).json()["added"] == 0


def test_the_cohort_export_for_the_quality_team(web: Web, db: Session) -> None:
    procedure_id(web, db)
    admin = web.as_("admin")
    page = admin.get("/quality/cohort")
    assert page.status_code == 200 and "<code>procedure_ref</code>" in page.text
    download = admin.get("/quality/cohort.csv?since=2026-03-01&until=2026-03-01")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith(
        'attachment; filename="sijcare-cohort-'
    )
    (row,) = csv.DictReader(io.StringIO(download.text))
    assert list(row) == list(cohort.COLUMNS)
    assert "Pat Patient" not in download.text
    bad = admin.get("/quality/cohort.csv?since=2026-03-02&until=2026-03-01")
    assert bad.status_code == 422 and "The last day cannot be before the first." in bad.text
    api = web.as_("clinician").get("/api/v1/cohort.csv?until=2026-02-28")
    assert api.status_code == 200 and api.text == ",".join(cohort.COLUMNS) + "\r\n"
    assert web.as_("scheduler").get("/quality/cohort").status_code == 403
    assert web.as_("patient").get("/api/v1/cohort.csv").status_code == 403
    assert 'href="/quality/cohort"' in admin.get("/").text
