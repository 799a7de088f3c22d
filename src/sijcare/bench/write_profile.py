"""A profile of the app's diary write path in this process: the session check and the
use case (`services.diary.record_entry`: access, entry, interpretation, audit), without
the web server and the load generator (a profiler sees one thread only)."""

from __future__ import annotations

from datetime import UTC, datetime

from sijcare import knowledge as knowledge_loader
from sijcare.bench import profiles
from sijcare.bench.writes import _writers
from sijcare.db.engine import create_engine_for, session_factory
from sijcare.services import auth, diary
from sijcare.services.actor import Origin
from sijcare.settings import Environment, Secret, Settings

WRITES = 200


def profile_writes(url: str) -> str:
    writers = _writers(url)[:20]
    knowledge = knowledge_loader.load()
    settings = Settings(database_url=url, env=Environment.TEST, secret_key=Secret("b" * 48))
    config = auth.AuthConfig.from_settings(settings)
    engine = create_engine_for(url)
    sessions = session_factory(engine)

    def work() -> None:
        for n in range(WRITES):
            w = writers[n % len(writers)]
            now = datetime.now(UTC)
            with sessions() as db:
                token = w["cookie"].split("=", 1)[1]
                resumed = auth.resume(db, token=token, origin=Origin(), now=now, config=config)
                assert resumed is not None
                diary.record_entry(
                    db, actor=resumed.actor, procedure_id=w["procedure_id"],
                    entry=diary.NewEntry(pain=n % 11), knowledge=knowledge, now=now,
                )  # fmt: skip

    try:
        return profiles.profile(work)
    finally:
        engine.dispose()
