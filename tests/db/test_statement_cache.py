"""A PostgreSQL engine has psycopg cache the conversion of a batch's long statements
(`db.engine._cache_batch_statements`). The limits are psycopg's module constants, not a
public setting: this fails if psycopg stops reading them."""

from __future__ import annotations

from psycopg import _queries
from psycopg.adapt import Transformer

from sijcare.db.engine import create_engine_for


def test_a_batch_insert_statement_is_converted_once() -> None:
    create_engine_for("postgresql+psycopg://nobody@127.0.0.1:1/none").dispose()
    # 64 rows of 37 columns, as SQLAlchemy writes a batch of interpretations.
    names = [f"column_{c}__{r}" for r in range(64) for c in range(37)]
    query = "INSERT INTO t VALUES " + ", ".join(f"(%({n})s::INTEGER)" for n in names)
    params = dict.fromkeys(names, 1)
    assert len(query.encode()) > 4096 and len(params) > 50  # past psycopg's defaults
    hits = _queries._query2pg.cache_info().hits
    for _ in range(2):
        _queries.PostgresQuery(Transformer()).convert(query, params)
    assert _queries._query2pg.cache_info().hits == hits + 1
