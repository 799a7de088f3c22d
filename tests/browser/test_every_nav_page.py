"""Every page in each role's main navigation is accessible (axe-core: no serious or
critical violation) and loads nothing from outside the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", ["patient", "clinician", "scheduler", "admin"])
def test_every_main_navigation_page_is_accessible(
    page: Any,
    live_server: Any,
    sign_in: Callable[..., None],
    check_accessibility: Callable[[Any], None],
    role: str,
) -> None:
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server.url) else outside.append(request.url)
        ),
    )
    sign_in(page, live_server.login(role).email)
    check_accessibility(page)
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs, f"{role} has no navigation"
    for href in hrefs:
        answer = page.goto(href)
        assert answer is not None and answer.status == 200, (role, href)
        check_accessibility(page)
    assert outside == []
