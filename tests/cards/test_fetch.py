"""Fetching for cards refuses what it must (SSRF) before any request leaves, and cuts
off pages that stall, trickle or never end: each failure leaves the post without a card
and the job finished."""

from __future__ import annotations

import ipaddress
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import select

from roost.cards.fetch import FetchRefused, Limits, checked_url, fetch, refusal
from roost.cards.models import PreviewCard
from roost.runtime import Runtime
from tests.cards.pages import Site
from tests.conftest import AppClient
from tests.factories import Factory
from tests.timelines.helpers import post


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4 inside IPv6
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("fe80::1", "link-local"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:a00:1::", "private"),  # 6to4 around 10.0.0.1
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("64:ff9b::a00:1", "reserved"),  # NAT64
        ("100.64.0.1", "non-public"),  # shared address space
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_which_addresses_are_refused(address: str, reason: str | None) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


def test_allowing_loopback_allows_nothing_else() -> None:
    allowed = {"127.0.0.1": None, "::1": None, "10.0.0.1": "private", "0.0.0.0": "unspecified"}
    for address, reason in allowed.items():
        assert refusal(ipaddress.ip_address(address), allow_loopback=True) == reason


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "file:///etc/passwd",
        "gopher://example.com/",
        "http://user:secret@example.com/",
        "http:///no-host",
        "https://example.com/" + "a" * 2100,
    ],
)
def test_urls_that_are_never_fetched(url: str) -> None:
    with pytest.raises(FetchRefused):
        checked_url(url)


async def test_a_refused_address_gets_no_request_at_all(site: Site) -> None:
    """The default: loopback refused. The site counts what reaches it: nothing does."""
    limits = Limits(connect=1, read=1, total=2, max_bytes=1 << 20)
    before = len(site.requests)
    for host in ("127.0.0.1", "localhost", "0.0.0.0", "[::ffff:127.0.0.1]"):
        with pytest.raises(FetchRefused):
            await fetch(site.url("/article", host=host), accept=("text/html",), limits=limits)
    assert len(site.requests) == before


async def statuses_without_cards(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, urls: list[str]
) -> dict[str, str]:
    """Post each URL, run the jobs; every post must be left without a card. Returns why
    each fetch failed, by URL."""
    alice = await factory.user("alice")
    posted = [await post(client, alice, f"See {url}") for url in urls]
    await runtime.jobs.drain()
    for status_id in posted:
        shown = await client.get(f"/api/v1/statuses/{status_id}")
        assert shown.json()["card"] is None
    async with runtime.db.read() as session:
        rows = await session.execute(select(PreviewCard.url, PreviewCard.state, PreviewCard.error))
        failures = {url: error for url, state, error in rows if state == "failed"}
    assert set(failures) == set(urls)
    return failures


async def test_with_the_default_setting_no_private_address_is_fetched(
    app_client: AppClient, site: Site
) -> None:
    before = len(site.requests)
    urls = {
        site.url("/article"): "loopback",
        site.url("/article", host="127.1"): "loopback",  # a name to resolve
        site.url("/article", host="0.0.0.0"): "unspecified",
        "http://169.254.169.254/latest/meta-data/": "link-local",
        "http://10.0.0.7/admin": "private",
        "http://[fd00::7]/admin": "private",
    }
    async with app_client(preview_allow_loopback=False) as (client, runtime):
        failures = await statuses_without_cards(client, runtime, Factory(runtime), list(urls))
    for url, reason in urls.items():
        assert f"is a {reason} address" in failures[url], failures[url]
    assert len(site.requests) == before  # not one request reached the site


async def test_redirects_are_checked_at_every_hop(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, site: Site
) -> None:
    """Loopback is allowed here (the site is on it): a redirect from it to an address
    still refused is not followed. 0.0.0.0 would reach the site itself (it listens on
    every address): the site shows it was never asked."""

    def bounce(to: str) -> str:
        return site.url(f"/redirect?to={quote(to, safe='')}")

    secret = site.url("/secret", host="0.0.0.0")
    metadata = "http://169.254.169.254/latest/meta-data/"
    too_many = site.url("/article")
    for _ in range(5):
        too_many = bounce(too_many)
    urls = [bounce(secret), bounce(metadata), bounce("file:///etc/passwd"), too_many]
    failures = await statuses_without_cards(client, runtime, factory, urls)
    assert "is a unspecified address" in failures[urls[0]]
    assert "is a link-local address" in failures[urls[1]]
    assert "file scheme is not fetched" in failures[urls[2]]
    assert "more than 3 redirects" in failures[urls[3]]
    assert site.asked("/secret") == 0


async def test_slow_and_huge_pages_are_cut_off(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, site: Site
) -> None:
    """Each of these pages goes on until the site closes: the job finishing at all shows
    the limit worked (the read timeout, the total deadline, the size limit)."""
    urls = [site.url(p) for p in ("/stall", "/trickle", "/endless", "/declared-huge")]
    failures = await statuses_without_cards(client, runtime, factory, urls)
    assert "ReadTimeout" in failures[urls[0]]
    assert "no answer within 4 s" in failures[urls[1]]
    assert f"more than {256 * 1024} bytes" in failures[urls[2]]
    assert "1000000000 bytes, more than" in failures[urls[3]]
