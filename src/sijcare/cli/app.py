"""Commands of the web application: `serve`, `db upgrade` and `demo`.

Each command builds the settings once from the environment (see `.env.example`).
"""

from __future__ import annotations

import copy
import gc
import os
from typing import TYPE_CHECKING, Any

import click

from sijcare.db import migrate
from sijcare.db.engine import create_engine_for, session_factory
from sijcare.settings import Environment, Settings

if TYPE_CHECKING:
    from fastapi import FastAPI


def _settings() -> Settings:
    return Settings.from_environ(os.environ)


def serving(app: FastAPI) -> FastAPI:
    """`app`, ready to serve: what the process built at start-up is frozen out of the
    garbage collector's passes.

    The knowledge, the templates, SQLAlchemy's mappers and the routes live as long as
    the process, yet each full pass of the collector walked them all, and under load
    such a pass stalls the event loop. Open loop at 1,000 score writes a second (full
    population, SQLite, alternating runs): p99 170-270 ms, slowest 260-380 ms; frozen,
    21-32 ms and 43-112 ms.
    """
    gc.collect()
    gc.freeze()
    return app


def _serve(settings: Settings, host: str | None, port: int | None, workers: int = 1) -> None:
    import uvicorn

    from sijcare.web.app import create_app

    options: dict[str, Any] = {
        "host": host or settings.host,
        "port": port or settings.port,
        "proxy_headers": True,
        "forwarded_allow_ips": "127.0.0.1",
        # uvicorn's access log writes each path and query string: patient names and
        # ids. The app writes its own, without them (`web.logs`).
        "access_log": False,
        "log_config": log_config(),
    }
    if workers == 1:
        uvicorn.run(serving(create_app(settings)), **options)
        return
    # Each worker process builds the app from the environment. Nothing lives in a
    # process's memory (sessions, login throttling and the outbox are in the database),
    # but every worker must sign with the same key: a development key made up at start
    # is handed to the workers.
    if "SIJCARE_SECRET_KEY" not in os.environ and "SIJCARE_SECRET_KEY_FILE" not in os.environ:
        os.environ["SIJCARE_SECRET_KEY"] = settings.secret_key.reveal()
    uvicorn.run("sijcare.cli.app:app_from_environ", factory=True, workers=workers, **options)


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the app's loggers (`sijcare.*`, the access log among them)
    at INFO on the same handler, whose exceptions are written without their messages
    (`web.logs.PrivateFormatter`: a message may hold patient data)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["default"]["()"] = "sijcare.web.logs.PrivateFormatter"
    config["loggers"]["sijcare"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def app_from_environ() -> FastAPI:
    """The app of one worker process of `serve --workers N`, from the environment."""
    from sijcare.web.app import create_app

    return serving(create_app(_settings()))


@click.command()
@click.option("--host", help="Address to listen on (default: SIJCARE_HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default: SIJCARE_PORT or 8000).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="App processes sharing the port (use PostgreSQL for more than one machine).",
)
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the web app (the database must be up to date: `sijcare db upgrade`)."""
    _serve(_settings(), host, port, workers)


@click.group()
def db() -> None:
    """Manage the database."""


@db.command()
def upgrade() -> None:
    """Apply the migrations to the database SIJCARE_DATABASE_URL names."""
    settings = _settings()
    migrate.upgrade(settings.database_url)
    click.echo(f"database is at revision {migrate.current_revision(settings.database_url)}")


# Enough earlier patients for the quality dashboard to show figures; few enough to load
# in seconds.
DEMO_HISTORY_PATIENTS = 80


@click.command()
@click.option("--serve/--no-serve", "then_serve", default=True, help="Serve the app afterwards.")
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default 8000).")
@click.option(
    "--history",
    type=click.IntRange(0, 5000),
    default=DEMO_HISTORY_PATIENTS,
    show_default=True,
    help="Earlier patients of the demo clinic, drawn like `sijcare synth` (seed 1).",
)
def demo(then_serve: bool, host: str | None, port: int | None, history: int) -> None:
    """Set up the database, load a demo clinic, print its logins and serve the app."""
    from sijcare import knowledge as knowledge_loader
    from sijcare.services import demo as demo_data
    from sijcare.services.passwords import Passwords
    from sijcare.synth.run import synthesize_into
    from sijcare.web.platform import utc_now

    settings = _settings()
    if settings.env is Environment.PRODUCTION:
        raise click.ClickException("the demo clinic is not loaded in production (SIJCARE_ENV)")
    migrate.upgrade(settings.database_url)
    engine = create_engine_for(settings.database_url)
    now = utc_now()
    knowledge = knowledge_loader.load(settings.clinic_config)

    def earlier_patients(clinic_id: int, password_hash: str) -> None:
        synthesize_into(
            engine,
            clinic_id=clinic_id,
            patients=history,
            seed=1,
            now=now,
            knowledge=knowledge,
            password_hash=password_hash,
        )

    try:
        with session_factory(engine)() as session:
            result = demo_data.load_demo(
                session,
                now=now,
                passwords=Passwords(),
                knowledge=knowledge,
                history=earlier_patients if history else None,
            )
    finally:
        engine.dispose()
    click.echo("Demo clinic loaded." if result.created else "Demo clinic already loaded.")
    click.echo(f"Every demo account's password: {result.password}")
    for login in result.logins:
        click.echo(f"  {login.role:<10} {login.email:<32} {login.name}")
    url = f"http://{host or settings.host}:{port or settings.port}"
    click.echo(f"Open {url} and sign in.")
    if then_serve:
        _serve(settings, host, port)
