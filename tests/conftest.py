"""Shared fixtures: the shipped knowledge, and strictness about the environment."""

from __future__ import annotations

import os

import pytest

from sijcare import knowledge as knowledge_loader
from sijcare.domain.knowledge import Knowledge

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return knowledge_loader.load()
