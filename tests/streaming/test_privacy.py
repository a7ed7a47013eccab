"""Every stream renders for its own subscriber, after the privacy rules of every read path.

To prove a stream dropped an event, the test publishes a marker after it: events
reach a stream in order, so when the marker arrives first, the other never will.
"""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from roost.streaming.publish import publish_home_update, publish_public
from roost.streaming.streams import PUBLIC, hashtag_channel
from tests.factories import Factory, User
from tests.streaming.helpers import open_sse
from tests.streaming.test_sse import post
from tests.timelines.helpers import make_big


async def act(client: httpx.AsyncClient, user: User, path: str) -> None:
    response = await client.post(path, headers=user.headers)
    assert response.status_code == 200, response.text


async def test_a_private_post_reaches_followers_and_nobody_else(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, bus_kind: str
) -> None:
    alice = await factory.user("alice")
    follower = await factory.user("follower")
    stranger = await factory.user("stranger")
    await act(client, follower, f"/api/v1/accounts/{alice.id}/follow")
    async with (
        open_sse(server, "/api/v1/streaming/user", follower) as follower_home,
        open_sse(server, "/api/v1/streaming/user", stranger) as stranger_home,
        open_sse(server, "/api/v1/streaming/public", stranger) as stranger_public,
        open_sse(server, "/api/v1/streaming/hashtag", tag="news") as anonymous_tag,
    ):
        private = await post(client, alice, "for followers #news", visibility="private")
        direct = await post(client, alice, "just us", visibility="direct")
        everyone = [follower.account.id, stranger.account.id]
        # Even if a bug published them everywhere, the streams would not show them.
        await publish_home_update(runtime, everyone, private)
        await publish_home_update(runtime, everyone, direct)
        await runtime.bus.publish(PUBLIC, {"event": "update", "id": str(private)})
        await runtime.bus.publish(
            hashtag_channel("news", local=False), {"event": "update", "id": str(private)}
        )
        await publish_public(runtime, private)  # refuses: not public
        marker = await post(client, alice, "public #news")
        await publish_home_update(runtime, everyone, marker)
        await publish_public(runtime, marker)

        seen = await follower_home.next_update()
        assert (seen["id"], seen["visibility"]) == (str(private), "private")
        assert (await follower_home.next_update())["id"] == str(marker)
        for stream in (stranger_home, stranger_public, anonymous_tag):
            assert (await stream.next_update())["id"] == str(marker)


