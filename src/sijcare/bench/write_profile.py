"""A profile of the app's diary write path in this process, as it runs under load: the
scores of several patients that arrived together, their sessions looked up in one query
(`services.auth.resume_all`) and recorded in one transaction
(`services.diary.record_entries`: access, entry, interpretation, audit). Without the web
server and the load generator (a profiler sees one thread only)."""

from __future__ import annotations

from datetime import UTC, datetime

from sijcare import knowledge as knowledge_loader
from sijcare.bench import profiles
from sijcare.bench.writes import _writers
from sijcare.db.engine import create_engine_for, session_factory
from sijcare.services import auth, diary
from sijcare.services.actor import Origin
from sijcare.settings import Environment, Secret, Settings

BATCHES = 40
# Scores a batch: about what one app process gathers in a turn of its event loop near
# 1,000 writes/s.
BATCH = 10


def profile_writes(url: str) -> str:
    writers = _writers(url, BATCH * BATCHES)
    knowledge = knowledge_loader.load()
    settings = Settings(database_url=url, env=Environment.TEST, secret_key=Secret("b" * 48))
    config = auth.AuthConfig.from_settings(settings)
    engine = create_engine_for(url)
    sessions = session_factory(engine)

    def work() -> None:
        for b in range(BATCHES):
            batch = writers[b * BATCH : (b + 1) * BATCH]
            now = datetime.now(UTC)
            with sessions() as db:
                tokens = [(w["cookie"].split("=", 1)[1], Origin()) for w in batch]
                resumed, seen = auth.resume_all(db, tokens=tokens, now=now, config=config)
                requests = []
                for n, (w, r) in enumerate(zip(batch, resumed, strict=True)):
                    assert r is not None
                    entry = diary.NewEntry(pain=n % 11)
                    requests.append(diary.ScoreRequest(r.actor, w["procedure_id"], entry, now))
                outcomes = diary.record_entries(db, requests, knowledge, also=seen.write)
                assert not any(isinstance(o, Exception) for o in outcomes), outcomes

    try:
        return profiles.profile(work)
    finally:
        engine.dispose()
