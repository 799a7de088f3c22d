"""`db.engine.open_pool` opens the connections an app process keeps before its first
request, on SQLite and PostgreSQL, and leaves a pool that keeps none alone."""

from __future__ import annotations

import sqlalchemy as sa

from sijcare.db.engine import create_engine_for, open_pool


def test_the_pool_is_full_and_open_before_the_first_request(engine: sa.Engine) -> None:
    pool = engine.pool
    assert isinstance(pool, sa.pool.QueuePool) and pool.checkedin() == 0
    assert open_pool(engine) == pool.size() > 0
    # Open and back in the pool, none held: the first request takes one at once.
    assert pool.checkedin() == pool.size() and pool.checkedout() == 0
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar_one() == 1
    assert pool.checkedin() == pool.size()


def test_a_pool_that_keeps_no_connections_is_left_alone() -> None:
    engine = create_engine_for("sqlite://")
    try:
        assert open_pool(engine) == 0
    finally:
        engine.dispose()
