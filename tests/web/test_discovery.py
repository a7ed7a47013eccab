"""The web page's discovery: trends and who to follow on explore, featured hashtags on
profiles (and their tagged pages), preferences and featured hashtags in settings."""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from tests.discovery.posts import post_ago
from tests.factories import Factory
from tests.web.helpers import signed_in


async def test_explore_shows_trends_and_suggestions(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, carol = [await factory.user(n) for n in ("alice", "bob", "carol")]
    for person in (alice, bob):
        await post_ago(runtime, person, days=0.1, tags=["Garden"], text="my #Garden today")
    popular = await post_ago(runtime, carol, days=0.1, text="a popular post")
    await client.post(f"/api/v1/statuses/{popular}/favourite", headers=alice.headers)

    anonymous = (await client.get("/explore")).text
    assert 'id="trending-tags"' in anonymous
    assert '<a href="/tags/garden">#Garden' in anonymous and "2 posts this week" in anonymous
    assert 'id="trending-posts"' in anonymous and "a popular post" in anonymous
    assert 'id="who-to-follow"' not in anonymous  # only for someone signed in

    await signed_in(client, "alice")
    page = (await client.get("/explore")).text
    assert 'id="who-to-follow"' in page
    suggestions = page.split('id="who-to-follow"')[1].split("</section>")[0]
    assert "@bob" in suggestions and "@carol" in suggestions and "@alice" not in suggestions
    assert 'action="/accounts/' in suggestions  # a follow button each


async def test_explore_without_activity_has_no_trend_sections(client: httpx.AsyncClient) -> None:
    page = (await client.get("/explore")).text
    assert 'id="trending-tags"' not in page and 'id="trending-posts"' not in page


async def test_featured_tags_in_settings_and_on_the_profile(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    await post_ago(runtime, alice, days=1, tags=["cats"], text="my #cats")
    await post_ago(runtime, bob, days=1, tags=["cats"], text="bob's #cats")
    token = await signed_in(client, "alice")
    settings = (await client.get("/settings")).text
    assert "You used lately: #cats" in settings

    saved = await client.post("/settings/featured_tags", data={"name": "cats", "csrf_token": token})
    assert saved.status_code == 303
    settings = (await client.get(saved.headers["location"])).text
    assert "Your featured hashtags are saved." in settings
    assert '<a href="http://localhost/@alice/tagged/cats"><strong>#cats</strong></a>' in settings

    bad = await client.post("/settings/featured_tags", data={"name": "1234", "csrf_token": token})
    assert bad.status_code == 422 and "Tag is invalid" in bad.text

    profile = (await client.get("/@alice")).text
    assert 'class="featured-tag" href="http://localhost/@alice/tagged/cats"' in profile
    tagged = (await client.get("/@alice/tagged/cats")).text
    assert "my #cats" in tagged
    assert "bob&#39;s" not in tagged and "bob's" not in tagged
    assert 'data-older-url="/@alice/tagged/cats/older"' in tagged

    (featured,) = (await client.get("/api/v1/featured_tags", headers=alice.headers)).json()
    removed = await client.post(
        f"/settings/featured_tags/{featured['id']}/delete", data={"csrf_token": token}
    )
    assert removed.status_code == 303
    assert (await client.get("/api/v1/featured_tags", headers=alice.headers)).json() == []
    assert 'class="featured-tag"' not in (await client.get("/@alice")).text


async def test_preferences_are_saved_and_used(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    token = await signed_in(client, "alice")
    saved = await client.post(
        "/settings/preferences",
        data={
            "default_privacy": "unlisted",
            "default_language": "fr",
            "default_sensitive": "true",
            "expand_media": "show_all",
            "csrf_token": token,
        },
    )
    assert saved.status_code == 303
    page = (await client.get(saved.headers["location"])).text
    assert "Your preferences are saved." in page
    assert '<option value="unlisted" selected>' in page
    assert '<option value="show_all" selected>' in page
    preferences = (await client.get("/api/v1/preferences", headers=alice.headers)).json()
    assert preferences == {
        "posting:default:visibility": "unlisted",
        "posting:default:sensitive": True,
        "posting:default:language": "fr",
        "reading:expand:media": "show_all",
        "reading:expand:spoilers": False,  # an unchecked box
    }
    # The composer starts on the default visibility.
    home = (await client.get("/home")).text
    assert '<option value="unlisted" selected>Everyone, not on Explore</option>' in home
    bad = await client.post(
        "/settings/preferences",
        data={"default_privacy": "direct", "expand_media": "default", "csrf_token": token},
    )
    assert bad.status_code == 422 and "Privacy must be one of" in bad.text
    after = (await client.get("/api/v1/preferences", headers=alice.headers)).json()
    assert after["posting:default:visibility"] == "unlisted"
