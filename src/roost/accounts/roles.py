"""Roles as Mastodon has them: what each may do, as the Role entity's permission bits.

An account's ``role`` column names one of ``ROLES``; the bits follow Mastodon's Role
entity, so moderation apps read them as they would from Mastodon.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag
from typing import Any


class Permission(IntFlag):
    ADMINISTRATOR = 0x1  # every permission
    DEVOPS = 0x2
    VIEW_AUDIT_LOG = 0x4
    VIEW_DASHBOARD = 0x8
    MANAGE_REPORTS = 0x10
    MANAGE_FEDERATION = 0x20
    MANAGE_SETTINGS = 0x40
    MANAGE_BLOCKS = 0x80
    MANAGE_TAXONOMIES = 0x100
    MANAGE_APPEALS = 0x200
    MANAGE_USERS = 0x400
    MANAGE_INVITES = 0x800
    MANAGE_RULES = 0x1000
    MANAGE_ANNOUNCEMENTS = 0x2000
    MANAGE_CUSTOM_EMOJIS = 0x4000
    MANAGE_WEBHOOKS = 0x8000
    INVITE_USERS = 0x10000
    MANAGE_ROLES = 0x20000
    MANAGE_USER_ACCESS = 0x40000
    DELETE_USER_DATA = 0x80000


_MODERATOR = (
    Permission.VIEW_DASHBOARD
    | Permission.VIEW_AUDIT_LOG
    | Permission.MANAGE_USERS
    | Permission.MANAGE_REPORTS
    | Permission.MANAGE_TAXONOMIES
    | Permission.INVITE_USERS
)
_ADMIN = (
    _MODERATOR
    | Permission.DEVOPS
    | Permission.MANAGE_FEDERATION
    | Permission.MANAGE_SETTINGS
    | Permission.MANAGE_BLOCKS
    | Permission.MANAGE_APPEALS
    | Permission.MANAGE_INVITES
    | Permission.MANAGE_RULES
    | Permission.MANAGE_ANNOUNCEMENTS
    | Permission.MANAGE_CUSTOM_EMOJIS
    | Permission.MANAGE_WEBHOOKS
    | Permission.MANAGE_ROLES
    | Permission.MANAGE_USER_ACCESS
    | Permission.DELETE_USER_DATA
)


@dataclass(frozen=True)
class Role:
    name: str  # the value of accounts.role
    id: str  # Mastodon's ids for its seeded roles; "-99" is everyone's
    label: str
    permissions: Permission
    rank: int  # a role manages only accounts of a lower rank
    color: str = ""
    highlighted: bool = True

    def allows(self, permission: Permission) -> bool:
        return (
            bool(self.permissions & Permission.ADMINISTRATOR)
            or (self.permissions & permission) == permission
        )

    @property
    def is_staff(self) -> bool:
        return self.rank > 0

    def render(self) -> dict[str, Any]:
        """The Role entity."""
        return {
            "id": self.id,
            "name": self.label,
            "color": self.color,
            "permissions": str(int(self.permissions)),
            "highlighted": self.highlighted,
        }


USER = Role("user", "-99", "", Permission(0), 0, highlighted=False)
ROLES = {
    role.name: role
    for role in (
        USER,
        Role("moderator", "1", "Moderator", _MODERATOR, 1),
        Role("admin", "2", "Admin", _ADMIN, 2),
        Role("owner", "3", "Owner", Permission.ADMINISTRATOR | _ADMIN, 3),
    )
}


def role_of(name: str) -> Role:
    return ROLES.get(name, USER)


def roles_allowing(permission: Permission) -> list[str]:
    """The names of the roles that grant ``permission`` (for a query of who holds it)."""
    return [role.name for role in ROLES.values() if role.allows(permission)]
