"""What a page says about itself, for its card: Open Graph, then Twitter's tags, then
``<title>`` and ``<meta name="description">`` (the order Mastodon reads them in).

Parsed with selectolax (Lexbor, an HTML5 parser in C): a page is only read, never
trusted: text comes out as text (the card's HTML is the renderer's to escape), URLs
are resolved against the page's own address and kept only when http(s).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

TITLE_MAX = 300
DESCRIPTION_MAX = 1000
NAME_MAX = 300
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PageDetails:
    title: str
    description: str
    image_url: str | None
    image_description: str
    provider_name: str
    author_name: str
    author_url: str
    published_at: datetime | None


def decoded(body: bytes, charset: str | None) -> str:
    """The page as text: the header's charset, else a ``<meta charset>`` near the top,
    else UTF-8; bytes that do not decode become U+FFFD."""
    for candidate in (charset, _meta_charset(body[:2048]), "utf-8"):
        if candidate:
            try:
                codecs.lookup(candidate)
            except LookupError:
                continue
            return body.decode(candidate, errors="replace")
    return body.decode("utf-8", errors="replace")


def _meta_charset(head: bytes) -> str | None:
    found = _META_CHARSET.search(head)
    return found.group(1).decode("ascii", errors="ignore") if found else None


def page_details(html: str, *, url: str) -> PageDetails:
    tree = LexborHTMLParser(html)
    meta: dict[str, str] = {}
    for node in tree.css("meta"):
        key = (node.attributes.get("property") or node.attributes.get("name") or "").lower()
        value = node.attributes.get("content")
        if key and value and key not in meta:  # the first of each counts
            meta[key] = value
    title_node = tree.css_first("title")

    def first(*keys: str) -> str:
        return next((_text(meta[k]) for k in keys if _text(meta.get(k, ""))), "")

    title = first("og:title", "twitter:title") or (
        _text(title_node.text()) if title_node is not None else ""
    )
    image = first("og:image:secure_url", "og:image:url", "og:image", "twitter:image")
    image = image or first("twitter:image:src")
    author = first("author", "article:author")
    author_link = tree.css_first('link[rel="author"]')
    return PageDetails(
        title=title[:TITLE_MAX],
        description=first("og:description", "twitter:description", "description")[:DESCRIPTION_MAX],
        image_url=_web_url(image, url),
        image_description=first("og:image:alt", "twitter:image:alt")[:DESCRIPTION_MAX],
        provider_name=first("og:site_name")[:NAME_MAX],
        # article:author is often a link to the author's page, not a name
        author_name="" if author.startswith(("http://", "https://")) else author[:NAME_MAX],
        author_url=(
            _web_url(author_link.attributes.get("href") or "", url) or ""
            if author_link is not None
            else ""
        ),
        published_at=_time(first("article:published_time", "og:published_time")),
    )


def _text(value: str | None) -> str:
    return _SPACES.sub(" ", value or "").strip()


def _web_url(value: str, base: str) -> str | None:
    """``value`` resolved against the page, if it is an http(s) URL."""
    if not value:
        return None
    resolved = urljoin(base, value)
    return resolved if resolved.startswith(("http://", "https://")) else None


def _time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
