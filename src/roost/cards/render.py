"""The PreviewCard entity (and Trends::Link, the same with its ``history``)."""

from __future__ import annotations

from typing import Any

from roost.cards.models import PreviewCard
from roost.core.http import iso
from roost.media.storage import system_url


def render_card(card: PreviewCard, *, base_url: str) -> dict[str, Any]:
    """As Mastodon shows a card read from a page's tags: a ``link``, with no embed."""
    return {
        "url": card.url,
        "title": card.title,
        "description": card.description,
        "type": card.type,
        "authors": (
            [{"name": card.author_name, "url": card.author_url, "account": None}]
            if card.author_name
            else []
        ),
        "author_name": card.author_name,
        "author_url": card.author_url,
        "provider_name": card.provider_name,
        "provider_url": card.provider_url,
        "html": "",
        "width": card.width,
        "height": card.height,
        "image": system_url(base_url, card.image_key) if card.image_key else None,
        "image_description": card.image_description,
        "embed_url": "",
        "blurhash": card.blurhash,
        "published_at": iso(card.published_at) if card.published_at else None,
    }
