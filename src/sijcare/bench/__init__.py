"""The benchmarks (`./dev bench`, `python -m sijcare.bench`): scale and speed, measured.

Each benchmark runs on this machine, side by side in one run, and is compared with its
target; a missed target is reported with the factor by which it was missed. Results are
printed as a table and saved as JSON under bench/results/ (`report`).

- `population`: the synthetic health system of 100,000 procedures (~3,000,000 scores),
  generated once (time and peak memory measured) and copied to PostgreSQL.
- `interpret`: reading 100,000 diaries of 30 scores on one core.
- `dashboard`: every outcome query on SQLite and PostgreSQL, and the same figures in
  DuckDB from the same rows.
- `pages`: the clinician's worklist and a patient's chart at that size (server time).
- `writes`: diary writes over HTTP under `wrk`, against a bare Starlette endpoint doing
  the same insert into the same database.
"""
