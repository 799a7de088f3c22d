"""The application's settings, read once at start-up from the environment.

`Settings.from_environ(os.environ)` is called by the composition roots (the CLI and the
test fixtures) and passed down; nothing here runs at import time. Every variable is
described in `.env.example` at the repository root. Values are parsed strictly: a typo in
a boolean or a number is an error that names the variable, never a silent default.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from sijcare.domain.errors import InputError

DEFAULT_DATABASE_URL = "sqlite:///var/sijcare.db"
LOCALES = ("en", "es")
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}
# Secrets copied from documentation or left at a sample value are refused in production.
_PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "development", "placeholder"}
_MIN_PRODUCTION_SECRET_LENGTH = 32
_SECRET_HINT = "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"


class SettingsError(InputError):
    """A setting that is missing or malformed; `where` names the variable."""


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ScoreWrites(StrEnum):
    """Where an app process runs its diary score writes (`web.platform`).

    SIJCARE_SCORE_WRITES=auto (the default) is resolved at start-up: in the event loop
    when the database is on this machine (SQLite, or PostgreSQL over loopback or a Unix
    socket, where a round trip takes some tens of microseconds), else on a thread of
    their own, so that a batch's round trips over the network never hold up the
    process's other requests.
    """

    EVENT_LOOP = "event-loop"
    THREAD = "thread"


@dataclass(frozen=True)
class Secret:
    """A secret value whose repr never shows it."""

    _value: str = field(repr=False)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


@dataclass(frozen=True)
class LoginThrottle:
    """How many failed logins are allowed inside `window_minutes` before refusing."""

    max_failures_per_account: int = 5
    max_failures_per_address: int = 20
    window_minutes: int = 15


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server reminders are sent through; `host` None means none is configured."""

    host: str | None = None
    port: int = 587
    user: str | None = None
    password: Secret | None = None
    sender: str = ""
    starttls: bool = True
    timeout_seconds: int = 30

    @property
    def configured(self) -> bool:
        return self.host is not None


@dataclass(frozen=True)
class Settings:
    database_url: str
    env: Environment
    secret_key: Secret
    clinic_config: Path | None = None
    secure_cookies: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    default_locale: str = "en"
    login_throttle: LoginThrottle = LoginThrottle()
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    smtp: SmtpSettings = SmtpSettings()
    # Resolved by `from_environ` (see `ScoreWrites`).
    score_writes: ScoreWrites = ScoreWrites.EVENT_LOOP

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Settings from `environ` (normally `os.environ`); a bad value raises `SettingsError`."""
        env = _environment(environ.get("SIJCARE_ENV", "development"))
        database_url = environ.get("SIJCARE_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
        return cls(
            database_url=database_url,
            env=env,
            secret_key=_secret_key(environ, env),
            clinic_config=_optional_path(environ.get("SIJCARE_CLINIC_CONFIG")),
            secure_cookies=_bool(
                environ, "SIJCARE_SECURE_COOKIES", default=env is Environment.PRODUCTION
            ),
            host=environ.get("SIJCARE_HOST", "127.0.0.1").strip() or "127.0.0.1",
            port=_int(environ, "SIJCARE_PORT", 8000, low=1, high=65535),
            default_locale=_locale(environ.get("SIJCARE_DEFAULT_LOCALE", "en")),
            login_throttle=LoginThrottle(
                max_failures_per_account=_int(environ, "SIJCARE_LOGIN_MAX_FAILURES", 5, low=1),
                max_failures_per_address=_int(
                    environ, "SIJCARE_LOGIN_MAX_FAILURES_PER_ADDRESS", 20, low=1
                ),
                window_minutes=_int(environ, "SIJCARE_LOGIN_WINDOW_MINUTES", 15, low=1),
            ),
            session_idle_minutes=_int(environ, "SIJCARE_SESSION_IDLE_MINUTES", 30, low=1),
            session_max_hours=_int(environ, "SIJCARE_SESSION_MAX_HOURS", 12, low=1),
            smtp=_smtp(environ),
            score_writes=_score_writes(environ, database_url),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _environment(raw: str) -> Environment:
    try:
        return Environment(raw.strip())
    except ValueError:
        known = " | ".join(e.value for e in Environment)
        raise SettingsError("SIJCARE_ENV", f"{raw!r} is not one of {known}") from None


def _score_writes(environ: Mapping[str, str], database_url: str) -> ScoreWrites:
    raw = environ.get("SIJCARE_SCORE_WRITES", "")
    text = raw.strip() or "auto"
    if text == "auto":
        local = database_on_this_machine(database_url, environ.get("PGHOST", ""))
        return ScoreWrites.EVENT_LOOP if local else ScoreWrites.THREAD
    try:
        return ScoreWrites(text)
    except ValueError:
        known = " | ".join(["auto", *(w.value for w in ScoreWrites)])
        raise SettingsError("SIJCARE_SCORE_WRITES", f"{raw!r} is not one of {known}") from None


def database_on_this_machine(url: str, pghost: str = "") -> bool:
    """Whether the database of `url` is on this machine: SQLite, or PostgreSQL over
    loopback or a Unix socket. A URL with no host reaches libpq's `PGHOST` (`pghost`),
    else its Unix socket; a list of hosts is local only when every one is."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingsError("SIJCARE_DATABASE_URL", "is not a database URL") from None
    if parsed.get_backend_name() == "sqlite":
        return True
    in_query = parsed.query.get("host", "")
    hosts = parsed.host or (in_query if isinstance(in_query, str) else ",".join(in_query))
    return all(_local_host(host.strip()) for host in (hosts or pghost).split(","))


