"""What the running app holds: settings, database, knowledge, clock and templates.

Built once by `create_app` and kept on `app.state.platform`; routes reach it through
the `Ctx` dependency (`sijcare.web.deps`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from sijcare.domain.knowledge import Knowledge
from sijcare.services.auth import AuthConfig
from sijcare.settings import Settings
from sijcare.web.navigation import NavLink
from sijcare.web.templating import Templates

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Platform:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    knowledge: Knowledge
    auth: AuthConfig
    clock: Clock
    templates: Templates
    nav: tuple[NavLink, ...] = ()

    @property
    def session_cookie(self) -> str:
        # The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only
        # and for the whole site, so a sibling domain cannot plant one.
        return "__Host-sijcare_session" if self.settings.secure_cookies else "sijcare_session"

    @property
    def clinic_time_zone(self) -> str:
        return self.knowledge.text("clinic.time_zone")
