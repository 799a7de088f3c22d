"""`python -m sijcare.soak [--seconds N] [--patients N] [--database-url URL]`: the soak run.

Prints the figures as JSON and exits 1 when the run failed (an error, a lost write, or
memory growth past the bound); see `sijcare.soak.run`.
"""

from __future__ import annotations

import argparse
import json
import sys

from sijcare.soak.run import soak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sijcare.soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=300.0, help="how long (default 300)")
    parser.add_argument("--patients", type=int, default=8, help="patients writing (default 8)")
    parser.add_argument("--pause", type=float, default=0.25, help="seconds between scores")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args(argv)
    result = soak(args.database_url, seconds=args.seconds, patients=args.patients, pause=args.pause)
    print(json.dumps(result.summary(), indent=2))
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
