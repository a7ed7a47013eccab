"""Link preview cards: a post's first link gets a card, fetched by a job after commit.

``schedule_card`` is called in the transaction of a post or an edit. The job
(``attach_card``) reads the post's first link (not a mention, not a hashtag, not a
link to this server), and finds the card of that URL: kept cards are shared by every
post with the same link, and fetched again once older than ``REFETCH_AFTER`` (a failed
fetch is tried again after ``RETRY_FAILED_AFTER``). A fetch reads the page within the
limits of ``fetch.py`` (SSRF refused), its details (``parse.py``), and its picture,
processed off the event loop (``images.py``) and stored through the media storage.

When the post's card changes (it arrives after the post, or an edit changed the link),
the status cache and kept pages forget the post and its streams get ``status.update``,
as Mastodon sends one when a card arrives. A fetch that fails is not an error of the
job: the post simply has no card (retrying a dead link would only hammer it).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from roost import __version__
from roost.cards.fetch import FetchFailed, FetchRefused, Limits, fetch
from roost.cards.images import CardImage, process_card_image
from roost.cards.models import PreviewCard, StatusCard
from roost.cards.parse import PageDetails, decoded, page_details
from roost.core.db import after_commit, as_utc, commit, utcnow
from roost.core.ids import new_id
from roost.jobs.outbox import schedule_job
from roost.jobs.runner import job
from roost.media.processing import RejectedMedia
from roost.media.storage import key_for
from roost.statuses.formatting import extract
from roost.statuses.models import Status
from roost.timelines.fanout import schedule_update

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from roost.core.settings import Settings
    from roost.runtime import Runtime

log = logging.getLogger(__name__)

FETCH_JOB = "fetch_card"
REFETCH_AFTER = timedelta(days=7)
RETRY_FAILED_AFTER = timedelta(hours=1)
PAGE_TYPES = ("text/html", "application/xhtml+xml")


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def first_link(text: str, *, domain: str) -> str | None:
    """The post's first link to another site, without its #fragment. Mentions and
    hashtags are not links here (``extract`` tells them apart); links to this server
    (a profile, a post, a tag page) get no card, as on Mastodon."""
    ours = httpx.URL(f"http://{domain}")
    for url in extract(text, domain=domain).urls:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            continue
        if (parsed.host, parsed.port) == (ours.host, ours.port):
            continue
        return str(parsed.copy_with(fragment=None))
    return None


def schedule_card(
    session: AsyncSession, runtime: Runtime, status: Status, *, edited: bool = False
) -> None:
    """In the transaction of a post (or an edit of one): find its card after commit. A
    new post without a link needs no job; an edit may have taken its link away."""
    if not runtime.settings.preview_cards or status.reblog_of_id is not None:
        return
    if edited or first_link(status.text, domain=runtime.settings.domain) is not None:
        schedule_job(session, runtime, FETCH_JOB, status_id=status.id)


@job(FETCH_JOB)
async def fetch_card_job(runtime: Runtime, *, status_id: int) -> None:
    await attach_card(runtime=runtime, status_id=status_id)


async def attach_card(*, runtime: Runtime, status_id: int) -> None:
    """Give the post the card of its first link (fetched if none is kept, or if the kept
    one is old), or none."""
    async with runtime.db.read() as session:
        status = await session.get(Status, status_id)
        if status is None:  # deleted before its card came
            return
        url = first_link(status.text, domain=runtime.settings.domain)
        linked = await session.scalar(
            select(StatusCard.card_id).where(StatusCard.status_id == status_id)
        )
        card = (
            await session.scalar(select(PreviewCard).where(PreviewCard.url_hash == url_hash(url)))
            if url is not None
            else None
        )
    if url is not None and (card is None or _due(card)):
        card = await refresh_card(runtime=runtime, url=url, kept=card)
    wanted = card.id if card is not None and card.state == "ready" else None
    if wanted != linked:
        await _link(runtime, status_id, wanted)


def _due(card: PreviewCard) -> bool:
    age = utcnow() - as_utc(card.fetched_at)
    return age > (REFETCH_AFTER if card.state == "ready" else RETRY_FAILED_AFTER)


@dataclass(frozen=True)
class Found:
    details: PageDetails
    image: CardImage | None


async def refresh_card(*, runtime: Runtime, url: str, kept: PreviewCard | None) -> PreviewCard:
    """Fetch ``url``'s page (and picture) and keep what was found as its card. A kept
    card that was fine stays as it was when the page cannot be read now."""
    card_id = kept.id if kept is not None else new_id()
    try:
        found: Found | str = await _read(runtime, url)
    except (FetchRefused, FetchFailed) as exc:
        log.info("no card for %s: %s", url, exc)
        found = str(exc)
    image_key = None
    if isinstance(found, Found) and found.image is not None:
        variant = found.image.variant
        image_key = key_for(variant.data, folder=f"cards/{card_id}", extension=variant.extension)
        await runtime.media.put(image_key, variant.data, content_type=variant.content_type)
    try:
        return await _keep(runtime, url, card_id, found, image_key)
    except IntegrityError:  # another job kept this URL's card first: update that one
        async with runtime.db.read() as session:
            winner = await session.scalar(
                select(PreviewCard).where(PreviewCard.url_hash == url_hash(url))
            )
        if winner is None or winner.id == card_id:
            raise
        if image_key is not None:
            await runtime.media.delete([image_key])
        return winner


async def _read(runtime: Runtime, url: str) -> Found:
    settings = runtime.settings
    page = await fetch(
        url,
        accept=PAGE_TYPES,
        limits=_limits(settings, settings.preview_max_bytes),
        allow_loopback=settings.preview_allow_loopback,
        user_agent=_user_agent(settings),
    )
    details = page_details(decoded(page.body, page.charset), url=page.url)
    if not details.title:
        raise FetchFailed("the page has no title")
    image = None
    if details.image_url is not None:
        image = await _picture(runtime, details.image_url)
    return Found(details, image)


async def _picture(runtime: Runtime, url: str) -> CardImage | None:
    """The page's picture, processed; a card goes without one it cannot have."""
    settings = runtime.settings
    try:
        fetched = await fetch(
            url,
            accept=("image/*",),
            limits=_limits(settings, settings.preview_max_image_bytes),
            allow_loopback=settings.preview_allow_loopback,
            user_agent=_user_agent(settings),
        )
        return await runtime.processing.run(process_card_image, fetched.body)
    except (FetchRefused, FetchFailed, RejectedMedia) as exc:
        log.info("no picture for the card from %s: %s", url, exc)
        return None


