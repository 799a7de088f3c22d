"""Browser tests: the real app served on loopback, driven in Debian's Chromium.

`live_server` loads the demo clinic into a fresh SQLite database and serves the app
with `sijcare serve` on a free port; `page` is a Playwright page in /usr/bin/chromium
(never a downloaded browser); `check_accessibility` runs axe-core, installed from the
npm registry into node_modules/, and fails on any serious or critical violation.
Under CI=true nothing here skips: a missing browser or axe-core fails the run.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (browser tests never skip under CI=true)")
    pytest.skip(reason)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    name: str


@dataclass(frozen=True)
class LiveServer:
    url: str
    password: str
    logins: tuple[DemoLogin, ...]
    log: Path

    def login(self, role: str, index: int = 0) -> DemoLogin:
        return [login for login in self.logins if login.role == role][index]

    def login_named(self, name: str) -> DemoLogin:
        return next(login for login in self.logins if name in login.name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _parse_demo_output(text: str) -> tuple[str, tuple[DemoLogin, ...]]:
    password = re.search(r"password: (\S+)", text)
    assert password, text
    logins = tuple(
        DemoLogin(role=m[1], email=m[2], name=m[3].strip())
        for m in re.finditer(r"^\s+(\w+)\s+(\S+@\S+)\s+(.+)$", text, re.MULTILINE)
    )
    return password[1], logins


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("live")
    env = {
        **os.environ,
        "SIJCARE_DATABASE_URL": f"sqlite:///{folder / 'sijcare.db'}",
        "SIJCARE_ENV": "development",
        "SIJCARE_SECURE_COOKIES": "false",
    }
    demo = subprocess.run(
        [sys.executable, "-m", "sijcare", "demo", "--no-serve"],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    password, logins = _parse_demo_output(demo.stdout)
    port = _free_port()
    log = folder / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "sijcare", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, log)
        yield LiveServer(url=url, password=password, logins=logins, log=log)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer within 120 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require(CHROMIUM.exists(), "Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object, live_server: LiveServer) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, locale="en-US")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def sign_in(live_server: LiveServer) -> Callable[[object, str, str | None], None]:
    def sign_in(page: object, email: str, password: str | None = None) -> None:
        page.goto("/login")  # type: ignore[attr-defined]
        page.get_by_label("E-mail address").fill(email)  # type: ignore[attr-defined]
        page.get_by_label("Password", exact=True).fill(password or live_server.password)  # type: ignore[attr-defined]
        page.get_by_role("button", name=re.compile("sign in", re.I)).click()  # type: ignore[attr-defined]
        page.wait_for_load_state()  # type: ignore[attr-defined]
        assert "/login" not in page.url, "sign-in failed"  # type: ignore[attr-defined]

    return sign_in


@pytest.fixture(scope="session")
def axe_source() -> str:
    _require(AXE.exists(), "axe-core is not installed (npm ci)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def check_accessibility(axe_source: str) -> Callable[[object], None]:
    """Run axe-core on the current page; fail on serious or critical violations."""

    def check(page: object) -> None:
        # evaluate() runs through the DevTools protocol, so the page's CSP (no inline
        # script) stays in force for the app while axe is still loaded.
        page.evaluate(axe_source)  # type: ignore[attr-defined]
        result = page.evaluate(  # type: ignore[attr-defined]
            "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']})"
        )
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        details = json.dumps(
            [
                {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
                for v in bad
            ],
            indent=1,
        )
        assert bad == [], f"{page.url}: {details}"  # type: ignore[attr-defined]

    return check
