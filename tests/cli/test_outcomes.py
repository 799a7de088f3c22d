"""`sijcare outcomes`: its day filters read as the page's (`--until` included), and a
filter value that matches nothing is an error naming the option, not a table of zeros."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sijcare import knowledge as knowledge_loader
from sijcare.cli.common import Context
from sijcare.cli.outcomes import outcomes_command
from sijcare.cli.synth import synth
from sijcare.db.engine import create_engine_for
from sijcare.db.models import ProcedureRecord
from sijcare.domain.errors import InputError


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('outcomes') / 'synth.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SIJCARE_DATABASE_URL", url)
        patch.setenv("SIJCARE_ENV", "development")
        result = CliRunner().invoke(
            synth,
            ["--clinics", "1", "--patients", "40", "--seed", "7", "--as-of", "2026-03-02",
             "--workers", "1"],
            obj=Context(clinic_config=None),
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    return url


def run(url: str, monkeypatch: pytest.MonkeyPatch, *argv: str) -> dict[str, int]:
    """The total row's procedure count, or the option an `InputError` names (as -1)."""
    monkeypatch.setenv("SIJCARE_DATABASE_URL", url)
    result = CliRunner().invoke(
        outcomes_command, [*argv, "--json"], obj=Context(clinic_config=None)
    )
    if isinstance(result.exception, InputError):
        return {"error": -1, result.exception.where: -1}
    assert result.exit_code == 0, result.output
    [total] = [row for row in json.loads(result.stdout) if row["group"] == "total"]
    return {"procedures": int(total["procedures"])}


def test_until_includes_its_day_as_on_the_page(
    population: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    zone = ZoneInfo(knowledge_loader.load().text("clinic.time_zone"))
    engine = create_engine_for(population)
    with engine.connect() as connection:
        last = connection.scalar(sa.select(sa.func.max(ProcedureRecord.performed_at)))
    engine.dispose()
    assert last is not None
    day = last.replace(tzinfo=last.tzinfo or ZoneInfo("UTC")).astimezone(zone).date()
    everything = run(population, monkeypatch)["procedures"]
    assert everything > 0
    assert run(population, monkeypatch, "--until", day.isoformat())["procedures"] == everything
    one_day = run(population, monkeypatch, "--since", str(day), "--until", str(day))
    assert one_day["procedures"] >= 1
    before = run(population, monkeypatch, "--until", str(day - timedelta(days=1)))
    assert before["procedures"] == everything - one_day["procedures"]


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--anesthetic", "novocaine"], "--anesthetic"),
        (["--steroid", "prednisone"], "--steroid"),
        (["--clinic", "999"], "--clinic"),
        (["--since", "2026-03-02", "--until", "2026-03-01"], "--until"),
    ],
)
def test_a_filter_that_matches_nothing_names_the_option(
    population: str, monkeypatch: pytest.MonkeyPatch, argv: list[str], option: str
) -> None:
    assert option in run(population, monkeypatch, *argv)


def test_the_table_shows_whole_group_names() -> None:
    from sijcare.cli.outcomes import table

    long_name = "Northern Valley Spine and Pain Clinic at Riverside"
    rows = [{"label": long_name}, {"label": "All"}]
    text = table([{**_EMPTY_ROW, **r} for r in rows], waiting=0)
    header, first, last = text.splitlines()
    assert first.startswith(long_name + " ")
    # Every column starts at the same place on every line.
    assert header.index("procedures") == first.index("-") == last.index("-")


_EMPTY_ROW: dict[str, object] = {
    "procedures": "-", "positive_rate": None, "confirmation_rate": None,
    "concordance_rate": None, "responder_rate_2w": None, "responder_rate_6w": None,
    "responder_rate_3m": None, "median_relief_weeks": None, "flare_rate": None,
    "red_flag_rate": None, "adherence": None, "median_referral_days": None,
}  # fmt: skip


def test_refresh_builds_the_summary_once_and_the_figures_stay_the_same(
    population: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIJCARE_DATABASE_URL", population)
    outputs, said = [], []
    for argv in (["--by", "side"], ["--by", "side", "--refresh"], ["--by", "side", "--refresh"]):
        result = CliRunner().invoke(outcomes_command, [*argv, "--json"], obj=Context(None))
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.stdout))
        said.append(result.stderr.strip())
    assert said == ["", "Outcome summary rebuilt.", "Outcome summary up to date."]
    assert outputs[0] == outputs[1] == outputs[2]
