"""A short soak (a few seconds) in the suite: the full run is `python -m sijcare.soak`."""

from __future__ import annotations

from sijcare.soak.run import soak


def test_short_soak_has_no_error_and_loses_no_write(db_url: str) -> None:
    result = soak(db_url, seconds=8, patients=3)
    assert result.errors == []
    assert result.writes_acknowledged > 0
    assert result.writes_missing == 0
    assert result.requests > result.writes_acknowledged
    assert result.rss_kb and all(rss > 0 for rss in result.rss_kb)
