"""Whether a post is marked sensitive: the one rule, asked by posting (scheduled posts
are published through it) and by editing.

A post is sensitive when its author asks, when it has a content warning, and always
when a moderator has marked the author's account sensitive (``sensitized_at``,
Mastodon's "force sensitive": every post they write from then on is marked, media
blurred). The mark is taken when the post is written, as Mastodon does."""

from __future__ import annotations

from roost.accounts.models import Account


def is_sensitive(*, author: Account, asked: bool, spoiler_text: str) -> bool:
    return asked or bool(spoiler_text) or author.sensitized_at is not None