async def test_blocked_and_muted_authors_never_stream(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    blocker = await factory.user("blocker")
    blocked = await factory.user("blocked")
    muter = await factory.user("muter")
    friend = await factory.user("friend")
    await act(client, blocker, f"/api/v1/accounts/{alice.id}/block")
    await act(client, alice, f"/api/v1/accounts/{blocked.id}/block")
    await act(client, muter, f"/api/v1/accounts/{alice.id}/mute")
    for person in (blocker, blocked, muter):
        await act(client, person, f"/api/v1/accounts/{friend.id}/follow")
    people = [p.account.id for p in (blocker, blocked, muter)]
    async with (
        open_sse(server, "/api/v1/streaming/user", blocker) as blocker_home,
        open_sse(server, "/api/v1/streaming/public", blocker) as blocker_public,
        open_sse(server, "/api/v1/streaming/public", blocked) as blocked_public,
        open_sse(server, "/api/v1/streaming/hashtag", blocked, tag="tea") as blocked_tag,
        open_sse(server, "/api/v1/streaming/user", muter) as muter_home,
        open_sse(server, "/api/v1/streaming/public/local", muter) as muter_public,
    ):
        hidden = await post(client, alice, "morning #tea")
        await publish_home_update(runtime, people, hidden)
        await publish_public(runtime, hidden)
        # A boost by someone they follow of alice's post is hidden as well.
        boost = await client.post(f"/api/v1/statuses/{hidden}/reblog", headers=friend.headers)
        await publish_home_update(runtime, people, int(boost.json()["id"]))
        marker = await post(client, friend, "evening #tea")
        await publish_home_update(runtime, people, marker)
        await publish_public(runtime, marker)
        for stream in (
            blocker_home,
            blocker_public,
            blocked_public,
            blocked_tag,
            muter_home,
            muter_public,
        ):
            assert (await stream.next_update())["id"] == str(marker)


async def test_each_subscriber_sees_its_own_flags(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    fan = await factory.user("fan")
    status_id = await post(client, alice, "like me")
    await act(client, fan, f"/api/v1/statuses/{status_id}/favourite")
    async with (
        open_sse(server, "/api/v1/streaming/public", fan) as fans,
        open_sse(server, "/api/v1/streaming/public", alice) as authors,
        open_sse(server, "/api/v1/streaming/public") as anonymous,
    ):
        await publish_public(runtime, status_id)
        assert (await fans.next_update())["favourited"] is True
        assert (await authors.next_update())["favourited"] is False
        anonymous_view = await anonymous.next_update()
        assert anonymous_view["favourited"] is False
        assert anonymous_view["favourites_count"] == 1


async def test_a_stream_ignores_notifications_of_someone_else(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    await post(client, alice, "@bob look")
    [note] = (await client.get("/api/v1/notifications", headers=bob.headers)).json()
    async with open_sse(server, "/api/v1/streaming/user", alice) as alice_home:
        # A notification id on the wrong person's channel renders nothing.
        await runtime.bus.publish(
            f"user:{alice.account.id}", {"event": "notification", "id": note["id"]}
        )
        await runtime.bus.publish(f"user:{alice.account.id}", {"event": "update", "id": "x"})
        marker = await post(client, alice, "marker")
        await publish_home_update(runtime, [alice.account.id], marker)
        assert (await alice_home.next_update())["id"] == str(marker)


async def test_a_big_accounts_posts_stream_to_its_followers_by_the_home_rules(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    """An account too big to fan out to publishes once, on its own channel; each
    follower's user stream shows what its home timeline will merge, and nothing else."""
    star, friend = await factory.user("star"), await factory.user("friend")
    fan, muter, stranger = [await factory.user(n) for n in ("fan", "muter", "stranger")]
    for person in (fan, muter):
        await act(client, person, f"/api/v1/accounts/{star.id}/follow")
        await act(client, person, f"/api/v1/accounts/{friend.id}/follow")
    await act(client, muter, f"/api/v1/accounts/{star.id}/mute")
    await make_big(runtime, star.account.id)
    async with (
        open_sse(server, "/api/v1/streaming/user", fan) as fan_home,
        open_sse(server, "/api/v1/streaming/user", muter) as muter_home,
        open_sse(server, "/api/v1/streaming/user", stranger) as stranger_home,
    ):
        hello = await post(client, star, "hello everyone")
        assert (await fan_home.next_update())["id"] == str(hello)
        # A reply to someone the fan does not follow stays out, as in the timeline.
        question = await post(client, stranger, "a question")
        await post(client, star, "@stranger an answer", in_reply_to_id=str(question))
        marker = await post(client, friend, "marker")
        assert (await fan_home.next_update())["id"] == str(marker)
        assert (await muter_home.next_update())["id"] == str(marker)
        # Not a follower: the first the stranger hears is their own post.
        assert (await stranger_home.next_update())["id"] == str(question)
    # And the fan's timeline holds the same (merged when read: the order may differ).
    home = await client.get("/api/v1/timelines/home", headers=fan.headers)
    assert sorted(s["id"] for s in home.json()) == sorted([str(marker), str(hello)])


async def test_a_follow_request_streams_no_followers_only_post(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    """Asking to follow a locked account is not following it: its followers-only posts
    reach the asker's user stream neither by fan-out nor by the big-account path."""
    author = await factory.user("author", locked=True)
    asker = await factory.user("asker")
    await act(client, asker, f"/api/v1/accounts/{author.id}/follow")
    async with open_sse(server, "/api/v1/streaming/user", asker) as asker_home:
        private = await post(client, author, "for followers", visibility="private")
        # Even if a bug published it to the asker, the stream would not show it.
        await publish_home_update(runtime, [asker.account.id], private)
        await make_big(runtime, author.account.id)
        await post(client, author, "for followers, from a big account", visibility="private")
        await runtime.jobs.drain()
        marker = await post(client, asker, "marker")
        await runtime.jobs.drain()
        assert (await asker_home.next_update())["id"] == str(marker)
