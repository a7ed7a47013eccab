"""The filters APIs (v2 groups, keywords and statuses; v1) over the same rows."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import httpx

from roost.runtime import Runtime
from tests.factories import Factory
from tests.filters.helpers import FILTERS, make_filter
from tests.timelines.helpers import post

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


async def test_a_filter_is_created_read_changed_and_deleted(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    created = await make_filter(
        client, alice, "foo", "bar", context=("public", "home"), action="hide", title="test"
    )
    assert created["title"] == "test" and created["filter_action"] == "hide"
    assert created["context"] == ["home", "public"] and created["expires_at"] is None
    assert [k["keyword"] for k in created["keywords"]] == ["foo", "bar"]
    assert created["statuses"] == [] and all(k["id"].isdigit() for k in created["keywords"])

    listed = (await client.get(FILTERS, headers=alice.headers)).json()
    assert listed == [created]
    one = await client.get(f"{FILTERS}/{created['id']}", headers=alice.headers)
    assert one.json() == created

    foo, bar = created["keywords"]
    changed = await client.put(
        f"{FILTERS}/{created['id']}",
        json={
            "title": "renamed",
            "filter_action": "blur",
            "expires_in": 3600,
            "keywords_attributes": [
                {"id": foo["id"], "_destroy": True},
                {"id": bar["id"], "keyword": "baz"},
                {"keyword": "new", "whole_word": True},
            ],
        },
        headers=alice.headers,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["title"] == "renamed" and body["filter_action"] == "blur"
    assert ISO.fullmatch(body["expires_at"]) and body["context"] == ["home", "public"]
    assert [(k["keyword"], k["whole_word"]) for k in body["keywords"]] == [
        ("baz", False),
        ("new", True),
    ]
    assert body["keywords"][0]["id"] == bar["id"]
    # Sent empty, the expiry goes: the filter never expires again.
    never = await client.put(
        f"{FILTERS}/{created['id']}", data={"expires_in": ""}, headers=alice.headers
    )
    assert never.json()["expires_at"] is None

    deleted = await client.delete(f"{FILTERS}/{created['id']}", headers=alice.headers)
    assert deleted.status_code == 200 and deleted.json() == {}
    assert (await client.get(FILTERS, headers=alice.headers)).json() == []
    gone = await client.get(f"{FILTERS}/{created['id']}", headers=alice.headers)
    assert gone.status_code == 404 and gone.json() == {"error": "Record not found"}


async def test_a_form_body_with_nested_keywords_is_read_as_rails_does(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    form = [
        ("title", "test"),
        ("context[]", "public"),
        ("context[]", "thread"),
        ("keywords_attributes[][keyword]", "foo"),
        ("keywords_attributes[][whole_word]", "false"),
        ("keywords_attributes[][keyword]", "bar"),
        ("keywords_attributes[][whole_word]", "True"),
    ]
    response = await client.post(
        FILTERS,
        content=urlencode(form),  # in this order (httpx would group the keys)
        headers={**alice.headers, "content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["filter_action"] == "warn" and body["context"] == ["public", "thread"]
    assert [(k["keyword"], k["whole_word"]) for k in body["keywords"]] == [
        ("foo", False),
        ("bar", True),
    ]


async def test_keywords_have_their_own_endpoints(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    group = await make_filter(client, alice, "one")
    base = f"{FILTERS}/{group['id']}/keywords"
    added = await client.post(
        base, data={"keyword": "two", "whole_word": "0"}, headers=alice.headers
    )
    assert added.status_code == 200 and added.json()["keyword"] == "two"
    assert added.json()["whole_word"] is False
    keyword_id = added.json()["id"]
    listed = (await client.get(base, headers=alice.headers)).json()
    assert [k["keyword"] for k in listed] == ["one", "two"]
    one = await client.get(f"{FILTERS}/keywords/{keyword_id}", headers=alice.headers)
    assert one.json() == added.json()
    changed = await client.put(
        f"{FILTERS}/keywords/{keyword_id}", json={"keyword": "other"}, headers=alice.headers
    )
    assert changed.json() == {"id": keyword_id, "keyword": "other", "whole_word": False}
    blank = await client.post(base, data={"keyword": "  "}, headers=alice.headers)
    assert blank.status_code == 422 and "Keyword" in blank.json()["error"]
    gone = await client.delete(f"{FILTERS}/keywords/{keyword_id}", headers=alice.headers)
    assert gone.status_code == 200
    listed = (await client.get(base, headers=alice.headers)).json()
    assert [k["keyword"] for k in listed] == ["one"]


async def test_statuses_of_a_filter(client: httpx.AsyncClient, factory: Factory) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    status_id = await post(client, bob, "a post to filter")
    group = await make_filter(client, alice)
    base = f"{FILTERS}/{group['id']}/statuses"
    added = await client.post(base, data={"status_id": status_id}, headers=alice.headers)
    assert added.status_code == 200 and added.json()["status_id"] == status_id
    again = await client.post(base, data={"status_id": status_id}, headers=alice.headers)
    assert again.status_code == 422
    missing = await client.post(base, data={"status_id": "12345"}, headers=alice.headers)
    assert missing.status_code == 404
    filter_status_id = added.json()["id"]
    assert (await client.get(base, headers=alice.headers)).json() == [added.json()]
    one = await client.get(f"{FILTERS}/statuses/{filter_status_id}", headers=alice.headers)
    assert one.json() == added.json()
    shown = await client.get(f"{FILTERS}/{group['id']}", headers=alice.headers)
    assert shown.json()["statuses"] == [added.json()]
    removed = await client.delete(f"{FILTERS}/statuses/{filter_status_id}", headers=alice.headers)
    assert removed.status_code == 200 and removed.json() == added.json()
    assert (await client.get(base, headers=alice.headers)).json() == []


async def test_v1_and_v2_are_views_of_the_same_filters(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    made = await client.post(
        "/api/v1/filters",
        data={"phrase": "spoiler", "context[]": ["home", "thread"], "irreversible": "true"},
        headers=alice.headers,
    )
    assert made.status_code == 200, made.text
    v1 = made.json()
    assert v1["phrase"] == "spoiler" and v1["irreversible"] is True
    assert v1["whole_word"] is True and v1["context"] == ["home", "thread"]
    [v2] = (await client.get(FILTERS, headers=alice.headers)).json()
    assert v2["title"] == "spoiler" and v2["filter_action"] == "hide"
    assert [k["id"] for k in v2["keywords"]] == [v1["id"]]  # a v1 filter is a keyword

    # A v2 filter with two keywords is two v1 filters.
    await make_filter(client, alice, "a", "b", context=("public",))
    listed = (await client.get("/api/v1/filters", headers=alice.headers)).json()
    assert [f["phrase"] for f in listed] == ["spoiler", "a", "b"]
    assert listed[1]["context"] == ["public"] and listed[1]["irreversible"] is False

    changed = await client.put(
        f"/api/v1/filters/{v1['id']}",
        data={"phrase": "spoilers", "whole_word": "false", "irreversible": "false"},
        headers=alice.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["phrase"] == "spoilers" and changed.json()["irreversible"] is False
    one = await client.get(f"/api/v1/filters/{v1['id']}", headers=alice.headers)
    assert one.json() == changed.json()
    # The context of a filter holding several keywords is changed through v2 only.
    several = await client.put(
        f"/api/v1/filters/{listed[1]['id']}", data={"context[]": "home"}, headers=alice.headers
    )
    assert several.status_code == 422

    assert (await client.delete(f"/api/v1/filters/{v1['id']}", headers=alice.headers)).json() == {}
    titles = [f["title"] for f in (await client.get(FILTERS, headers=alice.headers)).json()]
    assert titles == ["a b"]  # the v1 filter's group went with its one keyword
    await client.delete(f"/api/v1/filters/{listed[1]['id']}", headers=alice.headers)
    [left] = (await client.get(FILTERS, headers=alice.headers)).json()
    assert [k["keyword"] for k in left["keywords"]] == ["b"]


async def test_bad_input_is_refused_with_a_clear_error(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    cases = [
        ({"context": ["home"]}, 422, "Title"),
        ({"title": "x"}, 422, "Context"),
        ({"title": "x", "context": ["everywhere"]}, 422, "context"),
        ({"title": "x", "context": ["home"], "filter_action": "burn"}, 422, "action"),
        ({"title": "x", "context": ["home"], "expires_in": -5}, 422, "Expires"),
        ({"title": "x", "context": ["home"], "expires_in": "soon"}, 422, "expires_in"),
        ({"title": "x" * 300, "context": ["home"]}, 422, "too long"),
        ({"title": "x", "context": ["home"], "keywords_attributes": [{"id": "1"}]}, 404, ""),
        ({"title": "x", "context": ["home"], "keywords_attributes": [{"keyword": ""}]}, 422, ""),
    ]
    for body, status, words in cases:
        response = await client.post(FILTERS, json=body, headers=alice.headers)
        assert response.status_code == status, (body, response.text)
        assert words in response.json()["error"], body
    assert (await client.get(FILTERS, headers=alice.headers)).json() == []  # nothing half-made

    bob = await factory.user("bob")
    theirs = await make_filter(client, bob, "bob's")
    for method, path in [
        ("GET", f"{FILTERS}/{theirs['id']}"),
        ("PUT", f"{FILTERS}/{theirs['id']}"),
        ("DELETE", f"{FILTERS}/{theirs['id']}"),
        ("GET", f"{FILTERS}/keywords/{theirs['keywords'][0]['id']}"),
        ("DELETE", f"/api/v1/filters/{theirs['keywords'][0]['id']}"),
        ("GET", f"{FILTERS}/nonsense"),
    ]:
        response = await client.request(method, path, headers=alice.headers)
        assert response.status_code == 404, (method, path)

    reader = await factory.token(alice, "read")
    refused = await client.post(
        FILTERS,
        json={"title": "x", "context": ["home"]},
        headers={"Authorization": f"Bearer {reader}"},
    )
    assert refused.status_code == 403
    assert (await client.get(FILTERS)).status_code == 401


async def test_keywords_as_an_object_keyed_by_index_are_read_as_a_list(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    response = await client.post(
        FILTERS,
        json={
            "title": "indexed",
            "context": "home",  # one value for a list
            "keywords_attributes": {"0": {"keyword": "one"}, "1": {"keyword": "two"}},
        },
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["context"] == ["home"]
    assert [k["keyword"] for k in response.json()["keywords"]] == ["one", "two"]
    assert all(k["whole_word"] for k in response.json()["keywords"])  # Mastodon's default
