"""A physician's day in the workspace, in Chromium, with an accessibility check on every page.

The demo clinic's patients are at the stages of `sijcare.services.demo_pathways`: one
with a blood thinner waiting for review, one consented for a procedure that has just
taken place, one with a diagnostic block's diary, one with a red flag. The physician
finds each from the workspace's patient list, as a clinician would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

Check = Callable[[Any], None]


def _patients(page: Any) -> list[str]:
    page.goto("/workspace/patients")
    rows = page.get_by_role("table").get_by_role("link")
    return [rows.nth(i).get_attribute("href") for i in range(rows.count())]


def _find(page: Any, link: str, ready: Callable[[Any], bool]) -> None:
    """Open, from some patient's summary, a page behind a `link` where `ready(page)`."""
    for patient in _patients(page):
        page.goto(patient)
        found = page.get_by_role("link", name=link, exact=True)
        for href in [found.nth(i).get_attribute("href") for i in range(found.count())]:
            page.goto(href)
            if ready(page):
                return
    raise AssertionError(f"no demo patient has a {link!r} page ready")


def test_a_physician_works_through_the_day(
    page: Any, live_server: Any, sign_in: Callable[..., None], check_accessibility: Check
) -> None:
    sign_in(page, live_server.login("clinician").email)
    page.goto("/workspace")
    today = page.get_by_label("Day").input_value()  # the clinic's today

    # The worklist, then the clinic's patients.
    page.get_by_role("link", name="Workspace").first.click()
    page.get_by_role("heading", name=re.compile("Procedures on")).wait_for()
    check_accessibility(page)
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Patients").click()
    page.get_by_role("heading", name="Patients").wait_for()
    check_accessibility(page)

    # A blood thinner waiting for review: hold it, confirmed with the prescriber.
    _find(page, "Screening review", lambda p: p.get_by_text("Eliquis 5 mg").count() > 0)
    check_accessibility(page)
    page.get_by_role("link", name=re.compile("^Resolve Eliquis")).click()
    check_accessibility(page)
    page.get_by_label("Hold it before the procedure").check()
    page.get_by_label("Confirmed with the prescriber").check()
    page.get_by_label("Prescriber", exact=True).fill("Dr. Ana Rivera, cardiology")
    page.get_by_label("Day you confirmed it").fill(today)
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Decision recorded.").wait_for()
    assert page.get_by_text(re.compile("Take your last dose of apixaban")).count()
    check_accessibility(page)

    # A consented patient whose procedure has just taken place: document it.
    _find(
        page,
        "Document the procedure",
        lambda p: p.get_by_role("button", name="Document the procedure").count() > 0,
    )
    check_accessibility(page)
    page.get_by_label("Pain just before the injection (0 to 10)").fill("7")
    page.get_by_label("Anesthetic concentration (percent)").fill("1")
    page.get_by_label("Anesthetic volume (mL)").fill("2")
    page.get_by_label("Contrast agent").fill("iohexol")
    page.get_by_role("group", name="Driver present at discharge").get_by_label("Yes").check()
    page.get_by_role("button", name="Document the procedure").click()
    page.get_by_text("The procedure is documented.").wait_for()
    check_accessibility(page)

    # A diagnostic block's diary: read it and sign the reading off.
    _find(
        page,
        "Diary review",
        lambda p: p.get_by_role("button", name="Sign off this reading").count() > 0,
    )
    check_accessibility(page)
    assert page.locator("svg[role=img]").count() == 1
    page.get_by_role("button", name="Sign off this reading").click()
    page.get_by_text("You signed off the reading.").wait_for()
    check_accessibility(page)

    # A red flag: acknowledge it with a note.
    page.get_by_role("link", name=re.compile("Red flags")).click()
    page.get_by_role("heading", name="Red flags").wait_for()
    check_accessibility(page)
    page.get_by_role("table").get_by_role("link").first.click()
    check_accessibility(page)
    page.get_by_label("What you did").fill("Called the patient; seen in urgent care today.")
    page.get_by_role("button", name="Acknowledge the report").click()
    page.get_by_text("The report is acknowledged.").wait_for()
    assert page.get_by_text("Called the patient; seen in urgent care today.").count()
    check_accessibility(page)
