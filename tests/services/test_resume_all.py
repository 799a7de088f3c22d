"""The sessions of requests served together (`auth.resume_all`): each as `auth.resume`
would find it, in one query; the sessions to mark as seen are left to the caller's
write transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fixtures_db import Personas
from sijcare.bench.sessions import open_sessions
from sijcare.db.models import WebSession
from sijcare.services import auth
from sijcare.services.actor import Origin
from sijcare.settings import Environment, Secret, Settings

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def test_each_session_is_found_touched_or_ended_as_alone(
    db: Session, personas: Personas, db_url: str
) -> None:
    settings = Settings(database_url=db_url, env=Environment.TEST, secret_key=Secret("s" * 48))
    config = auth.AuthConfig.from_settings(settings)
    users = [personas.patient.user.id, personas.other_patient.user.id, personas.clinician.user.id]
    with db.begin():
        fresh, stale, idle = open_sessions(db.connection(), users, NOW)
        for signed, ago in ((stale, timedelta(minutes=2)), (idle, config.idle)):
            db.execute(
                sa.update(WebSession)
                .where(WebSession.token_hash == auth.hash_token(signed.token))
                .values(last_seen_at=NOW - ago)
            )
    here, there = Origin(ip="10.0.0.1"), Origin(ip="10.0.0.2")
    tokens = [(fresh.token, here), (stale.token, there), (idle.token, here), ("nobody", here),
              (fresh.token, there)]  # fmt: skip
    found, seen = auth.resume_all(db, tokens=tokens, now=NOW, config=config)

    assert [r and r.actor.user_id for r in found] == [users[0], users[1], None, None, users[0]]
    assert [r and r.actor.origin.ip for r in found] == [
        "10.0.0.1",
        "10.0.0.2",
        None,
        None,
        "10.0.0.2",
    ]
    assert found[0] and found[0].csrf_token == fresh.csrf_token
    assert seen.token_hashes == {auth.hash_token(stale.token)} and seen.at == NOW
    with db.begin():
        rows = dict(db.execute(sa.select(WebSession.user_id, WebSession.last_seen_at)).all())
    assert users[2] not in rows  # the idle session ended
    assert rows[users[1]] == NOW - timedelta(minutes=2)  # not yet marked seen
    with db.begin():
        seen.write(db.connection())
        rows = dict(db.execute(sa.select(WebSession.user_id, WebSession.last_seen_at)).all())
    assert rows[users[1]] == NOW and rows[users[0]] == NOW
    for token, origin in tokens:  # each alone now finds what the batch left
        alone = auth.resume(db, token=token, origin=origin, now=NOW, config=config)
        assert (alone is None) == (token in (idle.token, "nobody"))
