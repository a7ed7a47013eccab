"""Link preview cards, end to end: a post's first link gets a card from a page served on
loopback, shared by posts with the same link, shown at once on cached pages, changed by
an edit, and ranked by trends/links."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import func, select, update

from roost.cards.models import PreviewCard, StatusCard
from roost.cards.service import REFETCH_AFTER
from roost.core.db import utcnow
from roost.runtime import Runtime
from tests.cards.pages import Site
from tests.conftest import SCALED, AppClient
from tests.factories import Factory, User
from tests.pictures import has_metadata, opened
from tests.timelines.helpers import HOME, follow, post


async def shown(client: httpx.AsyncClient, status_id: str, who: User | None = None) -> Any:
    response = await client.get(
        f"/api/v1/statuses/{status_id}", headers=who.headers if who else None
    )
    assert response.status_code == 200, response.text
    return response.json()


async def card_rows(runtime: Runtime) -> int:
    async with runtime.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(PreviewCard)) or 0)


async def test_a_card_appears_on_the_status_after_the_job(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, site: Site
) -> None:
    alice = await factory.user("alice")
    pictures = site.asked("/pictures/goldcrest.jpg")
    status_id = await post(client, alice, f"Look: {site.url('/article')} #birds @nobody")
    await runtime.jobs.drain()
    card = (await shown(client, status_id))["card"]
    assert card is not None
    assert card["url"] == site.url("/article")
    assert card["title"] == "Goldcrests & firecrests in the park"  # og:title over <title>
    assert card["description"] == "Europe's smallest birds, counted at dawn."
    assert (card["type"], card["html"], card["embed_url"]) == ("link", "", "")
    assert card["provider_name"] == "Bird Notes"
    assert card["author_name"] == "Maya Lindqvist"
    assert card["authors"] == [{"name": "Maya Lindqvist", "url": "", "account": None}]
    assert card["published_at"] == "2026-05-01T06:30:00.000Z"
    assert card["image_description"] == "A goldcrest on a spruce twig"
    assert card["blurhash"]
    # The picture was fetched, cleaned (no GPS) and stored small, by Roost.
    assert site.asked("/pictures/goldcrest.jpg") == pictures + 1
    image = await client.get(urlsplit(card["image"]).path)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    stored = opened(image.content)
    assert stored.size == (card["width"], card["height"])
    assert card["width"] * card["height"] <= 640 * 360  # a preview's size, from 1200x800
    assert abs(card["width"] / card["height"] - 1.5) < 0.01
    assert not has_metadata(image.content)


async def test_only_the_first_link_that_is_not_ours_counts(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, site: Site
) -> None:
    alice = await factory.user("alice")
    articles = site.asked("/article")
    text = (
        f"@alice #birds http://localhost/@alice {site.url('/title-only')} "
        f"and {site.url('/article')}"
    )
    status_id = await post(client, alice, text)
    await runtime.jobs.drain()
    card = (await shown(client, status_id))["card"]
    assert card["url"] == site.url("/title-only")
    assert card["title"] == "Just a title"  # <title>, spaces tidied
    assert card["description"] == "From the description tag."
    assert card["image"] is None and (card["width"], card["height"]) == (0, 0)
    assert site.asked("/article") == articles


async def test_posts_with_the_same_link_share_one_card(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, site: Site
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    asked = site.asked("/another-article")
    first = await post(client, alice, f"{site.url('/another-article')}#comments")
    await runtime.jobs.drain()
    second = await post(client, bob, f"Same: {site.url('/another-article')}")
    await runtime.jobs.drain()
    assert (await shown(client, first))["card"] == (await shown(client, second))["card"]
    assert site.asked("/another-article") == asked + 1  # fetched once, and without the #fragment
    assert await card_rows(runtime) == 1
    # An old card is fetched again for the next post that links it.
    async with runtime.db.write() as session:
        await session.execute(
            update(PreviewCard).values(fetched_at=utcnow() - REFETCH_AFTER - timedelta(hours=1))
        )
        await session.commit()
    await post(client, bob, f"Again: {site.url('/another-article')}")
    await runtime.jobs.drain()
    assert site.asked("/another-article") == asked + 2
    assert await card_rows(runtime) == 1


async def test_no_card_for_pages_that_are_not_html_or_not_found(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, site: Site
) -> None:
    alice = await factory.user("alice")
    plain = await post(client, alice, site.url("/plain"))
    missing = await post(client, alice, site.url("/missing"))
    nothing = await post(client, alice, "no link at all")
    boost = await client.post(f"/api/v1/statuses/{plain}/reblog", headers=alice.headers)
    await runtime.jobs.drain()
    for status_id in (plain, missing, nothing):
        assert (await shown(client, status_id))["card"] is None
    assert boost.json()["reblog"]["card"] is None
    async with runtime.db.read() as session:
        failed = dict((await session.execute(select(PreviewCard.url, PreviewCard.error))).all())
    assert "text/plain is not" in failed[site.url("/plain")]
    assert failed[site.url("/missing")] == "HTTP 404"


async def test_an_edit_changes_or_removes_the_card(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, site: Site
) -> None:
    alice = await factory.user("alice")
    status_id = await post(client, alice, site.url("/article"))
    await runtime.jobs.drain()
    assert (await shown(client, status_id))["card"]["url"] == site.url("/article")

    async def edit(text: str) -> None:
        response = await client.put(
            f"/api/v1/statuses/{status_id}", json={"status": text}, headers=alice.headers
        )
        assert response.status_code == 200, response.text
        await runtime.jobs.drain()

    await edit(f"Better: {site.url('/title-only')}")
    assert (await shown(client, status_id))["card"]["title"] == "Just a title"
    await edit("No link any more")
    assert (await shown(client, status_id))["card"] is None
    async with runtime.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(StatusCard)) == 0


async def test_a_card_that_arrives_late_shows_at_once_on_cached_pages(
    app_client: AppClient, site: Site
) -> None:
    """With Redis: the status cache and the kept home pages forget the post when its
    card comes (the page is read, and kept, while the page of the link is still held;
    the limits are long here, so the fetch waits for it)."""
    patient = {"preview_read_timeout": 60.0, "preview_total_timeout": 60.0}
    async with app_client(**SCALED, **patient) as (client, runtime):
        factory = Factory(runtime)
        alice, bob = await factory.user("alice"), await factory.user("bob")
        await follow(runtime, alice, bob)
        site.release.clear()
        try:
            status_id = await post(client, bob, f"Held: {site.url('/held')}")

            async def first_card() -> Any:
                page = (await client.get(HOME, headers=alice.headers)).json()
                assert page[0]["id"] == status_id
                return page[0]["card"]

            assert await first_card() is None
            assert await first_card() is None  # read again: the kept page
        finally:
            site.release.set()
        await runtime.jobs.drain()
        card = await first_card()
        assert card is not None and card["url"] == site.url("/held")
        assert (await shown(client, status_id, alice))["card"] == card


async def test_trending_links_rank_shared_cards(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, site: Site
) -> None:
    alice, bob, carol = [await factory.user(n) for n in ("alice", "bob", "carol")]
    for who in (alice, bob, carol):
        await post(client, who, f"Read {site.url('/article')}")
    await post(client, alice, f"Also {site.url('/title-only')}")
    await post(client, bob, f"Quietly {site.url('/title-only')}", visibility="unlisted")
    await post(client, carol, f"Privately {site.url('/plain')}", visibility="private")
    await runtime.jobs.drain()
    response = await client.get("/api/v1/trends/links")
    assert response.status_code == 200
    links = response.json()
    assert [link["url"] for link in links] == [site.url("/article"), site.url("/title-only")]
    top = links[0]
    assert top["title"] == "Goldcrests & firecrests in the park" and top["image"]
    assert len(top["history"]) == 7
    assert (top["history"][0]["uses"], top["history"][0]["accounts"]) == ("3", "3")
    assert links[1]["history"][0]["uses"] == "1"  # the unlisted post does not count
    paged = await client.get("/api/v1/trends/links", params={"limit": 1, "offset": 1})
    assert [link["url"] for link in paged.json()] == [site.url("/title-only")]
