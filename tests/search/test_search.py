"""Searching posts and hashtags, the privacy of results, and bad input."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from roost.accounts.render import profile_url
from roost.runtime import Runtime
from roost.search.fulltext import fts5_expression, matches, search_terms
from roost.statuses.models import Status
from tests.factories import Factory, User
from tests.search.posts import post


async def found(
    client: httpx.AsyncClient, q: str, viewer: User | None = None, **extra: object
) -> list[str]:
    response = await client.get(
        "/api/v2/search",
        params={"q": q, "type": "statuses", **extra},
        headers=viewer.headers if viewer else None,
    )
    assert response.status_code == 200, response.text
    return [status["id"] for status in response.json()["statuses"]]


async def test_words_find_posts_newest_first(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    bob = await factory.user("bob")
    first = str(await post(runtime, bob, "Sourdough starter is alive"))
    second = str(await post(runtime, bob, "my sourdough loaf, finally"))
    await post(runtime, bob, "nothing to see here")
    warned = str(await post(runtime, bob, "behind a warning", spoiler_text="sourdough spoiler"))
    assert await found(client, "sourdough") == [warned, second, first]
    assert await found(client, "SOURDOUGH loaf") == [second]  # every word must match
    assert await found(client, "sourdough", limit=1, offset=1) == [second]
    response = await client.get("/api/v2/search", params={"q": "sourdough"})
    body = response.json()
    assert set(body) == {"accounts", "statuses", "hashtags"}
    assert body["statuses"][0]["account"]["acct"] == "bob"


async def test_boosts_are_not_results(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    bob, carol = await factory.user("bob"), await factory.user("carol")
    original = str(await post(runtime, bob, "penguins everywhere"))
    await post(runtime, carol, reblog_of=int(original))
    assert await found(client, "penguins") == [original]


async def test_search_syntax_typed_by_users_is_harmless(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    bob = await factory.user("bob")
    hit = str(await post(runtime, bob, 'he said "NEAR" AND (then) OR not* col:on'))
    for q in ['"NEAR"', "AND", "(then)", "not*", "col:on", 'he "said', "OR NOT", "^he"]:
        assert await found(client, q) == [hit], q
    for q in ["***", '"', "()", "-", "🎉"]:
        assert await found(client, q) == [], q
    assert search_terms('a "b" \x00c') == ["a", "b", "c"]
    assert fts5_expression(["it's", "x"]) == '"it\'s" "x"'


async def test_account_id_restricts_to_one_author(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    bob, carol = await factory.user("bob"), await factory.user("carol")
    bobs = str(await post(runtime, bob, "tea time"))
    carols = str(await post(runtime, carol, "tea party"))
    assert set(await found(client, "tea")) == {bobs, carols}
    assert await found(client, "tea", account_id=carol.id) == [carols]
    refused = await client.get("/api/v2/search", params={"q": "tea", "account_id": "nonsense"})
    assert refused.status_code == 422 and "account_id" in refused.json()["error"]


async def test_private_posts_only_for_followers_and_mentioned(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    bob, follower, mentioned, stranger = (
        await factory.user("bob"),
        await factory.user("follower"),
        await factory.user("mentioned"),
        await factory.user("stranger"),
    )
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=follower.headers)
    secret = str(await post(runtime, bob, "secret recipe", visibility="private"))
    shared = str(
        await post(runtime, bob, "secret for you", visibility="private", mentions=[mentioned])
    )
    assert await found(client, "secret") == []
    assert await found(client, "secret", stranger) == []
    assert await found(client, "secret", follower) == [shared, secret]
    assert await found(client, "secret", mentioned) == [shared]
    assert await found(client, "secret", bob) == [shared, secret]


async def test_direct_posts_only_for_the_author_and_mentioned(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    bob, friend, follower = (
        await factory.user("bob"),
        await factory.user("friend"),
        await factory.user("follower"),
    )
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=follower.headers)
    dm = str(await post(runtime, bob, "whisper to friend", visibility="direct", mentions=[friend]))
    assert await found(client, "whisper") == []
    assert await found(client, "whisper", follower) == []
    assert await found(client, "whisper", friend) == [dm]
    assert await found(client, "whisper", bob) == [dm]


async def test_blocked_and_muted_authors_are_hidden(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    me, blocked, blocker, muted = (
        await factory.user("me"),
        await factory.user("blocked"),
        await factory.user("blocker"),
        await factory.user("muted"),
    )
    by_blocked = str(await post(runtime, blocked, "rainbow one"))
    by_blocker = str(await post(runtime, blocker, "rainbow two"))
    by_muted = str(await post(runtime, muted, "rainbow three"))
    await client.post(f"/api/v1/accounts/{blocked.id}/block", headers=me.headers)
    await client.post(f"/api/v1/accounts/{me.id}/block", headers=blocker.headers)
    await client.post(f"/api/v1/accounts/{muted.id}/mute", headers=me.headers)
    assert await found(client, "rainbow", me) == []
    assert await found(client, "rainbow") == [by_muted, by_blocker, by_blocked]


async def test_hashtags(client: httpx.AsyncClient, factory: Factory, runtime: Runtime) -> None:
    bob = await factory.user("bob")
    tagged = str(await post(runtime, bob, "loving #Python today", tags=["Python"]))
    # A post carrying the tag is found by it even when the word is not in its text.
    only_tag = str(await post(runtime, bob, "see tag list", tags=["python"]))
    await post(runtime, bob, "about #pythonista life", tags=["pythonista"])
    await post(runtime, bob, "snakes", tags=["rust"])

    response = await client.get("/api/v2/search", params={"q": "#pyth", "type": "hashtags"})
    assert response.status_code == 200
    tags = response.json()["hashtags"]
    assert [t["name"] for t in tags] == ["Python", "pythonista"]
    assert tags[0]["url"].endswith("/tags/python")
    assert tags[0]["history"] == []
    exact_first = await client.get("/api/v2/search", params={"q": "python", "type": "hashtags"})
    assert [t["name"] for t in exact_first.json()["hashtags"]][0] == "Python"
    no_tags = await client.get("/api/v2/search", params={"q": "two words", "type": "hashtags"})
    assert no_tags.json()["hashtags"] == []

    assert set(await found(client, "#python")) == {tagged, only_tag}

    tag = await client.get("/api/v1/tags/PYTHON")
    assert tag.status_code == 200
    assert tag.json()["name"] == "Python"
    assert "following" not in tag.json()  # as on Mastodon: only for a signed-in viewer
    assert (await client.get("/api/v1/tags/unknown")).status_code == 404
    assert (await client.get("/api/v1/tags/bad%20name")).status_code == 404


async def test_local_urls_resolve(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    bob = await factory.user("bob")
    status_id = await post(runtime, bob, "a post with a link")
    private = await post(runtime, bob, "a hidden post", visibility="private")
    profile = await client.get(
        "/api/v2/search", params={"q": profile_url(bob.account, runtime.settings.base_url)}
    )
    assert [a["acct"] for a in profile.json()["accounts"]] == ["bob"]
    status_url = f"{profile_url(bob.account, runtime.settings.base_url)}/{status_id}"
    by_url = await client.get("/api/v2/search", params={"q": status_url})
    assert [s["id"] for s in by_url.json()["statuses"]] == [str(status_id)]
    hidden = await client.get(
        "/api/v2/search",
        params={"q": f"{profile_url(bob.account, runtime.settings.base_url)}/{private}"},
    )
    assert hidden.json()["statuses"] == []


async def test_search_bad_input(client: httpx.AsyncClient, factory: Factory) -> None:
    me = await factory.user("me")
    for query in ("", "?q=", "?q=%20%20", "?type=accounts"):
        response = await client.get(f"/api/v2/search{query}")
        assert response.status_code == 400, query
        assert "error" in response.json()
    for query in ("?q=a&limit=many", "?q=a&offset=-1", "?q=a&following=perhaps"):
        response = await client.get(f"/api/v2/search{query}")
        assert response.status_code == 422, query
        assert "error" in response.json()
    invalid = await client.get("/api/v2/search?q=a", headers={"Authorization": "Bearer nope"})
    assert invalid.status_code == 401
    narrow = await factory.token(me, "read:accounts")
    scoped = await client.get("/api/v2/search?q=a", headers={"Authorization": f"Bearer {narrow}"})
    assert scoped.status_code == 403
    allowed = await factory.token(me, "read:search")
    ok = await client.get("/api/v2/search?q=a", headers={"Authorization": f"Bearer {allowed}"})
    assert ok.status_code == 200
    unknown_type = await client.get("/api/v2/search?q=a&type=everything&limit=500")
    assert unknown_type.status_code == 200
    assert set(unknown_type.json()) == {"accounts", "statuses", "hashtags"}


def test_postgresql_query_uses_the_indexed_expression() -> None:
    sql = str(
        select(Status.id)
        .where(matches("postgresql", ["tea", "time"]))
        .compile(dialect=postgresql.dialect())
    )
    # The migration's index: to_tsvector('simple', spoiler_text || ' ' || text).
    assert "to_tsvector('simple', (statuses.spoiler_text || ' ') || statuses.text)" in sql
    assert "plainto_tsquery('simple'," in sql
