"""What a person typed, turned into Mastodon's HTML: links, @mentions, #hashtags.

The typed text is kept as the source of truth (``Status.text``); ``to_html``
produces the ``content`` once, at write time. Everything the person typed is
escaped; the only markup is what this module emits, and ``nh3`` then cleans the
result against an explicit allow-list as a second line of defense.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

import nh3

from roost.accounts.models import Account

# Mastodon counts every link as this many characters, whatever its length.
URL_LENGTH = 23
TAG_MAX_LENGTH = 100

_URL = r"(?P<url>(?<![\w@/])https?://[^\s<>\"]+)"
_MENTION = (
    r"(?P<mention>(?<![\w/@])@(?P<username>[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)"
    r"(?:@(?P<domain>[\w-]+(?:\.[\w-]+)*(?::\d+)?))?)"
)
_TAG = r"(?P<tag>(?<![\w/)#&])#(?P<tagname>\w+))"
_TOKEN = re.compile(f"{_URL}|{_MENTION}|{_TAG}", re.IGNORECASE)
_TRAILING = ".,:;!?'\"*"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")

_ALLOWED_TAGS = {"p", "br", "a", "span"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "rel", "class", "target"}, "span": {"class"}}


@dataclass
class Extracted:
    mentions: list[str] = field(default_factory=list)  # lowercase local usernames
    tags: list[str] = field(default_factory=list)  # as written, first spelling wins
    urls: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Token:
    kind: str  # "text", "url", "mention", "tag"
    raw: str
    value: str = ""  # url, lowercase local username, or tag name


def _trim_url(url: str) -> str:
    """Drop trailing punctuation and closing brackets that the link does not open."""
    while url:
        last = url[-1]
        unbalanced = last == ")" and url.count("(") < url.count(")")
        if last in _TRAILING or unbalanced:
            url = url[:-1]
        else:
            break
    return url


def _is_local(domain: str | None, ours: str) -> bool:
    if domain is None:
        return True
    ours = ours.lower()
    return domain.lower() in {ours, ours.split(":")[0]}


def _tokens(text: str, domain: str = "") -> Iterator[_Token]:
    """The text cut into tokens; a mention of an account on a server other than
    ``domain`` (ours) stays text."""
    position = 0
    for match in _TOKEN.finditer(text):
        start = match.start()
        if start < position:  # inside a URL we shortened the end of
            continue
        if match.group("url") is not None:
            url = _trim_url(match.group("url"))
            if len(url) <= len("https://"):
                continue
            end = start + len(url)
            token = _Token("url", url, url)
        elif match.group("mention") is not None:
            end = match.end()
            if not _is_local(match.group("domain"), domain):
                token = _Token("text", match.group(0))
            else:
                token = _Token("mention", match.group(0), match.group("username").lower())
        else:
            name = match.group("tagname")
            end = match.end()
            if name.isdigit() or len(name) > TAG_MAX_LENGTH:
                token = _Token("text", match.group(0))
            else:
                token = _Token("tag", match.group(0), name)
        if start > position:
            yield _Token("text", text[position:start])
        yield token
        position = end
    if position < len(text):
        yield _Token("text", text[position:])


def extract(text: str, *, domain: str) -> Extracted:
    """Local mentions (``domain`` is ours), hashtags and links, in the order written,
    without repeats."""
    found = Extracted()
    seen_tags: set[str] = set()
    for token in _tokens(text, domain):
        if token.kind == "mention" and token.value not in found.mentions:
            found.mentions.append(token.value)
        elif token.kind == "tag" and token.value.lower() not in seen_tags:
            seen_tags.add(token.value.lower())
            found.tags.append(token.value)
        elif token.kind == "url":
            found.urls.append(token.value)
    return found


def status_length(text: str) -> int:
    """Characters, with every link counted as ``URL_LENGTH`` (Mastodon's rule)."""
    total = 0
    for token in _tokens(text):  # a mention counts the same whether it is local or not
        total += URL_LENGTH if token.kind == "url" else len(token.raw)
    return total


def _link(url: str) -> str:
    scheme, _, rest = url.partition("://")
    prefix = scheme + "://"
    if rest.lower().startswith("www."):
        prefix, rest = prefix + rest[:4], rest[4:]
    shown, hidden = rest[:30], rest[30:]
    display = (
        f'<span class="invisible">{html.escape(prefix)}</span>'
        f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
        f'<span class="invisible">{html.escape(hidden)}</span>'
    )
    return (
        f'<a href="{html.escape(url)}" rel="nofollow noopener noreferrer" '
        f'target="_blank">{display}</a>'
    )


def _render_line(line: str, mentioned: Mapping[str, Account], base: str, domain: str) -> str:
    parts = []
    for token in _tokens(line, domain):
        if token.kind == "url":
            parts.append(_link(token.value))
        elif token.kind == "mention" and token.value in mentioned:
            username = html.escape(mentioned[token.value].username)
            parts.append(
                f'<span class="h-card"><a href="{base}/@{username}" class="u-url mention">'
                f"@<span>{username}</span></a></span>"
            )
        elif token.kind == "tag":
            href = f"{base}/tags/{quote(token.value.lower())}"
            parts.append(
                f'<a href="{html.escape(href)}" class="mention hashtag" rel="tag">'
                f"#<span>{html.escape(token.value)}</span></a>"
            )
        else:
            parts.append(html.escape(token.raw))
    return "".join(parts)


def to_html(text: str, mentioned: Mapping[str, Account], *, base_url: str, domain: str) -> str:
    """Mastodon-style HTML for ``text``; ``mentioned`` maps lowercase usernames to
    the accounts to link (other @names stay plain text). Links point into ``base_url``;
    ``domain`` is ours (an @name@elsewhere is not local)."""
    normalized = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not normalized:
        return ""
    paragraphs = []
    for paragraph in _PARAGRAPH_BREAK.split(normalized):
        lines = [_render_line(line, mentioned, base_url, domain) for line in paragraph.split("\n")]
        paragraphs.append(f"<p>{'<br>'.join(lines)}</p>")
    return nh3.clean(
        "".join(paragraphs),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel=None,
        strip_comments=True,
    )


_HASHTAG_NAME = re.compile(r"^#?(\w{1,100})$")


def hashtag_name(text: str) -> str | None:
    """``text`` as a hashtag's name (a leading ``#`` allowed), or None if it cannot be
    one: word characters only, not only digits (Mastodon's rule)."""
    match = _HASHTAG_NAME.match(text.strip())
    if match is None or match.group(1).isdigit():
        return None
    return match.group(1)
