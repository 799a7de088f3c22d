"""A serving process freezes what it built at start-up out of the garbage collector's
passes (`cli.app.serving`): a full pass over them stalled score writes under load."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from sijcare.cli.app import app_from_environ


def test_a_worker_app_is_frozen_out_of_the_collector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIJCARE_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("SIJCARE_ENV", "test")
    monkeypatch.setenv("SIJCARE_SECRET_KEY", "serving-" + "k" * 48)
    gc.unfreeze()
    app = app_from_environ()
    try:
        assert gc.get_freeze_count() > 0
        # The app itself is among the frozen objects: not tracked by the collector's
        # generations any more, so no pass walks it.
        assert not any(obj is app for obj in gc.get_objects())
    finally:
        gc.unfreeze()
        app.state.platform.engine.dispose()
