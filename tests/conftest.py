"""Shared fixtures: the shipped knowledge, and strictness about the environment."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from sijcare import knowledge as knowledge_loader
from sijcare.domain.knowledge import Knowledge

IN_CI = os.environ.get("CI", "").lower() == "true"

# Property tests use a fixed seed (reproducible runs) and no per-example deadline: speed
# is measured by the benchmarks, and a loaded machine must not turn slowness into failure.
settings.register_profile("sijcare", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("sijcare")


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return knowledge_loader.load()
