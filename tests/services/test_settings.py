"""Settings are parsed strictly from the environment, once, with masked secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from sijcare.settings import (
    DEFAULT_DATABASE_URL,
    Environment,
    ScoreWrites,
    Secret,
    Settings,
    SettingsError,
    database_on_this_machine,
)

LONG_SECRET = "s" * 40


def test_defaults_for_development() -> None:
    settings = Settings.from_environ({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.env is Environment.DEVELOPMENT
    assert settings.secure_cookies is False
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert len(settings.secret_key.reveal()) >= 32


def test_production_needs_a_real_secret_and_secures_cookies() -> None:
    with pytest.raises(
        SettingsError, match="SIJCARE_SECRET_KEY: is required in production; generate"
    ):
        Settings.from_environ({"SIJCARE_ENV": "production"})
    with pytest.raises(SettingsError, match="at least 32"):
        Settings.from_environ({"SIJCARE_ENV": "production", "SIJCARE_SECRET_KEY": "short"})
    with pytest.raises(SettingsError, match="required in production"):
        Settings.from_environ({"SIJCARE_ENV": "production", "SIJCARE_SECRET_KEY": "change-me"})
    settings = Settings.from_environ(
        {"SIJCARE_ENV": "production", "SIJCARE_SECRET_KEY": LONG_SECRET}
    )
    assert settings.secure_cookies is True


def test_secret_from_a_file_and_never_shown(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text(LONG_SECRET + "\n", encoding="utf-8")
    settings = Settings.from_environ({"SIJCARE_SECRET_KEY_FILE": str(secret_file)})
    assert settings.secret_key.reveal() == LONG_SECRET
    assert LONG_SECRET not in repr(settings) and LONG_SECRET not in str(settings.secret_key)
    assert repr(Secret("x")) == "Secret('**********')"
    with pytest.raises(SettingsError, match="not both"):
        Settings.from_environ(
            {"SIJCARE_SECRET_KEY_FILE": str(secret_file), "SIJCARE_SECRET_KEY": "x"}
        )
    with pytest.raises(SettingsError, match="SIJCARE_SECRET_KEY_FILE: cannot read"):
        Settings.from_environ({"SIJCARE_SECRET_KEY_FILE": str(tmp_path / "missing")})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        pytest.param(
            "SIJCARE_ENV", "prod", "is not one of development | test | production", id="env"
        ),
        pytest.param("SIJCARE_SECURE_COOKIES", "yes", "is not true or false", id="bool"),
        pytest.param("SIJCARE_PORT", "eighty", "is not a whole number", id="port-text"),
        pytest.param("SIJCARE_PORT", "70000", "must be from 1 to 65535", id="port-range"),
        pytest.param("SIJCARE_LOGIN_MAX_FAILURES", "0", "must be at least 1", id="throttle"),
        pytest.param("SIJCARE_DEFAULT_LOCALE", "fr", "is not one of en, es", id="locale"),
        pytest.param(
            "SIJCARE_SCORE_WRITES", "loop", "is not one of auto | event-loop | thread", id="writes"
        ),
        pytest.param("SIJCARE_DATABASE_URL", "a file", "is not a database URL", id="url"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        Settings.from_environ({name: value})
    assert caught.value.where == name


@pytest.mark.parametrize(
    ("url", "pghost", "local"),
    [
        pytest.param(DEFAULT_DATABASE_URL, "", True, id="sqlite"),
        pytest.param("postgresql://sijcare@127.0.0.1:5432/sijcare", "", True, id="loopback"),
        pytest.param("postgresql+psycopg://sijcare@localhost/sijcare", "", True, id="localhost"),
        pytest.param("postgresql://sijcare@[::1]/sijcare", "", True, id="ipv6-loopback"),
        pytest.param("postgresql:///sijcare", "", True, id="unix-socket"),
        pytest.param("postgresql:///sijcare?host=/run/postgresql", "", True, id="socket-folder"),
        pytest.param("postgresql:///sijcare", "/run/postgresql", True, id="pghost-socket"),
        pytest.param("postgresql:///sijcare", "db.clinic.example", False, id="pghost-remote"),
        pytest.param("postgresql://sijcare@db.clinic.example/sijcare", "", False, id="remote"),
        pytest.param("postgresql://sijcare@10.0.0.5/sijcare", "127.0.0.1", False, id="address"),
        pytest.param("postgresql://sijcare@127.0.0.1,10.0.0.5/sijcare", "", False, id="list"),
        pytest.param(
            "postgresql:///sijcare?host=127.0.0.1&host=10.0.0.5", "", False, id="query-list"
        ),
    ],
)
def test_score_writes_run_in_the_event_loop_when_the_database_is_on_this_machine(
    url: str, pghost: str, local: bool
) -> None:
    assert database_on_this_machine(url, pghost) is local
    environ = {"SIJCARE_DATABASE_URL": url, "PGHOST": pghost}
    expected = ScoreWrites.EVENT_LOOP if local else ScoreWrites.THREAD
    assert Settings.from_environ(environ).score_writes is expected
    assert Settings.from_environ({**environ, "SIJCARE_SCORE_WRITES": "auto"}).score_writes is (
        expected
    )
    for chosen in ScoreWrites:  # an explicit choice is kept
        environ["SIJCARE_SCORE_WRITES"] = f" {chosen.value} "
        assert Settings.from_environ(environ).score_writes is chosen


def test_every_setting_is_read_and_documented_in_env_example() -> None:
    settings = Settings.from_environ(
        {
            "SIJCARE_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/sijcare",
            "SIJCARE_ENV": "test",
            "SIJCARE_SECRET_KEY": LONG_SECRET,
            "SIJCARE_CLINIC_CONFIG": "clinic.toml",
            "SIJCARE_SECURE_COOKIES": "false",
            "SIJCARE_HOST": "0.0.0.0",
            "SIJCARE_PORT": "8080",
            "SIJCARE_DEFAULT_LOCALE": "es",
            "SIJCARE_LOGIN_MAX_FAILURES": "3",
            "SIJCARE_LOGIN_MAX_FAILURES_PER_ADDRESS": "9",
            "SIJCARE_LOGIN_WINDOW_MINUTES": "5",
            "SIJCARE_SESSION_IDLE_MINUTES": "10",
            "SIJCARE_SESSION_MAX_HOURS": "2",
            "SIJCARE_SCORE_WRITES": "thread",
        }
    )
    assert settings.clinic_config == Path("clinic.toml")
    assert (settings.port, settings.default_locale, settings.secure_cookies) == (8080, "es", False)
    assert settings.login_throttle.max_failures_per_address == 9
    assert (settings.session_idle_minutes, settings.session_max_hours) == (10, 2)
    assert settings.score_writes is ScoreWrites.THREAD
    example = (Path(__file__).parents[2] / ".env.example").read_text(encoding="utf-8")
    source = (Path(__file__).parents[2] / "src/sijcare/settings.py").read_text(encoding="utf-8")
    import re

    names = set(re.findall(r'"(SIJCARE_[A-Z_]+)"', source))
    for name in names:
        assert f"\n{name}=" in "\n" + example or f"\n# {name}=" in "\n" + example, name
        assert re.search(rf"#[^\n]*\n(# )?{name}=", example), f"{name} needs a comment"
