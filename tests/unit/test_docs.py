"""The generated reference pages are fresh and document every rule."""

from __future__ import annotations

from pathlib import Path

from sijcare.domain.knowledge import Knowledge
from sijcare.formats import schemas
from sijcare.reference import render_rules_reference

ROOT = Path(__file__).resolve().parents[2]


def test_clinical_rules_reference_is_fresh(knowledge: Knowledge) -> None:
    committed = (ROOT / "docs" / "clinical-rules.md").read_text(encoding="utf-8")
    assert committed == render_rules_reference(knowledge), "run ./dev docs and commit the result"


def test_every_rule_and_table_row_is_documented(knowledge: Knowledge) -> None:
    page = (ROOT / "docs" / "clinical-rules.md").read_text(encoding="utf-8")
    undocumented = [key for key in knowledge.rules if f"`{key}`" not in page]
    assert undocumented == []
    for table in knowledge.tables.values():
        assert f"Table `{table.name}`" in page
        for row in table.rows:
            assert f"| {row['id']} |" in page, (table.name, row["id"])


def test_every_source_is_listed(knowledge: Knowledge) -> None:
    page = (ROOT / "docs" / "clinical-rules.md").read_text(encoding="utf-8")
    assert [s for s in knowledge.sources if f"**{s}**" not in page] == []


def test_json_schemas_are_fresh() -> None:
    for name, text in schemas.rendered().items():
        path = ROOT / "docs" / "schemas" / name
        assert path.read_text(encoding="utf-8") == text, f"{name}: run ./dev docs"
