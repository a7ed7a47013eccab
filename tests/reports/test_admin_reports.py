"""The admin reports API (``/api/v1/admin/reports``) as moderation apps use it: the
list with its filters and pages, one report as Admin::Report, and the verbs that handle
it, each kept in the audit log."""

from __future__ import annotations

from typing import Any

import httpx

from roost.admin.audit import list_actions
from roost.core.paging import Window
from roost.runtime import Runtime
from tests.conftest import AppClient
from tests.factories import Factory, User

STAFF_SCOPES = "read write admin:read admin:write"
ADMIN_REPORT_KEYS = {
    "id",
    "action_taken",
    "action_taken_at",
    "category",
    "comment",
    "forwarded",
    "created_at",
    "updated_at",
    "account",
    "target_account",
    "assigned_account",
    "action_taken_by_account",
    "statuses",
    "rules",
}
ADMIN_ACCOUNT_KEYS = {
    "id",
    "username",
    "domain",
    "created_at",
    "email",
    "ip",
    "ips",
    "locale",
    "invite_request",
    "role",
    "confirmed",
    "suspended",
    "silenced",
    "sensitized",
    "disabled",
    "approved",
    "account",
}


async def post(client: httpx.AsyncClient, author: User, text: str, **extra: str) -> str:
    response = await client.post(
        "/api/v1/statuses", headers=author.headers, json={"status": text, **extra}
    )
    assert response.status_code == 200, response.text
    status_id: str = response.json()["id"]
    return status_id


async def file(client: httpx.AsyncClient, reporter: User, target: User, **body: Any) -> str:
    response = await client.post(
        "/api/v1/reports", headers=reporter.headers, json={"account_id": target.id, **body}
    )
    assert response.status_code == 200, response.text
    report_id: str = response.json()["id"]
    return report_id


async def act(client: httpx.AsyncClient, staff: User, report_id: str, verb: str) -> Any:
    response = await client.post(f"/api/v1/admin/reports/{report_id}/{verb}", headers=staff.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def listed(client: httpx.AsyncClient, staff: User, **query: Any) -> list[str]:
    response = await client.get("/api/v1/admin/reports", headers=staff.headers, params=query)
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()]


async def test_a_report_as_moderators_see_it(client: httpx.AsyncClient, factory: Factory) -> None:
    alice, bob, carol = (
        await factory.user("alice"),
        await factory.user("bob"),
        await factory.user("carol"),
    )
    mod = await factory.user("mod", role="moderator", scopes=STAFF_SCOPES)
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    public = await post(client, bob, "buy now")
    private = await post(client, bob, "followers: buy now", visibility="private")
    gone = await post(client, bob, "deleted later")
    report_id = await file(
        client, alice, bob, status_ids=[public, private, gone], comment="spam", category="spam"
    )
    await client.delete(f"/api/v1/statuses/{gone}", headers=bob.headers)

    response = await client.get(f"/api/v1/admin/reports/{report_id}", headers=mod.headers)
    assert response.status_code == 200, response.text
    report = response.json()
    assert set(report) == ADMIN_REPORT_KEYS
    assert (report["id"], report["category"], report["comment"]) == (report_id, "spam", "spam")
    assert report["action_taken"] is False and report["action_taken_at"] is None
    assert report["forwarded"] is False
    assert report["updated_at"] == report["created_at"]
    assert report["assigned_account"] is None and report["action_taken_by_account"] is None
    assert report["rules"] == []
    # The posts still there, the followers-only one too: the moderator reviews them.
    assert [s["id"] for s in report["statuses"]] == [public, private]
    assert report["statuses"][1]["visibility"] == "private"

    reporter, target = report["account"], report["target_account"]
    assert set(reporter) == set(target) == ADMIN_ACCOUNT_KEYS
    assert (reporter["id"], reporter["username"], reporter["email"]) == (
        alice.id,
        "alice",
        "alice@example.com",
    )
    assert reporter["account"]["acct"] == "alice" and reporter["domain"] is None
    assert target["role"]["permissions"] == "0"
    assert (target["approved"], target["confirmed"], target["suspended"]) == (True, True, False)
    assert (target["silenced"], target["sensitized"], target["disabled"]) == (False, False, False)
    assert target["ips"] == [] and target["ip"] is None

    # A report filed by someone else on someone else.
    other = await file(client, carol, alice)
    assert await listed(client, mod) == [other, report_id]
    assert await listed(client, mod, account_id=carol.id) == [other]
    assert await listed(client, mod, target_account_id=bob.id) == [report_id]
    assert await listed(client, mod, resolved="true") == []


