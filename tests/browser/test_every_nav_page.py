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


def test_a_table_wider_than_a_phone_shows_it_scrolls(
    page: Any, live_server: Any, sign_in: Callable[..., None]
) -> None:
    # At 390 px the scheduler's appointments table is wider than the screen: its box
    # scrolls sideways, and a shadow at the right edge says there is more.
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, live_server.login("scheduler").email)
    page.goto("/appointments")
    wrap = page.locator(".table-wrap").first
    sizes = wrap.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert sizes[0] > sizes[1], sizes
    look = wrap.evaluate(
        "e => { const s = getComputedStyle(e);"
        " return [s.overflowX, s.backgroundImage, s.backgroundAttachment]; }"
    )
    assert look[0] == "auto"
    assert look[1].count("radial-gradient") == 2
    assert look[2] == "local, local, scroll, scroll"


@pytest.mark.parametrize("role", ["patient", "clinician", "scheduler", "admin"])
def test_no_main_page_is_wider_than_a_phone(
    page: Any, live_server: Any, sign_in: Callable[..., None], role: str
) -> None:
    # At 390 px nothing makes the page itself scroll sideways: a wide table scrolls
    # inside its own box.
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, live_server.login(role).email)
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    wide = {}
    for href in hrefs:
        page.goto(href)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[href] = width
    assert wide == {}
