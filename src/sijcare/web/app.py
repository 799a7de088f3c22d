"""The application factory: `create_app(settings)` builds the whole web app.

To add a feature, write a route module under `sijcare/web/routes/` that exposes
`router` (an `APIRouter`) and, optionally, `nav_links` (and, for a very busy request,
`fast_routes`: see `portal_diary`), then add it to `ROUTE_MODULES`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from sqlalchemy.engine import make_url

from sijcare import __version__
from sijcare import knowledge as knowledge_loader
from sijcare.db.checkpoints import Checkpointer
from sijcare.db.engine import create_engine_for, session_factory, sqlite_file
from sijcare.services.auth import AuthConfig
from sijcare.settings import Settings
from sijcare.web import errors
from sijcare.web.deps import verify_csrf
from sijcare.web.logs import AccessLogMiddleware
from sijcare.web.platform import Clock, Platform, lookup_threads, utc_now, writer_threads
from sijcare.web.routes import (
    account,
    admin_api,
    admin_pages,
    appointments_api,
    appointments_pages,
    auth_api,
    auth_pages,
    availability_api,
    availability_pages,
    calendar_api,
    calendar_pages,
    csv_api,
    csv_pages,
    directory_api,
    directory_pages,
    documents_pages,
    fhir_api,
    home,
    patients_api,
    patients_pages,
    portal_aftercare,
    portal_consent,
    portal_diary,
    portal_diary_corrections,
    portal_education,
    portal_home,
    portal_screening,
    portal_screening_api,
    portal_symptoms,
    quality_api,
    quality_pages,
    reminders_api,
    reminders_pages,
    workspace_api,
    workspace_followup_pages,
    workspace_pages,
    workspace_pathways_api,
    workspace_procedure_api,
    workspace_procedure_pages,
)
from sijcare.web.security import SecurityHeadersMiddleware
from sijcare.web.templating import Templates

# No spans, metrics or exception logs from FastAPI itself, even when the environment
# configures OpenTelemetry (see `create_app`).
NO_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}

# Every route module of the app, in navigation order. Add new feature modules here.
ROUTE_MODULES: tuple[ModuleType, ...] = (
    home,
    auth_pages,
    auth_api,
    portal_home,
    portal_education,
    portal_screening,
    portal_screening_api,
    portal_consent,
    portal_diary,
    portal_diary_corrections,
    portal_symptoms,
    portal_aftercare,
    workspace_pages,
    workspace_procedure_pages,
    workspace_followup_pages,
    workspace_api,
    workspace_pathways_api,
    workspace_procedure_api,
    appointments_pages,
    appointments_api,
    patients_pages,
    patients_api,
    directory_pages,
    directory_api,
    availability_pages,
    availability_api,
    admin_pages,
    admin_api,
    account,
    documents_pages,
    fhir_api,
    reminders_pages,
    reminders_api,
    calendar_pages,
    calendar_api,
    csv_pages,
    csv_api,
    quality_pages,
    quality_api,
)


def _pool_for(url: str) -> dict[str, int]:
    """SQLite: one connection per app process. A write through one SQLite connection
    empties the page cache of every other connection to the file, so with the default
    pool (up to 15, handed out in turn) nearly every transaction began cold and re-read
    the large indexes of `interpretation`. Measured on the full population (2 processes,
    32 connections): 128.6 -> 247.6 diary writes/s, p99 527 -> 310 ms. SQLite runs one
    writer at a time anyway; a request waits for the connection instead. PostgreSQL
    keeps the default pool."""
    parsed = make_url(url)
    file_based = parsed.get_backend_name() == "sqlite" and parsed.database not in (
        None,
        "",
        ":memory:",
    )
    return {"pool_size": 1, "max_overflow": 0} if file_based else {}


def _checkpointer_for(url: str) -> Checkpointer | None:
    """SQLite file: a thread that checkpoints its log, off the requests' path
    (`db.checkpoints`)."""
    path = sqlite_file(url)
    return Checkpointer(path) if path else None


def create_app(settings: Settings, *, clock: Clock = utc_now) -> FastAPI:
    """The web app for `settings`; `clock` gives the current UTC time (tests freeze it)."""
    checkpointer = _checkpointer_for(settings.database_url)
    engine = create_engine_for(
        settings.database_url,
        **_pool_for(settings.database_url),
        **({"checkpointer": checkpointer} if checkpointer is not None else {}),
    )
    platform = Platform(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        knowledge=knowledge_loader.load(settings.clinic_config),
        auth=AuthConfig.from_settings(settings),
        clock=clock,
        templates=Templates(),
        writers=writer_threads(settings),
        lookups=lookup_threads(),
        nav=tuple(link for module in ROUTE_MODULES for link in getattr(module, "nav_links", ())),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if checkpointer is not None:
            checkpointer.start()
        yield
        if checkpointer is not None:
            checkpointer.stop()
        if platform.writers is not None:
            platform.writers.shutdown()
        platform.lookups.shutdown()
        engine.dispose()

    app = FastAPI(
        title="sijcare",
        version=__version__,
        summary="The SI joint injection pathway of a pain clinic and its patients.",
        docs_url=None,  # the interactive docs load scripts from the internet
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        dependencies=[Depends(verify_csrf)],
        lifespan=lifespan,
        # FastAPI's own OpenTelemetry (on by default since 0.16x) would send every
        # request's path (patient and procedure ids) and every exception's message to
        # whatever exporter the environment sets up: patient data leaving the clinic.
        # Off, it also costs nothing a request (on, it read os.environ each request).
        telemetry=NO_TELEMETRY,
    )
    app.state.platform = platform
    app.add_middleware(SecurityHeadersMiddleware)
    # Outermost: it times the whole answer, headers included.
    app.add_middleware(AccessLogMiddleware)
    app.mount("/static", StaticFiles(packages=[("sijcare.web", "static")]), name="static")
    errors.install(app)
    for module in ROUTE_MODULES:
        app.include_router(module.router)
    # A module's `fast_routes` (plain Starlette routes of its busiest requests) are tried
    # before every other route.
    app.router.routes[:0] = [r for m in ROUTE_MODULES for r in getattr(m, "fast_routes", ())]
    return app
