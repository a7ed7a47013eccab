"""The settings page's Filters section, and filtered posts on the web timelines."""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from tests.factories import Factory
from tests.filters.helpers import FILTERS, make_filter
from tests.timelines.helpers import follow, post
from tests.web.helpers import post_ids, signed_in

EVERYWHERE = ["home", "notifications", "public", "thread", "account"]


async def test_filters_are_added_changed_and_deleted_in_settings(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    token = await signed_in(client, "alice")
    page = await client.get("/settings")
    assert 'id="filters-heading"' in page.text and "You have no filters." in page.text

    added = await client.post(
        "/settings/filters",
        data={
            "csrf_token": token,
            "title": "Sports",
            "keywords": "football\n  cricket \n\nfootball",
            "whole_word": "1",
            "context[]": ["home", "public"],
            "filter_action": "hide",
            "expires_in": "",
        },
    )
    assert (
        added.status_code == 303 and added.headers["location"] == "/settings?filter=added#filters"
    )
    shown = await client.get("/settings?filter=added")
    assert "The filter is added." in shown.text
    assert "football, cricket · hide · home, public" in shown.text
    [made] = (await client.get(FILTERS, headers=alice.headers)).json()
    assert made["title"] == "Sports" and made["filter_action"] == "hide"
    assert [(k["keyword"], k["whole_word"]) for k in made["keywords"]] == [
        ("football", True),
        ("cricket", True),
    ]
    football = made["keywords"][0]["id"]

    saved = await client.post(
        f"/settings/filters/{made['id']}",
        data={
            "csrf_token": token,
            "title": "Ball games",
            "keywords": "football\ntennis",
            "whole_word": "1",
            "context[]": "home",
            "filter_action": "warn",
            "expires_in": "3600",
        },
    )
    assert saved.status_code == 303, saved.text
    [changed] = (await client.get(FILTERS, headers=alice.headers)).json()
    assert changed["title"] == "Ball games" and changed["context"] == ["home"]
    assert [k["keyword"] for k in changed["keywords"]] == ["football", "tennis"]
    assert changed["keywords"][0]["id"] == football  # kept, not made again
    assert changed["expires_at"] is not None
    page = await client.get("/settings")
    assert "Keep: " in page.text  # the expiry it has is offered first

    refused = await client.post(
        "/settings/filters",
        data={"csrf_token": token, "title": "No place", "keywords": "x", "filter_action": "warn"},
    )
    assert refused.status_code == 422
    assert "Context can&#39;t be blank" in refused.text or "Context can't be blank" in refused.text
    assert 'value="No place"' in refused.text  # shown back to fix
    assert len((await client.get(FILTERS, headers=alice.headers)).json()) == 1

    deleted = await client.post(
        f"/settings/filters/{made['id']}/delete", data={"csrf_token": token}
    )
    assert deleted.status_code == 303
    assert (await client.get(FILTERS, headers=alice.headers)).json() == []
    assert "The filter is deleted." in (await client.get("/settings?filter=deleted")).text


async def test_a_form_without_its_csrf_token_changes_nothing(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    await signed_in(client, "alice")
    refused = await client.post(
        "/settings/filters",
        data={"title": "x", "keywords": "x", "context[]": "home", "filter_action": "warn"},
    )
    assert refused.status_code == 403
    assert (await client.get(FILTERS, headers=alice.headers)).json() == []


async def test_filtered_posts_on_the_web_timelines(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    reader, alice = await factory.user("reader"), await factory.user("alice")
    await follow(runtime, reader, alice)
    await make_filter(client, reader, "spoiler", context=("home", "thread"), title="Spoilers")
    await make_filter(client, reader, "politics", context=("home",), action="hide")
    plain = await post(client, alice, "plain news")
    warned = await post(client, alice, "a spoiler ahead", in_reply_to_id=plain)
    hidden = await post(client, alice, "politics again")
    await runtime.jobs.drain()
    await signed_in(client, "reader")

    home = (await client.get("/home")).text
    assert post_ids(home) == [warned, plain] and hidden not in home
    assert "Filtered: Spoilers" in home and "Show anyway" in home
    assert home.count('class="filtered"') == 1
    # The thread filters its replies; the post opened on its own page is shown as it is.
    thread = (await client.get(f"/@alice/{plain}")).text
    assert "Filtered: Spoilers" in thread
    opened = (await client.get(f"/@alice/{warned}")).text
    assert "Filtered: Spoilers" not in opened and "a spoiler ahead" in opened