def _limits(settings: Settings, max_bytes: int) -> Limits:
    return Limits(
        connect=settings.preview_connect_timeout,
        read=settings.preview_read_timeout,
        total=settings.preview_total_timeout,
        max_bytes=max_bytes,
    )


def _user_agent(settings: Settings) -> str:
    return f"Roost/{__version__} (link preview; +{settings.base_url})"


async def _keep(
    runtime: Runtime, url: str, card_id: int, found: Found | str, image_key: str | None
) -> PreviewCard:
    """Write what a fetch found into the URL's card (made if it is new). The picture it
    replaced goes after commit."""
    async with runtime.db.write() as session:
        card = await session.get(PreviewCard, card_id, with_for_update=True)
        if card is None:
            card = PreviewCard(id=card_id, url=url, url_hash=url_hash(url), created_at=utcnow())
            session.add(card)
        replaced = card.image_key
        if isinstance(found, str):
            if card.state == "ready" and card.title:  # keep it; try again in a while
                card.fetched_at = utcnow() - REFETCH_AFTER + RETRY_FAILED_AFTER
            else:
                card.state, card.error, card.fetched_at = "failed", found[:2000], utcnow()
            replaced = None
        else:
            _fill(card, found, image_key)
        if replaced and replaced != card.image_key:
            gone = replaced

            async def remove_replaced() -> None:
                await runtime.media.delete([gone])

            after_commit(session, remove_replaced)
        await commit(session)
        return card


def _fill(card: PreviewCard, found: Found, image_key: str | None) -> None:
    details, image = found.details, found.image
    card.state, card.error, card.fetched_at = "ready", None, utcnow()
    card.type = "link"
    card.title, card.description = details.title, details.description
    card.provider_name, card.provider_url = details.provider_name, ""
    card.author_name, card.author_url = details.author_name, details.author_url
    card.published_at = details.published_at
    card.image_key = image_key
    card.width = image.variant.width if image is not None else 0
    card.height = image.variant.height if image is not None else 0
    card.blurhash = image.blurhash if image is not None else None
    card.image_description = details.image_description if image is not None else ""


async def _link(runtime: Runtime, status_id: int, card_id: int | None) -> None:
    """Make ``card_id`` the post's card (None: no card); the post's cached copies are
    forgotten and its streams told, after commit."""
    async with runtime.db.write() as session:
        if await session.get(Status, status_id) is None:
            return
        await session.execute(delete(StatusCard).where(StatusCard.status_id == status_id))
        if card_id is not None:
            session.add(StatusCard(status_id=status_id, card_id=card_id))
        runtime.statuses.forget(session, [status_id])
        runtime.versions.forget(session, "status", [status_id])
        schedule_update(session, runtime, status_id=status_id)
        await commit(session)
