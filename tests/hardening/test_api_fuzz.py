"""The JSON API, fuzzed from its own OpenAPI description on a bounded budget (see fuzzing.py).

The deep run is the same test with more examples: `SIJCARE_FUZZ_EXAMPLES=100 uv run
pytest tests/hardening/test_api_fuzz.py -s`. Both print the figures (requests,
operations, statuses) that docs/reliability.md reports.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from factories import make_availability
from factories.clinical import make_planned_pathway
from hardening.fuzzing import examples_per_run, fuzz
from web.access_matrix import PATIENT_SCOPED, World
from web.conftest import Browser, FrozenClock, Web

PERSONAS = tuple(
    os.environ.get("FUZZ_PERSONAS", "patient,clinician,scheduler,admin,outsider,anonymous").split(
        ","
    )
)


def world_ids(db: Session, web: Web) -> dict[str, str]:
    """One record of the target patient for each patient-scoped path parameter."""
    personas = web.personas
    practitioner = personas.clinician.practitioner
    assert personas.patient.patient is not None and practitioner is not None
    world = World(db, personas)
    world.cache["pathway"] = make_planned_pathway(
        db,
        patient=personas.patient.patient,
        clinician=personas.clinician.user,
        practitioner=practitioner,
        location=personas.location,
        room=personas.room,
        starts_at=datetime(2026, 3, 12, 17, 0, tzinfo=UTC),
    )
    make_availability(db, practitioner=practitioner, location=personas.location)
    return {name: resolve(world) for name, resolve in PATIENT_SCOPED.items()}


def test_fuzzed_api_never_fails_and_answers_as_described(
    web: Web, db: Session, clock: FrozenClock
) -> None:
    ids = world_ids(db, web)
    clock.advance(hours=3)

    def sign_in(name: str) -> Browser:
        if name == "anonymous":
            browser = web.browser()
            browser.refresh_csrf()
            return browser
        return web.as_(name)

    report = fuzz(web, db, ids, personas=PERSONAS, examples=examples_per_run(), sign_in=sign_in)
    print(
        f"fuzzed {report.requests} requests over {len(report.operations)} operations"
        f" x {len(PERSONAS)} personas; statuses {dict(sorted(report.statuses.items()))}"
    )
    for failure in report.failures:
        print(failure)
    assert report.failures == []
    assert len(report.operations) >= 50