def _local_host(host: str) -> bool:
    # Empty, or a path (an abstract socket starts with @): a Unix socket.
    if not host or host.startswith(("/", "@")) or host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _secret_key(environ: Mapping[str, str], env: Environment) -> Secret:
    value = environ.get("SIJCARE_SECRET_KEY")
    path = environ.get("SIJCARE_SECRET_KEY_FILE")
    if value is not None and path:
        raise SettingsError("SIJCARE_SECRET_KEY", "set it or SIJCARE_SECRET_KEY_FILE, not both")
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            message = f"cannot read {path} ({exc.strerror})"
            raise SettingsError("SIJCARE_SECRET_KEY_FILE", message) from None
    value = (value or "").strip()
    if env is Environment.PRODUCTION:
        if value.lower() in _PLACEHOLDER_SECRETS:
            raise SettingsError("SIJCARE_SECRET_KEY", f"is required in production; {_SECRET_HINT}")
        if len(value) < _MIN_PRODUCTION_SECRET_LENGTH:
            raise SettingsError(
                "SIJCARE_SECRET_KEY",
                f"must be at least {_MIN_PRODUCTION_SECRET_LENGTH} characters; {_SECRET_HINT}",
            )
    # Outside production an unset key gets a random one: sessions end when the server stops.
    return Secret(value or secrets.token_urlsafe(48))


def _bool(environ: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingsError(name, f"{raw!r} is not true or false (use true, false, 1 or 0)")


def _int(
    environ: Mapping[str, str], name: str, default: int, *, low: int, high: int | None = None
) -> int:
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingsError(name, f"{raw!r} is not a whole number") from None
    if value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise SettingsError(name, f"{value} must be {bounds}")
    return value


def _optional_path(raw: str | None) -> Path | None:
    return Path(raw.strip()) if raw and raw.strip() else None


def _locale(raw: str) -> str:
    text = raw.strip()
    if text not in LOCALES:
        raise SettingsError("SIJCARE_DEFAULT_LOCALE", f"{raw!r} is not one of {', '.join(LOCALES)}")
    return text


def _smtp(environ: Mapping[str, str]) -> SmtpSettings:
    """The SIJCARE_SMTP_* variables; a host needs a sender address (SIJCARE_SMTP_FROM)."""
    host = environ.get("SIJCARE_SMTP_HOST", "").strip() or None
    sender = environ.get("SIJCARE_SMTP_FROM", "").strip()
    if host is not None and "@" not in sender:
        raise SettingsError(
            "SIJCARE_SMTP_FROM", "set the sender address, like reminders@clinic.example"
        )
    user = environ.get("SIJCARE_SMTP_USER", "").strip() or None
    password = _optional_secret(environ, "SIJCARE_SMTP_PASSWORD")
    if (user is None) != (password is None):
        raise SettingsError("SIJCARE_SMTP_USER", "set both the user and the password, or neither")
    return SmtpSettings(
        host=host,
        port=_int(environ, "SIJCARE_SMTP_PORT", 587, low=1, high=65535),
        user=user,
        password=password,
        sender=sender,
        starttls=_bool(environ, "SIJCARE_SMTP_STARTTLS", default=True),
        timeout_seconds=_int(environ, "SIJCARE_SMTP_TIMEOUT_SECONDS", 30, low=1, high=600),
    )


def _optional_secret(environ: Mapping[str, str], name: str) -> Secret | None:
    """`name` or the content of the file `name`_FILE (not both); None when neither is set."""
    value = environ.get(name)
    path = environ.get(f"{name}_FILE")
    if value is not None and path:
        raise SettingsError(name, f"set it or {name}_FILE, not both")
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingsError(f"{name}_FILE", f"cannot read {path} ({exc.strerror})") from None
    value = (value or "").strip()
    return Secret(value) if value else None
