"""Exporting one's data from the settings pages in Mastodon's formats, and importing
follows, blocks and mutes from them: an export imported into a fresh account restores
its follows, through the web forms a person uses."""

from __future__ import annotations

import json
from typing import Any

import httpx

from roost.runtime import Runtime
from roost.timelines.fanout import withdraw_author
from tests.factories import Factory, User
from tests.web.helpers import login, signed_in


async def call(client: httpx.AsyncClient, user: User, method: str, path: str, **data: Any) -> Any:
    response = await client.request(method, path, data=data or None, headers=user.headers)
    assert response.status_code == 200, (path, response.text)
    return response.json()


async def upload(
    client: httpx.AsyncClient, csrf: str, kind: str, content: str, mode: str = "merge"
) -> httpx.Response:
    return await client.post(
        "/settings/import",
        data={"type": kind, "mode": mode, "csrf_token": csrf},
        files={"data": ("export.csv", content.encode(), "text/csv")},
    )


async def relationship(client: httpx.AsyncClient, user: User, other: User) -> dict[str, Any]:
    [found] = await call(client, user, "GET", f"/api/v1/accounts/relationships?id[]={other.id}")
    return dict(found)


async def log_out(client: httpx.AsyncClient, csrf: str) -> None:
    assert (await client.post("/logout", data={"csrf_token": csrf})).status_code == 303


