"""Every table, imported in one place so the metadata (and Alembic) sees them all."""

from roost.accounts.models import Account
from roost.core.db import Base
from roost.core.nodes import NodeLease
from roost.follows.models import Block, Follow, Mute
from roost.jobs.models import OutboxJob
from roost.lists.models import List, ListAccount
from roost.markers.models import Marker
from roost.notifications.models import Notification
from roost.oauth.models import AccessToken, AuthorizationCode, OAuthApp
from roost.statuses.models import Favourite, IdempotencyKey, Mention, Status, StatusTag, Tag
from roost.tags.models import TagFollow
from roost.timelines.models import HomeEntry, HomeFeed, ListEntry, ListFeed
from roost.web.models import WebSession

__all__ = [
    "AccessToken",
    "Account",
    "AuthorizationCode",
    "Base",
    "Block",
    "Favourite",
    "Follow",
    "HomeEntry",
    "HomeFeed",
    "IdempotencyKey",
    "List",
    "ListAccount",
    "ListEntry",
    "ListFeed",
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
    "TagFollow",
    "WebSession",
]
