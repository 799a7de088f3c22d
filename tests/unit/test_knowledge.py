from __future__ import annotations

from pathlib import Path

import pytest

from sijcare import knowledge as loader
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Evidence, Knowledge


def test_every_rule_has_a_summary_and_a_known_source(knowledge: Knowledge) -> None:
    for rule in knowledge.rules.values():
        assert rule.summary.strip(), rule.key
        assert rule.source in knowledge.sources, rule.key
        assert isinstance(rule.evidence, Evidence)


def test_every_table_row_is_sourced(knowledge: Knowledge) -> None:
    for table in knowledge.tables.values():
        for row in table.rows:
            assert row["source"] in knowledge.sources, (table.name, row["id"])
            Evidence(row["evidence"])


def test_clinic_override_is_applied_and_recorded(tmp_path: Path) -> None:
    config = tmp_path / "clinic.toml"
    config.write_text('[overrides]\n"clinic.help_line_closes" = "20:00"\n', encoding="utf-8")
    k = loader.load(config)
    assert k.text("clinic.help_line_closes") == "20:00"
    assert k.overrides == {"clinic.help_line_closes": "20:00"}
    assert k.rule("clinic.help_line_closes").evidence is Evidence.CLINIC_DEFAULT
    provenance = k.provenance(("clinic.help_line_closes",), {"x": 1})
    assert provenance.as_dict()["overrides"] == {"clinic.help_line_closes": "20:00"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('"no.such.rule" = 1', "is not a rule"),
        ('"relief.low_baseline_warning_below" = "four"', "must be a number"),
        ('"relief.low_baseline_warning_below" = 4.5', "whole number"),
        ('"relief.low_baseline_warning_below" = 11', "at most 10"),
        ('"clinic.time_zone" = 3', "same kind"),
    ],
)
def test_bad_override_names_the_file_and_rule(tmp_path: Path, line: str, message: str) -> None:
    config = tmp_path / "clinic.toml"
    config.write_text(f"[overrides]\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        loader.load(config)
    assert str(config) in str(exc.value)
    assert message in str(exc.value)


def test_unreadable_config_is_an_input_error(tmp_path: Path) -> None:
    config = tmp_path / "clinic.toml"
    config.write_text("[overrides\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        loader.load(config)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[overides]\n"clinic.time_zone" = "UTC"\n', "is not a section"),
        ('[overrides]\n"therapeutic.milestone_2w_days" = [10, 14]\n', "must have 3 items"),
        ('[overrides]\n"therapeutic.milestone_2w_days" = [10, "14", 18]\n', "same kind"),
    ],
)
def test_misspelt_section_or_malformed_list_is_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    config = tmp_path / "clinic.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        loader.load(config)


def test_list_override_of_the_right_shape_is_applied(tmp_path: Path) -> None:
    config = tmp_path / "clinic.toml"
    config.write_text('[overrides]\n"therapeutic.milestone_2w_days" = [11, 14, 17]\n', "utf-8")
    assert loader.load(config).numbers("therapeutic.milestone_2w_days") == (11.0, 14.0, 17.0)
