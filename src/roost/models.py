"""Every table, imported in one place so the metadata (and Alembic) sees them all."""

from roost.accounts.models import Account
from roost.admin.models import AdminActionLog, EmailDomainBlock, IpBlock
from roost.announcements.models import Announcement, AnnouncementReaction, AnnouncementRead
from roost.cards.models import PreviewCard, StatusCard
from roost.conversations.models import AccountConversation, ConversationStatus
from roost.core.db import Base
from roost.core.nodes import NodeLease
from roost.discovery.models import SuggestionDismissal
from roost.domain_blocks.models import DomainBlock
from roost.featured_tags.models import FeaturedTag
from roost.filters.models import Filter, FilterKeyword, FilterStatus
from roost.follows.models import AccountNote, Block, Follow, FollowRequest, Mute
from roost.jobs.models import OutboxJob
from roost.lifecycle.models import AccountImport
from roost.lists.models import List, ListAccount
from roost.mail.models import MailToken
from roost.markers.models import Marker
from roost.media.models import MediaAttachment
from roost.notifications.models import (
    Notification,
    NotificationPermission,
    NotificationPolicy,
)
from roost.oauth.models import AccessToken, AuthorizationCode, OAuthApp
from roost.polls.models import Poll, PollTally, PollVote
from roost.reports.models import Report, ReportStatus
from roost.scheduled.models import ScheduledStatus
from roost.statuses.models import (
    Bookmark,
    ConversationMute,
    Favourite,
    IdempotencyKey,
    Mention,
    Status,
    StatusEdit,
    StatusPin,
    StatusTag,
    Tag,
)
from roost.tags.models import TagFollow
from roost.timelines.models import HomeEntry, HomeFeed, ListEntry, ListFeed
from roost.web.models import WebSession

__all__ = [
    "AdminActionLog",
    "EmailDomainBlock",
    "IpBlock",
    "FeaturedTag",
    "DomainBlock",
    "SuggestionDismissal",
    "AnnouncementRead",
    "AnnouncementReaction",
    "Announcement",
    "AccessToken",
    "Account",
    "AdminActionLog",
    "AccountImport",
    "AccountNote",
    "AccountConversation",
    "AuthorizationCode",
    "Base",
    "Block",
    "ConversationStatus",
    "Bookmark",
    "ConversationMute",
    "Favourite",
    "Filter",
    "FilterKeyword",
    "FilterStatus",
    "Follow",
    "FollowRequest",
    "HomeEntry",
    "HomeFeed",
    "IdempotencyKey",
    "List",
    "ListAccount",
    "ListEntry",
    "ListFeed",
    "MailToken",
    "Marker",
    "MediaAttachment",
    "Mention",
    "Mute",
    "NodeLease",
    "Notification",
    "NotificationPermission",
    "NotificationPolicy",
    "OAuthApp",
    "OutboxJob",
    "Poll",
    "PreviewCard",
    "Report",
    "ReportStatus",
    "PollTally",
    "PollVote",
    "ScheduledStatus",
    "Status",
    "StatusCard",
    "StatusEdit",
    "StatusPin",
    "StatusTag",
    "Tag",
    "TagFollow",
    "WebSession",
]
