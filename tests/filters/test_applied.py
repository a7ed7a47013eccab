"""Filters applied on every read path: what a viewer's filters hide, what they mark."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from roost.core.db import utcnow
from roost.filters import matching
from roost.filters.matching import keyword_pattern, plain_text
from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.filters.helpers import FILTERS, make_filter
from tests.timelines.helpers import follow, post

HOME = "/api/v1/timelines/home"


async def read(client: httpx.AsyncClient, user: User | None, path: str) -> Any:
    response = await client.get(path, headers=user.headers if user else {})
    assert response.status_code == 200, response.text
    return response.json()


def texts(statuses: list[dict[str, Any]]) -> list[str]:
    return [plain_text((s.get("reblog") or s)["content"]) for s in statuses]


def matched(status: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(r["filter"]["title"], r["keyword_matches"]) for r in status["filtered"]]


def test_whole_word_keywords_match_at_word_boundaries_only() -> None:
    cat = keyword_pattern("cat", whole_word=True)
    assert cat.search("a Cat!") and cat.search("CAT") and cat.search("(cat)")
    assert not cat.search("concatenate") and not cat.search("cats") and not cat.search("cat_")
    assert keyword_pattern("cat", whole_word=False).search("concatenate")
    # A boundary is asked for only where the keyword starts or ends with a word character.
    handle = keyword_pattern("@twitter.com", whole_word=True)
    assert handle.search("me@twitter.com") and not handle.search("@twitter.community")
    assert keyword_pattern("été", whole_word=True).search("L'ÉTÉ arrive")
    assert not keyword_pattern("été", whole_word=True).search("étés")


async def test_warn_marks_and_hide_leaves_out_in_home(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    reader, alice = await factory.user("reader"), await factory.user("alice")
    await follow(runtime, reader, alice)
    await make_filter(client, reader, "spoiler", context=("home",), title="Spoilers")
    await make_filter(client, reader, "politics", context=("home",), action="hide")
    await post(client, alice, "plain news")
    await post(client, alice, "A <b>SPOILER</b> & more")
    await post(client, alice, "politics again")
    await post(client, alice, "hidden behind a warning", spoiler_text="Politics")
    await post(client, reader, "my own spoiler and politics")  # never filtered
    await runtime.jobs.drain()

    page = await read(client, reader, HOME)
    assert texts(page) == [
        "my own spoiler and politics",
        "A <b>SPOILER</b> & more",
        "plain news",
    ]
    own, warned, plain = page
    assert matched(warned) == [("Spoilers", ["spoiler"])]
    assert warned["filtered"][0]["filter"]["filter_action"] == "warn"
    assert warned["filtered"][0]["status_matches"] is None
    assert "keywords" not in warned["filtered"][0]["filter"]  # FilterResult's Filter
    assert own["filtered"] == [] and plain["filtered"] == []
    # Someone else's view is theirs: alice has no filters.
    assert len(await read(client, alice, f"/api/v1/accounts/{alice.id}/statuses")) == 4


async def test_a_boost_is_matched_by_what_it_boosts(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    reader, alice, bob = [await factory.user(n) for n in ("reader", "alice", "bob")]
    await follow(runtime, reader, bob)
    original = await post(client, alice, "a cat picture")
    boosted = await client.post(f"/api/v1/statuses/{original}/reblog", headers=bob.headers)
    assert boosted.status_code == 200
    await make_filter(client, reader, "cat", context=("home",), whole_word=True)
    await runtime.jobs.drain()
    [boost] = await read(client, reader, HOME)
    assert boost["reblog"]["id"] == original
    assert matched(boost) == [("cat", ["cat"])] and matched(boost["reblog"]) == [("cat", ["cat"])]


async def test_status_filters_match_the_post_by_id(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    reader, alice = await factory.user("reader"), await factory.user("alice")
    await follow(runtime, reader, alice)
    first = await post(client, alice, "first")
    second = await post(client, alice, "second")
    await runtime.jobs.drain()
    group = await make_filter(client, reader, context=("home",), title="this one")
    added = await client.post(
        f"{FILTERS}/{group['id']}/statuses", data={"status_id": first}, headers=reader.headers
    )
    assert added.status_code == 200
    newer, older = await read(client, reader, HOME)
    assert (newer["id"], newer["filtered"]) == (second, [])
    assert older["filtered"][0]["status_matches"] == [first]
    assert older["filtered"][0]["keyword_matches"] is None


async def test_each_context_applies_where_it_is_shown(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    reader, alice = await factory.user("reader"), await factory.user("alice")
    await follow(runtime, reader, alice)
    top = await post(client, alice, "the #tea thread starts")
    await post(client, alice, "@reader about #tea, a reply", in_reply_to_id=top)
    await runtime.jobs.drain()
    places = {
        "home": HOME,
        "public": "/api/v1/timelines/public",
        "account": f"/api/v1/accounts/{alice.id}/statuses",
    }
    tag = "/api/v1/timelines/tag/tea"
    for context in places:
        made = await make_filter(client, reader, "reply", context=(context,), action="hide")
        for other, elsewhere in places.items():
            shown = texts(await read(client, reader, elsewhere))
            assert ("@reader about #tea, a reply" in shown) == (other != context), (context, other)
        if context == "public":  # hashtag timelines are public ones
            assert texts(await read(client, reader, tag)) == ["the #tea thread starts"]
        await client.delete(f"{FILTERS}/{made['id']}", headers=reader.headers)

    thread = f"/api/v1/statuses/{top}/context"
    assert len((await read(client, reader, thread))["descendants"]) == 1
    made = await make_filter(client, reader, "reply", context=("thread",), action="hide")
    assert (await read(client, reader, thread))["descendants"] == []
    assert len(await read(client, reader, HOME)) == 2  # only the thread

    notifications = "/api/v1/notifications"
    [mention] = await read(client, reader, notifications)
    assert mention["type"] == "mention" and mention["status"]["filtered"] == []
    await client.put(
        f"{FILTERS}/{made['id']}",
        json={"context": ["notifications"], "filter_action": "warn"},
        headers=reader.headers,
    )
    [mention] = await read(client, reader, notifications)
    assert matched(mention["status"]) == [("reply", ["reply"])]
    grouped = await read(client, reader, "/api/v2/notifications")
    assert [g["type"] for g in grouped["notification_groups"]] == ["mention"]
    assert [matched(s) for s in grouped["statuses"]] == [[("reply", ["reply"])]]
    await client.put(
        f"{FILTERS}/{made['id']}", json={"filter_action": "hide"}, headers=reader.headers
    )
    assert await read(client, reader, notifications) == []
    grouped = await read(client, reader, "/api/v2/notifications")
    assert grouped["notification_groups"] == grouped["statuses"] == []
    assert len((await read(client, reader, thread))["descendants"]) == 1


async def test_an_expired_filter_no_longer_applies(
    client: httpx.AsyncClient, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader, alice = await factory.user("reader"), await factory.user("alice")
    await post(client, alice, "about the match")
    await make_filter(client, reader, "match", context=("public",), action="hide", expires_in=3600)
    public = "/api/v1/timelines/public"
    assert await read(client, reader, public) == []
    later = utcnow() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(matching, "utcnow", lambda: later)
    # The filters a process keeps know when each expires: no change needed to see it.
    assert texts(await read(client, reader, public)) == ["about the match"]
    # Still listed, to be renewed: Mastodon keeps expired filters.
    assert len(await read(client, reader, FILTERS)) == 1


async def test_a_change_shows_at_once_on_the_next_read(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    reader, alice = await factory.user("reader"), await factory.user("alice")
    await follow(runtime, reader, alice)
    await post(client, alice, "one lemon")
    await post(client, alice, "two limes")
    await runtime.jobs.drain()
    assert len(await read(client, reader, HOME)) == 2  # the reader's (no) filters are kept
    made = await make_filter(client, reader, "lemon", context=("home",), action="hide")
    assert texts(await read(client, reader, HOME)) == ["two limes"]
    keyword = made["keywords"][0]["id"]
    await client.put(
        f"{FILTERS}/keywords/{keyword}", json={"keyword": "limes"}, headers=reader.headers
    )
    assert texts(await read(client, reader, HOME)) == ["one lemon"]
    await client.post(
        f"{FILTERS}/{made['id']}/keywords", data={"keyword": "lemon"}, headers=reader.headers
    )
    assert await read(client, reader, HOME) == []
    await client.delete(f"{FILTERS}/{made['id']}", headers=reader.headers)
    assert len(await read(client, reader, HOME)) == 2


async def test_one_persons_filters_change_nobody_elses_view(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice, reader, other = [await factory.user(n) for n in ("alice", "reader", "other")]
    await post(client, alice, "hello")
    await make_filter(client, reader, "hello", context=("public",), action="hide")
    public = "/api/v1/timelines/public"
    assert await read(client, reader, public) == []
    for someone in (None, other):  # anonymous, and another person
        [status] = await read(client, someone, public)
        assert status["filtered"] == []
