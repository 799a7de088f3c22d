"""Generate the benchmark's population in its own process: `python -m sijcare.bench.generate`.

Arguments: the SQLite URL, the clinic configuration, clinics, patients, seed, as-of day
(YYYY-MM-DD) and workers. It prints the summary as JSON. Run as a child process so the
benchmark can measure its time and the memory of it and its workers.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path

from sijcare import knowledge as knowledge_loader
from sijcare.db import migrate
from sijcare.db.engine import create_engine_for
from sijcare.services.passwords import Passwords
from sijcare.synth.run import PASSWORD, synthesize


def main(argv: list[str]) -> None:
    url, config, clinics, patients, seed, as_of, workers = argv
    migrate.upgrade(url)
    knowledge = knowledge_loader.load(Path(config))
    engine = create_engine_for(url)
    try:
        summary = synthesize(
            engine,
            clinics=int(clinics),
            patients=int(patients),
            seed=int(seed),
            now=datetime.combine(date.fromisoformat(as_of), time(12), tzinfo=UTC),
            knowledge=knowledge,
            password_hash=Passwords().hash(PASSWORD),
            clinic_config=Path(config),
            workers=int(workers),
            # Small batches keep both workers busy to the end and little in memory.
            batch_size=250,
        )
    finally:
        engine.dispose()
    print(json.dumps({"rows": summary.rows, "logins": [vars(x) for x in summary.logins]}))


if __name__ == "__main__":
    main(sys.argv[1:])
