"""The links of the main navigation and the home dashboard, by role.

Each route module may export `nav_links`; `web.app.create_app` collects them, in the
order of `ROUTE_MODULES`, onto the platform. Only links to real features belong here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sijcare.db.enums import Role
from sijcare.services.actor import Actor
from sijcare.services.errors import Message


@dataclass(frozen=True)
class NavLink:
    href: str
    label: Message
    roles: frozenset[Role]
    description: Message | None = None


def links_for(links: Sequence[NavLink], actor: Actor | None) -> list[NavLink]:
    if actor is None:
        return []
    return [link for link in links if actor.role in link.roles]
