"""The domain core stays pure: no clock, no I/O, no logging (ADR 0001)."""

from __future__ import annotations

import re
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "sijcare" / "domain"

# Reading the clock or doing I/O inside a rule makes its result unreproducible.
FORBIDDEN = {
    r"\bdatetime\.now\(": "pass `now` in",
    r"\bdatetime\.utcnow\(": "pass `now` in",
    r"\bdate\.today\(": "pass `today` in",
    r"\btime\.time\(": "pass `now` in",
    r"\bopen\(": "no file I/O in the core",
    r"^\s*import logging|^\s*from logging": "no logging of patient values in the core",
    r"\bprint\(": "no output from the core",
    r"\bos\.environ": "settings are passed in",
}


def test_domain_has_no_clock_io_or_logging() -> None:
    offences = []
    for path in sorted(DOMAIN.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern, why in FORBIDDEN.items():
                if re.search(pattern, line):
                    offences.append(f"{path.name}:{number}: {line.strip()} ({why})")
    assert offences == []
