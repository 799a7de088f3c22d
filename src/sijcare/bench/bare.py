"""The baseline of the write benchmark: a bare Starlette endpoint doing the same insert.

`POST /entries/{procedure_id}` with `{"pain": n, "user_id": u}` inserts one diary entry
(the same columns as the product's) into the same database, in a thread like the app's
synchronous routes, and answers 201 with its id. No session, CSRF, access check, audit
or interpretation: what is left is the web server, the JSON and the insert.
Run with uvicorn: `sijcare.bench.bare:make_app` (a factory, SIJCARE_DATABASE_URL).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sijcare.db.engine import create_engine_for
from sijcare.db.models import DiaryEntry


def make_app() -> Starlette:
    engine = create_engine_for(os.environ["SIJCARE_DATABASE_URL"])

    def insert(procedure_id: int, pain: int, user_id: int) -> int:
        now = datetime.now(UTC)
        with engine.begin() as connection:
            return int(
                connection.execute(
                    sa.insert(DiaryEntry)
                    .values(
                        procedure_id=procedure_id,
                        recorded_at=now,
                        pain=pain,
                        note="",
                        activity_done=None,
                        created_at=now,
                        created_by=user_id,
                    )  # fmt: skip
                    .returning(DiaryEntry.id)
                ).scalar_one()
            )

    async def entry(request: Request) -> JSONResponse:
        body = await request.json()
        procedure_id = int(request.path_params["procedure_id"])
        new_id = await run_in_threadpool(
            insert, procedure_id, int(body["pain"]), int(body["user_id"])
        )
        return JSONResponse({"id": new_id}, status_code=201)

    return Starlette(routes=[Route("/entries/{procedure_id:int}", entry, methods=["POST"])])