async def test_an_export_imported_into_a_fresh_account_restores_it(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    maya, theo, priya, spam, sam = [
        await factory.user(n) for n in ("maya", "theo", "priya", "spam_bot", "sam_k")
    ]
    await call(
        client, maya, "POST", f"/api/v1/accounts/{theo.id}/follow", reblogs="false", notify="true"
    )
    await call(client, maya, "POST", f"/api/v1/accounts/{priya.id}/follow")
    await call(client, maya, "POST", f"/api/v1/accounts/{spam.id}/block")
    await call(client, maya, "POST", f"/api/v1/accounts/{sam.id}/mute", notifications="false")
    first = await call(client, maya, "POST", "/api/v1/statuses", status="First post")
    boost_me = await call(client, theo, "POST", "/api/v1/statuses", status="Theo writes")
    await call(client, maya, "POST", f"/api/v1/statuses/{boost_me['id']}/reblog")
    await call(client, maya, "POST", f"/api/v1/statuses/{boost_me['id']}/bookmark")
    await runtime.jobs.drain()

    csrf = await signed_in(client, "maya")
    page = await client.get("/settings/export")
    assert page.status_code == 200 and 'href="/settings/export/following.csv"' in page.text
    files = {}
    for name in ("following", "blocks", "mutes", "bookmarks"):
        got = await client.get(f"/settings/export/{name}.csv")
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        assert "attachment" in got.headers["content-disposition"]
        files[name] = got.text
    assert files["following"] == (
        "Account address,Show boosts,Notify on new posts,Languages\n"
        "priya@localhost,true,false,\n"
        "theo@localhost,false,true,\n"
    )
    assert files["blocks"] == "spam_bot@localhost\n"
    assert files["mutes"] == "Account address,Hide notifications\nsam_k@localhost,false\n"
    assert files["bookmarks"] == f"http://localhost/users/theo/statuses/{boost_me['id']}\n"
    statuses = await client.get("/settings/export/statuses.json")
    assert statuses.headers["content-disposition"] == 'attachment; filename="statuses.json"'
    entities = json.loads(statuses.text)
    assert [s["reblog"]["id"] if s["reblog"] else s["id"] for s in entities] == [
        boost_me["id"],
        first["id"],
    ]
    assert entities[1]["content"] == "<p>First post</p>" and entities[1]["account"]["id"] == maya.id
    assert (await client.get("/settings/export/nothing.csv")).status_code == 404
    await log_out(client, csrf)

    fresh = await factory.user("maya_two")
    csrf = await signed_in(client, "maya_two")
    for kind, name in (("following", "following"), ("blocking", "blocks"), ("muting", "mutes")):
        sent = await upload(client, csrf, kind, files[name])
        assert sent.status_code == 303 and sent.headers["location"] == "/settings/import?started=1"
    await runtime.jobs.drain()

    to_theo = await relationship(client, fresh, theo)
    assert (to_theo["following"], to_theo["showing_reblogs"], to_theo["notifying"]) == (
        True,
        False,
        True,
    )
    to_priya = await relationship(client, fresh, priya)
    assert (to_priya["following"], to_priya["showing_reblogs"]) == (True, True)
    assert (await relationship(client, fresh, spam))["blocking"] is True
    to_sam = await relationship(client, fresh, sam)
    assert (to_sam["muting"], to_sam["muting_notifications"]) == (True, False)
    assert (await call(client, theo, "GET", f"/api/v1/accounts/{theo.id}"))["followers_count"] == 2
    results = await client.get("/settings/import")
    assert results.text.count("imported.") == 3
    assert "2 of 2 rows imported." in results.text


async def test_unknown_accounts_are_reported_not_fatal(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    ines = await factory.user("ines")
    theo = await factory.user("theo")
    await factory.user("gone_soon")
    csrf = await signed_in(client, "ines")
    rows = "theo\nghost@localhost\nsomeone@mastodon.example\n\n@Gone_Soon@localhost\n"
    assert (await upload(client, csrf, "following", rows)).status_code == 303
    await runtime.jobs.drain()
    assert (await relationship(client, ines, theo))["following"] is True
    page = await client.get("/settings/import")
    assert "2 of 4 rows imported." in page.text
    assert "Row 2: ghost@localhost: no account on this server has this address" in page.text
    assert "Row 3: someone@mastodon.example: an account on another server" in page.text


async def test_overwrite_ends_what_the_file_leaves_out(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    olga, pete, quin = [await factory.user(n) for n in ("olga", "pete", "quin")]
    await call(client, olga, "POST", f"/api/v1/accounts/{pete.id}/follow")
    await call(client, olga, "POST", f"/api/v1/accounts/{pete.id}/block")
    csrf = await signed_in(client, "olga")
    await upload(client, csrf, "following", "quin@localhost\n", mode="overwrite")
    await upload(client, csrf, "blocking", "quin\n", mode="overwrite")
    await runtime.jobs.drain()
    to_pete = await relationship(client, olga, pete)
    assert (to_pete["following"], to_pete["blocking"]) == (False, False)
    to_quin = await relationship(client, olga, quin)
    # The block (second file) ended the follow (first file), as a block does.
    assert (to_quin["following"], to_quin["blocking"]) == (False, True)


async def test_a_file_of_another_kind_or_no_file_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    await factory.user("rosa")
    csrf = await signed_in(client, "rosa")
    following = "Account address,Show boosts,Notify on new posts,Languages\nrosa,true,false,\n"
    wrong = await upload(client, csrf, "muting", following)
    assert wrong.status_code == 422
    assert "it is not a file of mutes" in wrong.text
    empty = await upload(client, csrf, "blocking", "\n\n")
    assert empty.status_code == 422 and "The file is empty" in empty.text
    missing = await client.post(
        "/settings/import", data={"type": "blocking", "mode": "merge", "csrf_token": csrf}
    )
    assert missing.status_code == 422 and "Choose a CSV file" in missing.text
    no_csrf = await client.post(
        "/settings/import",
        data={"type": "blocking", "mode": "merge"},
        files={"data": ("x.csv", b"rosa\n", "text/csv")},
    )
    assert no_csrf.status_code == 403
    assert "Nothing imported yet." in (await client.get("/settings/import")).text


async def test_exports_need_a_signed_in_person(client: httpx.AsyncClient, factory: Factory) -> None:
    await factory.user("sami")
    for path in ("/settings/export", "/settings/export/following.csv", "/settings/import"):
        assert (await client.get(path)).status_code == 303
    assert (await login(client, "sami")).status_code == 303
    assert (await client.get("/settings/export/following.csv")).text == (
        "Account address,Show boosts,Notify on new posts,Languages\n"
    )


async def test_withdraw_author_empties_every_timeline_its_follows_fed(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    """The purge's first step, on whichever store this run uses: the entries themselves
    leave the followers' timelines (not only their rendering)."""
    writer, reader = await factory.user("writer"), await factory.user("reader")
    await call(client, reader, "POST", f"/api/v1/accounts/{writer.id}/follow")
    await call(client, reader, "GET", "/api/v1/timelines/home")  # an active reader gets fan-out
    post = await call(client, writer, "POST", "/api/v1/statuses", status="soon gone")
    await runtime.jobs.drain()
    before = await runtime.timelines.page(reader.account.id, limit=20)
    assert int(post["id"]) in [entry.status_id for entry in before]
    await withdraw_author(runtime, author_id=writer.account.id)
    after = await runtime.timelines.page(reader.account.id, limit=20)
    assert int(post["id"]) not in [entry.status_id for entry in after]
