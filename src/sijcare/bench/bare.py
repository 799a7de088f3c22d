"""The baseline of the write benchmark: a bare Starlette endpoint doing the same insert.

`POST /entries/{procedure_id}` with `{"pain": n, "user_id": u}` inserts one diary entry
(the same columns as the product's) into the same database and answers 201 with its id.
No session, CSRF, access check, audit or interpretation, no ORM and no thread pool: one
prepared INSERT on the driver connection, committed, in the event loop (a SQLite insert
takes well under a millisecond). What is left is the web server, the JSON and the insert:
the most this machine and stack can do, which the app is measured against.
Run with uvicorn: `sijcare.bench.bare:make_app` (a factory, SIJCARE_DATABASE_URL).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sijcare.db.engine import create_engine_for

_COLUMNS = "procedure_id, recorded_at, pain, note, activity_done, created_at, created_by"


def make_app() -> Starlette:
    engine = create_engine_for(os.environ["SIJCARE_DATABASE_URL"])
    postgres = engine.dialect.name == "postgresql"
    marks = ", ".join(["%s" if postgres else "?"] * 7)
    sql = f"INSERT INTO diary_entry ({_COLUMNS}) VALUES ({marks}) RETURNING id"
    # One driver connection for the process: the event loop runs one insert at a time.
    connection = engine.raw_connection().driver_connection
    assert connection is not None

    def insert(procedure_id: int, pain: int, user_id: int) -> int:
        now = datetime.now(UTC)
        # Stored the way the product's UTC columns store times on each engine.
        at: object = now if postgres else now.replace(tzinfo=None).isoformat(sep=" ")
        cursor = connection.cursor()
        try:
            if not postgres:
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(sql, (procedure_id, at, pain, "", None, at, user_id))
            new_id = int(cursor.fetchone()[0])
            connection.commit() if postgres else cursor.execute("COMMIT")
        except BaseException:
            connection.rollback()
            raise
        finally:
            cursor.close()
        return new_id

    async def entry(request: Request) -> JSONResponse:
        body = await request.json()
        procedure_id = int(request.path_params["procedure_id"])
        new_id = insert(procedure_id, int(body["pain"]), int(body["user_id"]))
        return JSONResponse({"id": new_id}, status_code=201)

    return Starlette(routes=[Route("/entries/{procedure_id:int}", entry, methods=["POST"])])
