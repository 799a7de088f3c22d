"""The quality dashboard: page, CSV and API for the clinic's clinicians and admins only."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.orm import Session

from fixtures_db import Personas
from services.test_outcomes import tell
from sijcare.services import outcomes
from sijcare.web.routes.quality_charts import rates_chart
from web.conftest import Web


@pytest.mark.parametrize("who", ["clinician", "admin"])
def test_clinicians_and_admins_see_the_figures_and_charts(
    web: Web, db: Session, personas: Personas, who: str
) -> None:
    tell(db, personas)
    page = web.as_(who).get("/quality?by=side")
    assert page.status_code == 200
    assert "Quality of the clinic&#39;s injections" in page.text or "injections" in page.text
    assert 'id="responders-chart"' in page.text and 'role="img"' in page.text
    assert "66.7%" in page.text  # positive blocks: 2 of 3 read


@pytest.mark.parametrize("who", ["patient", "scheduler"])
def test_patients_and_schedulers_are_refused(web: Web, who: str) -> None:
    browser = web.as_(who)
    assert browser.get("/quality").status_code == 403
    assert browser.get("/api/v1/quality/outcomes").status_code == 403
    assert browser.get("/quality/outcomes.csv").status_code == 403


def test_filters_that_match_nothing_say_so(web: Web, db: Session, personas: Personas) -> None:
    tell(db, personas)
    browser = web.as_("clinician")
    assert "No injection matches these filters." not in browser.get("/quality").text
    page = browser.get("/quality?physician=zzz")
    assert page.status_code == 200 and "No injection matches these filters." in page.text


def test_medians_are_shown_to_at_most_one_decimal(
    web: Web, db: Session, personas: Personas
) -> None:
    tell(db, personas)
    page = web.as_("clinician").get("/quality").text
    assert "<td>35</td>" in page  # the median days from referral, at most one decimal


def test_a_bad_date_is_named(web: Web) -> None:
    page = web.as_("clinician").get("/quality?since=yesterday")
    assert page.status_code == 422
    assert "Enter a date like 2026-03-08." in page.text


def test_api_gives_the_same_figures(web: Web, db: Session, personas: Personas) -> None:
    tell(db, personas)
    answer = web.as_("clinician").get("/api/v1/quality/outcomes?by=side&side=left")
    assert answer.status_code == 200
    body = answer.json()
    assert [g["label"] for g in body["groups"]] == ["left"]
    assert body["total"]["procedures"] == 3
    assert body["total"]["positive_rate"] == 1.0


def test_csv_download(web: Web, db: Session, personas: Personas) -> None:
    tell(db, personas)
    answer = web.as_("admin").get("/quality/outcomes.csv?by=month")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.text.splitlines()[0].startswith("group,label,procedures")


def test_a_rate_with_nothing_to_count_is_no_bar_and_says_so() -> None:
    """0 of 0 is not 0 %: the chart and its text alternative say there is no data."""
    groups: Any = [SimpleNamespace(label="Westside"), SimpleNamespace(label="Eastside")]
    rates = {"Westside": outcomes.Rate(3, 4), "Eastside": outcomes.Rate(0, 0)}
    svg = rates_chart(
        groups,
        [("Positive blocks", lambda g: rates[g.label])],
        element_id="test-chart",
        title="Blocks",
        axis_label="Share, percent",
        unknown="no data",
    )
    assert "Westside: Positive blocks 75%; Eastside: Positive blocks no data" in svg
    assert "no data" in svg.split("</desc>", 1)[1]  # the bar's own label, not only the text
    assert ">0%<" not in svg and " 0%" not in svg
