"""Property-based fuzzing of the JSON API from its own OpenAPI description (schemathesis).

`fuzz(web, db, ids, ...)` generates requests for every operation of the app's OpenAPI
document, for each signed-in persona (and an anonymous browser), in two modes:
- positive: valid data by the description, with the path's record ids set to real
  records of the target patient (`ids`), so the requests reach the services;
- negative: data that breaks the description (wrong types, missing fields, bad ids).

Every unsafe request carries the browser's CSRF token. Each response must
- not be a server error (no 5xx),
- match the description: a documented status, content type, headers and body schema;
- when a write (POST, PUT, PATCH, DELETE) is refused (4xx), leave every table as it was
  (no half-saved input). The audit log, login attempts and sessions are left out:
  refusals are audited.

Examples per operation and mode: `SIJCARE_FUZZ_EXAMPLES` (default 2; the deep run uses
more); each is sent as every persona. Hypothesis runs derandomized (fixed seeds), without
shrinking and without its database; the cases are generated once for both engines.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from sijcare.db.base import Base
from web.conftest import Browser, Web

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Tables that change on reads and refusals too (audited), or on every request (sessions).
CHANGE_ON_READ = frozenset({"audit_event", "login_attempt", "web_session"})
# Calls that end or replace the session run last, so the others run signed in.
SESSION_CALLS = frozenset({("POST", "/api/v1/session"), ("DELETE", "/api/v1/session")})
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def examples_per_run() -> int:
    return int(os.environ.get("SIJCARE_FUZZ_EXAMPLES", "2"))


@dataclass
class FuzzReport:
    requests: int = 0
    operations: set[tuple[str, str]] = field(default_factory=set)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def count(self, method: str, path: str, status: int) -> None:
        self.requests += 1
        self.operations.add((method, path))
        self.statuses[status] = self.statuses.get(status, 0) + 1


def row_counts(db: Session) -> tuple[int, ...]:
    """The number of rows of every table that a refused request must not change."""
    tables = [t.name for t in Base.metadata.sorted_tables if t.name not in CHANGE_ON_READ]
    query = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{name}")' for name in tables)
    with db.begin():
        return tuple(db.execute(sa.text(query)).one())


def send(browser: Browser, case: Any) -> Any:
    kwargs = case.as_transport_kwargs(base_url="https://testserver")
    headers = {k: v for k, v in kwargs.get("headers", {}).items() if k.lower() != "connection"}
    if kwargs["method"].upper() not in SAFE:
        headers["X-CSRF-Token"] = browser.csrf_token or browser.refresh_csrf()
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif "data" in kwargs:
        body["content"] = kwargs["data"]
    return browser.client.request(
        kwargs["method"], kwargs["url"], params=kwargs.get("params"), headers=headers, **body
    )


def fuzz(
    web: Web,
    db: Session,
    ids: dict[str, str],
    *,
    personas: Iterable[str],
    examples: int,
    sign_in: Callable[[str], Browser],
) -> FuzzReport:
    """Fuzz every operation for each persona ("anonymous": not signed in).

    The cases of each operation and mode are generated once and sent as every persona.
    """
    schema = schemathesis.openapi.from_dict(web.app.openapi())
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda op: ((op.method.upper(), op.path) in SESSION_CALLS, op.path, op.method),
    )
    cases = [
        (operation, mode, case)
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for case in generate(operation, mode, ids, examples)
    ]
    browsers = {name: sign_in(name) for name in personas}
    report = FuzzReport()
    for name, browser in browsers.items():
        for operation, mode, case in cases:
            label = f"{name} {mode.value} {operation.method.upper()} {operation.path}"
            try:
                check(browser, case, db, report)
            except (Exception, FailureGroup) as exc:  # every failure is collected and reported
                first = str(exc).strip().splitlines()[:20]
                report.failures.append(f"{label}: " + " | ".join(first))
    return report


# Cases by operation, mode, target records and budget: both engines send the same ones.
_CASES: dict[tuple[str, str, str, str, int], list[Any]] = {}


def generate(operation: Any, mode: GenerationMode, ids: dict[str, str], examples: int) -> list[Any]:
    """Up to `examples` cases of `operation`; positive ones name the target's records."""
    key = (operation.method, operation.path, mode.value, repr(sorted(ids.items())), examples)
    if key not in _CASES:
        _CASES[key] = _generate(operation, mode, ids, examples)
    return _CASES[key]


def _generate(
    operation: Any, mode: GenerationMode, ids: dict[str, str], examples: int
) -> list[Any]:
    params = {p.name for p in operation.path_parameters}
    fixed = {name: ids[name] for name in params if name in ids}
    positive = mode is GenerationMode.POSITIVE
    strategy = operation.as_strategy(
        generation_mode=mode, path_parameters=fixed if positive and fixed else None
    )
    found: list[Any] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=strategy)
    def draw(case: Any) -> None:
        found.append(case)

    try:
        draw()
    except Unsatisfiable:
        pass  # nothing to break: the operation has no parameter and no body
    return found


def check(browser: Browser, case: Any, db: Session, report: FuzzReport) -> None:
    method = case.operation.method.upper()
    writes = method not in SAFE
    before = row_counts(db) if writes else ()
    response = send(browser, case)
    report.count(method, case.operation.path, response.status_code)
    case.validate_response(response, checks=CHECKS)
    if writes and response.status_code >= 400:
        assert row_counts(db) == before, (
            f"a refused request changed the data: {response.status_code}"
        )
