"""Every table, imported in one place so the metadata (and Alembic) sees them all."""

from roost.accounts.models import Account
from roost.core.db import Base
from roost.core.nodes import NodeLease
from roost.filters.models import Filter, FilterKeyword, FilterStatus
from roost.follows.models import Block, Follow, Mute
from roost.jobs.models import OutboxJob
from roost.markers.models import Marker
from roost.notifications.models import Notification
from roost.oauth.models import AccessToken, AuthorizationCode, OAuthApp
from roost.statuses.models import Favourite, IdempotencyKey, Mention, Status, StatusTag, Tag
from roost.timelines.models import HomeEntry, HomeFeed
from roost.web.models import WebSession

__all__ = [
    "AccessToken",
    "Account",
    "AuthorizationCode",
    "Base",
    "Block",
    "Favourite",
    "Filter",
    "FilterKeyword",
    "FilterStatus",
    "Follow",
    "HomeEntry",
    "HomeFeed",
    "IdempotencyKey",
    "Marker",
    "Mention",
    "Mute",
    "NodeLease",
    "Notification",
    "OAuthApp",
    "OutboxJob",
    "Status",
    "StatusTag",
    "Tag",
    "WebSession",
]
