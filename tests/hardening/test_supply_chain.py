"""Supply chain: every dependency is locked with hashes, and no locked version has a
high-severity advisory without a recorded decision.

No vulnerability service is reachable at run time here, so the advisories come from an
offline snapshot in OSV form (`supply_chain/advisories.json`); decisions are recorded in
`supply_chain/decisions.toml`. docs/security.md says how to refresh the snapshot.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "supply_chain"
BLOCKING = frozenset({"HIGH", "CRITICAL"})


def locked() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {p["name"]: p["version"] for p in lock["package"] if "version" in p}


def affects(advisory: dict[str, Any], version: str) -> bool:
    """Whether `version` falls in one of the advisory's ECOSYSTEM ranges (fixed excluded)."""
    try:
        have = Version(version)
    except InvalidVersion:
        return True  # cannot tell: assume it does, so a person looks
    for span in advisory["ranges"]:
        introduced = Version(span.get("introduced", "0"))
        fixed = span.get("fixed")
        if have >= introduced and (fixed is None or have < Version(fixed)):
            return True
    return False


def blocking(
    advisories: list[dict[str, Any]], versions: dict[str, str], decided: set[str]
) -> list[str]:
    """High or critical advisories (unknown severity counts as high) with no decision."""
    out = []
    for advisory in advisories:
        version = versions.get(advisory["package"])
        severity = str(advisory.get("severity") or "HIGH").upper()
        if version is None or severity not in BLOCKING or advisory["id"] in decided:
            continue
        if affects(advisory, version):
            out.append(f"{advisory['id']}: {advisory['package']} {version}")
    return out


def test_every_locked_package_has_hashes() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    missing = [
        p["name"]
        for p in lock["package"]
        if "registry" in p.get("source", {})
        and not (
            p.get("sdist", {}).get("hash") or all(w.get("hash") for w in p.get("wheels", [{}]))
        )
    ]
    assert missing == []


def test_no_locked_version_has_an_undecided_high_severity_advisory() -> None:
    snapshot = json.loads((DATA / "advisories.json").read_text(encoding="utf-8"))
    decisions = tomllib.loads((DATA / "decisions.toml").read_text(encoding="utf-8"))
    decided = set(decisions.get("decisions", {}))
    for entry in decisions.get("decisions", {}).values():
        assert {"package", "decision", "reason", "decided_by", "decided_on"} <= set(entry)
    assert blocking(snapshot["advisories"], locked(), decided) == []


def test_the_check_fails_on_an_affected_version_and_honours_a_decision() -> None:
    advisory = {
        "id": "TEST-1",
        "package": "demo",
        "severity": "HIGH",
        "ranges": [{"introduced": "1.0", "fixed": "1.4.2"}],
    }
    assert blocking([advisory], {"demo": "1.4.1"}, set()) == ["TEST-1: demo 1.4.1"]
    assert blocking([advisory], {"demo": "1.4.2"}, set()) == []
    assert blocking([advisory], {"demo": "0.9"}, set()) == []
    assert blocking([advisory], {"demo": "1.4.1"}, {"TEST-1"}) == []
    low = {**advisory, "severity": "LOW"}
    assert blocking([low], {"demo": "1.4.1"}, set()) == []
