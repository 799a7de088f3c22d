"""A web app on a SQLite file checkpoints its log in a thread of its own while it serves
(`db.checkpoints`), and its connection leaves the checkpoints to that thread."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa
from starlette.testclient import TestClient  # imported quietly by conftest first

from sijcare.db import migrate
from sijcare.settings import Environment, Secret, Settings
from sijcare.web.app import create_app


def _autocheckpoint(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def test_the_web_app_checkpoints_a_sqlite_file_while_it_serves(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    migrate.upgrade(url)
    settings = Settings(
        database_url=url, env=Environment.TEST, secret_key=Secret("s" * 48), secure_cookies=True
    )

    def threads() -> list[str]:
        return [t.name for t in threading.enumerate() if t.name == "sijcare-checkpoint"]

    app = create_app(settings)
    before = len(threads())
    with TestClient(app) as client:
        assert len(threads()) == before + 1
        assert client.get("/login").status_code == 200
        engine = app.state.platform.engine
        assert _autocheckpoint(engine) == 0
    assert len(threads()) == before
    app.state.platform.engine.dispose()
