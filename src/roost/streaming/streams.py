"""The streams a client can open, and the bus channels each one listens to.

Channels (what ``publish.py`` writes to):

- ``user:<account id>``: home-timeline updates and notifications of one person;
- ``direct:<account id>``: changes to one person's conversations (the ``direct`` stream);
- ``author:<account id>``: the posts of an account too big to fan out to (hybrid
  fan-out: its followers' timelines merge them when read), heard by the ``user``
  streams of its followers, each of which checks the post belongs in its home;
- ``list:<list id>``: updates of one list timeline (its owner's ``list`` stream);
- ``public``, ``public:local``: public posts that belong on the public timeline;
- ``public:media``, ``public:local:media``: those of them that have media;
- ``hashtag:<tag>``, ``hashtag:<tag>:local``: public posts with that tag;
- ``delete``: every deleted status id; every stream passes it on;
- ``token:<token id>``, ``system:<account id>``: a ``kill`` there ends every
  connection opened with that token, or by that account (``ending.py``).

Roost does not federate, so "local" and "all" carry the same posts, and remote
streams carry none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from roost.core.errors import BadRequest, Forbidden, Unauthorized, Unprocessable
from roost.oauth.scopes import covers

if TYPE_CHECKING:
    from roost.deps import Viewer

DELETE = "delete"
PUBLIC = "public"
PUBLIC_LOCAL = "public:local"
PUBLIC_MEDIA = "public:media"
PUBLIC_LOCAL_MEDIA = "public:local:media"

_TAG = re.compile(r"\w{1,100}")

# stream name -> (scope a token must carry, needs a signed-in person)
STREAMS: dict[str, tuple[str, bool]] = {
    "user": ("read:statuses", True),
    "user:notification": ("read:notifications", True),
    "direct": ("read:statuses", True),
    "public": ("read:statuses", False),
    "public:local": ("read:statuses", False),
    "public:remote": ("read:statuses", False),
    "public:media": ("read:statuses", False),
    "public:local:media": ("read:statuses", False),
    "public:remote:media": ("read:statuses", False),
    "hashtag": ("read:statuses", False),
    "hashtag:local": ("read:statuses", False),
    "list": ("read:lists", True),
}


def user_channel(account_id: int) -> str:
    return f"user:{account_id}"


def direct_channel(account_id: int) -> str:
    return f"direct:{account_id}"


def author_channel(account_id: int) -> str:
    return f"author:{account_id}"


def list_channel(list_id: int) -> str:
    return f"list:{list_id}"


def token_channel(token_id: int) -> str:
    return f"token:{token_id}"


def system_channel(account_id: int) -> str:
    return f"system:{account_id}"


def hashtag_channel(tag: str, *, local: bool) -> str:
    return f"hashtag:{tag}:local" if local else f"hashtag:{tag}"


def normalize_tag(tag: str) -> str:
    return tag.strip().lstrip("#").lower()


@dataclass(frozen=True)
class Stream:
    """One stream of one subscriber: ``user``, ``public:local``, ``hashtag`` + tag, ..."""

    name: str
    account_id: int | None = None
    tag: str | None = None  # for a list stream: the list's id
    # A user stream: the followed accounts too big to fan out to, when it opened.
    big_followees: frozenset[int] = frozenset()

    @property
    def label(self) -> list[str]:
        """How Mastodon names the stream in WebSocket frames: ``["hashtag", "cats"]``."""
        return [self.name, self.tag] if self.tag is not None else [self.name]

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(self.label)

    @property
    def is_public(self) -> bool:
        """Only public posts may appear (public and hashtag streams)."""
        return not self.name.startswith("user") and self.name not in ("direct", "list")

    @property
    def channels(self) -> frozenset[str]:
        if self.name in {"user", "user:notification"}:
            assert self.account_id is not None
            found = {user_channel(self.account_id)}
            if self.name == "user":
                found |= {author_channel(a) for a in self.big_followees}
        elif self.name == "direct":
            assert self.account_id is not None
            found = {direct_channel(self.account_id)}
        elif self.name == "public":
            found = {PUBLIC}
        elif self.name == "public:local":
            found = {PUBLIC_LOCAL}
        elif self.name == PUBLIC_MEDIA:
            found = {PUBLIC_MEDIA}
        elif self.name == PUBLIC_LOCAL_MEDIA:
            found = {PUBLIC_LOCAL_MEDIA}
        elif self.name in {"hashtag", "hashtag:local"}:
            assert self.tag is not None
            found = {hashtag_channel(self.tag, local=self.name == "hashtag:local")}
        elif self.name == "list":
            assert self.tag is not None
            found = {list_channel(int(self.tag))}
        else:  # remote streams: nothing of Roost's belongs there
            found = set()
        return frozenset(found | {DELETE})

    def accepts(self, event: str) -> bool:
        if event == "delete":
            return True
        if self.name == "user":
            return event in {"update", "status.update", "notification", "filters_changed"}
        if self.name == "user:notification":
            return event == "notification"
        if self.name == "direct":
            return event == "conversation"
        return event in {"update", "status.update"}


def open_stream(
    name: str | None, *, viewer: Viewer, tag: str | None = None, list_id: str | None = None
) -> Stream:
    """The stream ``name`` for ``viewer``, or the error Mastodon gives for it (whether
    the viewer owns a list is asked by ``service.start_stream``)."""
    if not name or name not in STREAMS:
        raise BadRequest("Unknown stream type")
    scope, needs_person = STREAMS[name]
    if viewer.token is None and needs_person:
        raise Unauthorized("Missing access token")
    if viewer.token is not None and not covers(viewer.scopes, scope):
        raise Forbidden("This action is outside the authorized scopes")
    if needs_person and viewer.account is None:
        raise Unprocessable("This method requires an authenticated user")
    cleaned: str | None = None
    if name.startswith("hashtag"):
        cleaned = normalize_tag(tag or "")
        if not cleaned:
            raise BadRequest("No tag for stream provided")
        if not _TAG.fullmatch(cleaned):
            raise BadRequest("Invalid tag")
    if name == "list":
        if not list_id or not list_id.isdigit():
            raise BadRequest("No list for stream provided")
        cleaned = list_id
    return Stream(name=name, account_id=viewer.account_id, tag=cleaned)