async def test_handling_a_report(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    mod = await factory.user("mod", role="moderator", scopes=STAFF_SCOPES)
    admin = await factory.user("boss", role="admin", scopes=STAFF_SCOPES)
    report_id = await file(client, alice, bob)

    taken = await act(client, mod, report_id, "assign_to_self")
    assert taken["assigned_account"]["id"] == mod.id
    assert taken["assigned_account"]["role"]["name"] == "Moderator"
    assert taken["updated_at"] > taken["created_at"]
    assert (await act(client, mod, report_id, "assign_to_self"))["assigned_account"]["id"] == mod.id
    assert (await act(client, mod, report_id, "unassign"))["assigned_account"] is None

    resolved = await act(client, admin, report_id, "resolve")
    assert resolved["action_taken"] is True and resolved["action_taken_at"] is not None
    assert resolved["action_taken_by_account"]["id"] == admin.id
    assert await listed(client, mod) == []
    assert await listed(client, mod, resolved="true") == [report_id]
    # The admin.report notification shows the report as it is now.
    told = await client.get(
        "/api/v1/notifications", headers=mod.headers, params={"types[]": "admin.report"}
    )
    assert told.json()[0]["report"]["action_taken"] is True

    reopened = await act(client, mod, report_id, "reopen")
    assert reopened["action_taken"] is False and reopened["action_taken_at"] is None
    assert reopened["action_taken_by_account"] is None
    assert await listed(client, mod) == [report_id]

    async with runtime.db.read() as session:
        log = (await list_actions(session=session, page=Window(limit=10))).items
    assert [(e.action, e.actor_id, e.target_type, str(e.target_id)) for e in log] == [
        ("reopen", mod.account.id, "Report", report_id),
        ("resolve", admin.account.id, "Report", report_id),
        ("unassigned", mod.account.id, "Report", report_id),
        ("assigned_to_self", mod.account.id, "Report", report_id),
        ("assigned_to_self", mod.account.id, "Report", report_id),
    ]
    assert log[1].summary == f"@boss resolved report {report_id} on @bob"

    for verb in ("assign_to_self", "unassign", "resolve", "reopen"):
        for missing in ("424242", "not-an-id"):
            response = await client.post(
                f"/api/v1/admin/reports/{missing}/{verb}", headers=mod.headers
            )
            assert response.status_code == 404, (verb, missing)
    assert (
        await client.get("/api/v1/admin/reports/424242", headers=mod.headers)
    ).status_code == 404


async def test_paging_through_reports(client: httpx.AsyncClient, factory: Factory) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    mod = await factory.user("mod", role="moderator", scopes=STAFF_SCOPES)
    filed = [await file(client, alice, bob) for _ in range(5)]
    seen: list[str] = []
    response = await client.get("/api/v1/admin/reports", headers=mod.headers, params={"limit": 2})
    while response.json():
        seen += [r["id"] for r in response.json()]
        assert 'rel="next"' in response.headers["link"]
        following = httpx.URL(response.headers["link"].split(">")[0].lstrip("<"))
        assert following.params["limit"] == "2"
        response = await client.get(
            following.path, headers=mod.headers, params=dict(following.params)
        )
    assert seen == list(reversed(filed))
    # 100 by default, at most 200; out of range clamped, as Mastodon does.
    assert len(await listed(client, mod, limit=0)) == 1
    assert len(await listed(client, mod, limit=500)) == 5


async def test_changing_category_and_rules(app_client: AppClient) -> None:
    async with app_client(rules=["No spam", "No harassment"]) as (client, runtime):
        factory = Factory(runtime)
        alice, bob = await factory.user("alice"), await factory.user("bob")
        mod = await factory.user("mod", role="moderator", scopes=STAFF_SCOPES)
        report_id = await file(client, alice, bob, category="spam")

        async def put(**body: Any) -> httpx.Response:
            return await client.put(
                f"/api/v1/admin/reports/{report_id}", headers=mod.headers, json=body
            )

        changed = await put(category="violation", rule_ids=["2"])
        assert changed.status_code == 200, changed.text
        assert changed.json()["category"] == "violation"
        assert changed.json()["rules"] == [{"id": "2", "text": "No harassment", "hint": ""}]
        assert (await put(rule_ids=["1", "2"])).json()["rules"][0]["text"] == "No spam"
        assert (await put(category="violation")).json()["category"] == "violation"  # keeps rules
        assert (await put()).json()["category"] == "violation"  # nothing asked, nothing changed
        for refused in (
            {"rule_ids": ["3"]},  # no such rule
            {"category": "violation", "rule_ids": []},
            {"rule_ids": []},  # a violation names rules
            {"category": "rude"},
        ):
            response = await put(**refused)
            assert response.status_code == 422, refused
            assert "error" in response.json()
        other = await put(category="other")
        assert (other.json()["category"], other.json()["rules"]) == ("other", [])
        assert (await put(category="violation")).status_code == 422  # no rules left to name
        # The reporter's view follows: the Report entity's rule ids.
        again = await put(rule_ids=["1"])
        assert again.json()["category"] == "violation"
        told = await client.get(
            "/api/v1/notifications", headers=mod.headers, params={"types[]": "admin.report"}
        )
        assert told.json()[0]["report"]["rule_ids"] == ["1"]
        missing = await client.put(
            "/api/v1/admin/reports/424242", headers=mod.headers, json={"category": "spam"}
        )
        assert missing.status_code == 404
