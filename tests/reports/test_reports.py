"""Filing a report: it is stored and answered as Mastodon's Report entity; each refusal;
and a report cannot name (or reveal) a post the reporter may not read."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from roost.reports.models import Report, ReportStatus
from roost.runtime import Runtime
from tests.conftest import AppClient
from tests.factories import Factory, User


async def post(client: httpx.AsyncClient, author: User, text: str, **extra: str) -> str:
    response = await client.post(
        "/api/v1/statuses", headers=author.headers, json={"status": text, **extra}
    )
    assert response.status_code == 200, response.text
    status_id: str = response.json()["id"]
    return status_id


async def stored(runtime: Runtime) -> list[tuple[Report, list[int]]]:
    async with runtime.db.read() as session:
        reports = (await session.scalars(select(Report).order_by(Report.id))).all()
        found = []
        for report in reports:
            rows = await session.scalars(
                select(ReportStatus.status_id).where(ReportStatus.report_id == report.id)
            )
            found.append((report, sorted(rows.all())))
        return found


async def test_a_report_is_stored_and_answered(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, spammer = await factory.user("alice"), await factory.user("spammer")
    first = await post(client, spammer, "buy now")
    second = await post(client, spammer, "buy again", visibility="unlisted")

    response = await client.post(
        "/api/v1/reports",
        headers=alice.headers,
        data={
            "account_id": spammer.id,
            "status_ids[]": [first, second],
            "comment": "Spam account",
            "category": "spam",
            "forward": "true",
        },
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert set(report) == {
        "id",
        "action_taken",
        "action_taken_at",
        "category",
        "comment",
        "forwarded",
        "created_at",
        "status_ids",
        "rule_ids",
        "target_account",
    }
    assert report["action_taken"] is False and report["action_taken_at"] is None
    assert (report["category"], report["comment"]) == ("spam", "Spam account")
    assert report["forwarded"] is False  # nowhere to forward to
    assert report["status_ids"] == [first, second] and report["rule_ids"] is None
    assert report["target_account"]["id"] == spammer.id
    assert report["target_account"]["acct"] == "spammer"
    assert report["created_at"].endswith("Z")

    [(row, status_ids)] = await stored(runtime)
    assert str(row.id) == report["id"]
    assert (row.account_id, row.target_account_id) == (alice.account.id, spammer.account.id)
    assert (row.category, row.comment, row.forward, row.action_taken) == (
        "spam",
        "Spam account",
        True,
        False,
    )
    assert status_ids == sorted([int(first), int(second)])

    # JSON works as well as a form; the defaults are "other", no comment, no posts.
    bare = await client.post(
        "/api/v1/reports", headers=alice.headers, json={"account_id": int(spammer.id)}
    )
    assert bare.status_code == 200
    assert (bare.json()["category"], bare.json()["comment"]) == ("other", "")
    assert bare.json()["status_ids"] == []


async def test_a_report_outlives_the_posts_it_names(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, spammer = await factory.user("alice"), await factory.user("spammer")
    evidence = await post(client, spammer, "buy now")
    filed = await client.post(
        "/api/v1/reports",
        headers=alice.headers,
        json={"account_id": spammer.id, "status_ids": [evidence]},
    )
    assert filed.status_code == 200
    deleted = await client.delete(f"/api/v1/statuses/{evidence}", headers=spammer.headers)
    assert deleted.status_code == 200
    [(_, status_ids)] = await stored(runtime)
    assert status_ids == [int(evidence)]


async def test_refusals(client: httpx.AsyncClient, factory: Factory, runtime: Runtime) -> None:
    alice, bob, carol = (
        await factory.user("alice"),
        await factory.user("bob"),
        await factory.user("carol"),
    )
    pending = await factory.user("pending", approved=False)
    bobs = await post(client, bob, "hello")
    carols = await post(client, carol, "hi")

    async def report(body: dict[str, object], user: User = alice) -> httpx.Response:
        return await client.post("/api/v1/reports", headers=user.headers, json=body)

    for target in ("999", pending.id, "not-an-id"):
        response = await report({"account_id": target})
        assert response.status_code in (404, 422), target
        assert "error" in response.json()
    assert (await report({"account_id": "999"})).status_code == 404
    assert (await report({"account_id": pending.id})).status_code == 404
    assert (await report({})).status_code == 400  # account_id is required

    refused = [
        {"account_id": alice.id},  # yourself
        {"account_id": bob.id, "comment": "x" * 1001},
        {"account_id": bob.id, "category": "rude"},
        {"account_id": bob.id, "category": "violation"},  # needs rules
        {"account_id": bob.id, "category": "violation", "rule_ids": ["1"]},  # none exist
        {"account_id": bob.id, "rule_ids": ["1"]},
        {"account_id": bob.id, "status_ids": [carols]},  # not Bob's post
        {"account_id": bob.id, "status_ids": [bobs, "424242"]},  # no such post
        {"account_id": bob.id, "status_ids": [str(i) for i in range(1, 102)]},  # too many
    ]
    for body in refused:
        response = await report(body)
        assert response.status_code == 422, body
        assert "error" in response.json()
    assert await stored(runtime) == []  # nothing half-written

    # 1000 characters is the limit, not over it; the scope is write:reports.
    assert (await report({"account_id": bob.id, "comment": "x" * 1000})).status_code == 200
    reader = await factory.user("reader", scopes="read write:statuses")
    assert (await report({"account_id": bob.id}, reader)).status_code == 403
    assert (await client.post("/api/v1/reports", json={"account_id": bob.id})).status_code == 401


async def test_cannot_report_a_post_you_cannot_see(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, carol = (
        await factory.user("alice"),
        await factory.user("bob"),
        await factory.user("carol"),
    )
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=carol.headers)
    followers_only = await post(client, bob, "for my followers", visibility="private")
    direct = await post(client, bob, "@carol psst", visibility="direct")

    for hidden in (followers_only, direct):
        response = await client.post(
            "/api/v1/reports",
            headers=alice.headers,
            json={"account_id": bob.id, "status_ids": [hidden]},
        )
        assert response.status_code == 422
        # The same answer as for a post that does not exist: nothing is revealed.
        missing = await client.post(
            "/api/v1/reports",
            headers=alice.headers,
            json={"account_id": bob.id, "status_ids": ["424242"]},
        )
        assert response.json() == missing.json()

    # Carol follows Bob and is mentioned: she may report both.
    response = await client.post(
        "/api/v1/reports",
        headers=carol.headers,
        json={"account_id": bob.id, "status_ids": [followers_only, direct]},
    )
    assert response.status_code == 200
    assert response.json()["status_ids"] == [followers_only, direct]
    assert len(await stored(runtime)) == 1


async def test_blocks_and_reports(client: httpx.AsyncClient, factory: Factory) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    bobs = await post(client, bob, "hello")
    # Bob blocks Alice: she may still report him, but his posts are hidden from her.
    await client.post(f"/api/v1/accounts/{alice.id}/block", headers=bob.headers)
    with_post = {"account_id": bob.id, "status_ids": [bobs]}
    refused = await client.post("/api/v1/reports", headers=alice.headers, json=with_post)
    assert refused.status_code == 422
    account_only = {"account_id": bob.id, "comment": "blocked me after harassing"}
    filed = await client.post("/api/v1/reports", headers=alice.headers, json=account_only)
    assert filed.status_code == 200


RULES = ["No spam", "No harassment", "Mark sensitive media"]


async def test_reports_name_the_servers_rules(app_client: AppClient, runtime: Runtime) -> None:
    async with app_client(rules=RULES) as (client, ruled):
        factory = Factory(ruled)
        alice, bob = await factory.user("alice"), await factory.user("bob")
        listed = (await client.get("/api/v1/instance/rules")).json()
        assert listed == [
            {"id": "1", "text": "No spam", "hint": ""},
            {"id": "2", "text": "No harassment", "hint": ""},
            {"id": "3", "text": "Mark sensitive media", "hint": ""},
        ]
        assert (await client.get("/api/v2/instance")).json()["rules"] == listed
        assert (await client.get("/api/v1/instance")).json()["rules"] == listed

        async def report(**body: object) -> httpx.Response:
            return await client.post(
                "/api/v1/reports", headers=alice.headers, json={"account_id": bob.id, **body}
            )

        # Named rules make a violation (whatever the category says), each once, in order.
        violation = await report(category="violation", rule_ids=["2", "1", "2"])
        assert violation.status_code == 200, violation.text
        assert violation.json()["category"] == "violation"
        assert violation.json()["rule_ids"] == ["2", "1"]
        spam_with_rules = await report(category="spam", rule_ids=["3"])
        assert (spam_with_rules.json()["category"], spam_with_rules.json()["rule_ids"]) == (
            "violation",
            ["3"],
        )
        form = await client.post(
            "/api/v1/reports",
            headers=alice.headers,
            data={"account_id": bob.id, "rule_ids[]": ["1", "3"]},
        )
        assert form.json()["rule_ids"] == ["1", "3"]
        spam = await report(category="spam")
        assert (spam.json()["category"], spam.json()["rule_ids"]) == ("spam", None)

        refused = [
            {"category": "violation"},  # a violation names a rule
            {"category": "violation", "rule_ids": []},
            {"category": "violation", "rule_ids": ["4"]},  # no fourth rule
            {"rule_ids": ["1", "0"]},
            {"rule_ids": ["not-a-rule"]},
        ]
        for body in refused:
            response = await report(**body)
            assert response.status_code in (400, 422), body
            assert "error" in response.json()
        async with ruled.db.read() as session:
            kept = (await session.scalars(select(Report).order_by(Report.id))).all()
        assert [(r.category, r.rule_ids) for r in kept] == [
            ("violation", [2, 1]),
            ("violation", [3]),
            ("violation", [1, 3]),
            ("spam", None),
        ]
