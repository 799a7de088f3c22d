"""`python -m sijcare.bench [--size full|small] [--only NAMES] [--seed N]` (see the package)."""

from __future__ import annotations

import argparse
import sys

from sijcare.bench.report import run_all


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m sijcare.bench", description=__doc__)
    parser.add_argument("--size", choices=("full", "small"), default="full")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--only",
        default="population,interpret,dashboard,pages,writes",
        help="comma-separated benchmarks to run",
    )
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432",
        help="PostgreSQL server (no database name), or none; skipped when it does not answer",
    )
    args = parser.parse_args(argv)
    return run_all(args.size, args.seed, set(args.only.split(",")), args.postgres)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
