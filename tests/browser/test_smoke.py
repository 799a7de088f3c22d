"""The app serves its sign-in page in Chromium, accessibly, with its own assets only."""

from __future__ import annotations

from collections.abc import Callable

import pytest

pytestmark = pytest.mark.browser


def test_sign_in_page_is_accessible_and_loads_nothing_from_outside(
    page, live_server, check_accessibility: Callable[[object], None]
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/login")
    assert page.get_by_label("E-mail address").is_visible()
    check_accessibility(page)
    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert outside == []


def test_every_demo_role_can_sign_in_and_out(page, live_server, sign_in) -> None:
    for role in ("patient", "clinician", "scheduler", "admin"):
        sign_in(page, live_server.login(role).email)
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/login**")
