"""The pain chart's text alternative: the dotted line is told as a whole score, as the
patient records scores (a baseline of 7 and a 75 % drop: 1 or less, not "1.75")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Anesthetic, Kind, Procedure, Side
from sijcare.web.charts import describe_pain_chart

AT = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(("baseline", "score"), [(7, 1), (8, 2), (4, 1), (10, 2)])
def test_the_dotted_line_is_told_as_the_highest_score_under_it(
    knowledge: Knowledge, baseline: int, score: int
) -> None:
    procedure = Procedure(
        performed_at=AT, kind=Kind.DIAGNOSTIC, side=Side.LEFT,
        anesthetic=Anesthetic("lidocaine", 1.0, 2.0), steroid=None, baseline_pain=baseline,
    )  # fmt: skip
    words = describe_pain_chart(procedure, [], None, knowledge, "America/Los_Angeles", "en")
    assert f"a drop in pain of 75% or more: a score of {score} or less." in words
    assert "." not in words.split("a score of ")[1].split(" or less")[0]
