"""A filed report reaches the staff who manage reports as an ``admin.report``
notification carrying the Report, and nobody else."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select, update

from roost.core.db import utcnow
from roost.notifications.models import Notification
from roost.reports.models import Report
from roost.runtime import Runtime
from tests.factories import Factory, User


async def file(client: httpx.AsyncClient, reporter: User, target: User, **body: Any) -> Any:
    response = await client.post(
        "/api/v1/reports", headers=reporter.headers, json={"account_id": target.id, **body}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def reports_told(client: httpx.AsyncClient, user: User) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/v1/notifications", headers=user.headers, params={"types[]": "admin.report"}
    )
    assert response.status_code == 200, response.text
    told: list[dict[str, Any]] = response.json()
    return told


async def test_staff_who_manage_reports_are_told_and_nobody_else(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, carol = (
        await factory.user("alice"),
        await factory.user("bob"),
        await factory.user("carol"),
    )
    staff = [
        await factory.user("mod", role="moderator"),
        await factory.user("admin", role="admin"),
        await factory.user("owner", role="owner"),
    ]
    suspended = await factory.user("gone", role="moderator", suspended_at=utcnow())
    disabled = await factory.user("frozen", role="admin", disabled_at=utcnow())
    evidence = (
        await client.post("/api/v1/statuses", headers=bob.headers, json={"status": "buy now"})
    ).json()["id"]

    report = await file(client, alice, bob, status_ids=[evidence], comment="spam", category="spam")
    for member in staff:
        [told] = await reports_told(client, member)
        assert told["type"] == "admin.report"
        assert told["account"]["id"] == alice.id  # from the reporter
        assert told["report"] == report  # the Report entity, as the reporter got it
        assert told["status"] is None
    for other in (alice, bob, carol):
        assert await reports_told(client, other) == []
    # Suspended and disabled staff are not told (asked of the database: they cannot
    # use their tokens).
    async with runtime.db.read() as session:
        held = await session.scalars(
            select(Notification.account_id).where(Notification.type == "admin.report")
        )
        assert sorted(held.all()) == sorted(member.account.id for member in staff)
    assert {suspended.account.id, disabled.account.id}.isdisjoint(
        member.account.id for member in staff
    )

    # Grouped notifications (v2) carry the report as well; admin.report is never grouped.
    grouped = await client.get("/api/v2/notifications", headers=staff[0].headers)
    [group] = grouped.json()["notification_groups"]
    assert group["type"] == "admin.report"
    assert group["group_key"].startswith("ungrouped-")
    assert group["report"] == report


async def test_a_second_report_on_an_open_case_tells_nobody_again(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, carol = (
        await factory.user("alice"),
        await factory.user("bob"),
        await factory.user("carol"),
    )
    mod = await factory.user("mod", role="moderator")
    first = await file(client, alice, bob)
    await file(client, carol, bob)  # Bob's case is open: the moderator already has it
    assert [n["report"]["id"] for n in await reports_told(client, mod)] == [first["id"]]

    other = await file(client, alice, carol)  # another account: a new case
    async with runtime.db.write() as session:  # the first case is closed
        await session.execute(
            update(Report)
            .where(Report.target_account_id == bob.account.id)
            .values(action_taken=True, action_taken_at=utcnow())
        )
        await session.commit()
    again = await file(client, carol, bob)
    # The same reporter twice: two reports, two notifications (not one deduplicated).
    told = [n["report"]["id"] for n in await reports_told(client, mod)]
    assert told == [again["id"], other["id"], first["id"]]


async def test_staff_policies_do_not_hold_reports_back(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    mod = await factory.user("mod", role="moderator")
    strict = {"for_not_following": "filter", "for_new_accounts": "drop"}
    changed = await client.patch("/api/v2/notifications/policy", headers=mod.headers, json=strict)
    assert changed.status_code == 200, changed.text
    report = await file(client, alice, bob)
    assert [n["report"]["id"] for n in await reports_told(client, mod)] == [report["id"]]


async def test_a_moderator_filing_a_report_is_not_told_of_it(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    bob = await factory.user("bob")
    mod, admin = (
        await factory.user("mod", role="moderator"),
        await factory.user("adm", role="admin"),
    )
    report = await file(client, mod, bob)
    assert await reports_told(client, mod) == []
    [told] = await reports_told(client, admin)
    assert told["report"]["id"] == report["id"] and told["account"]["id"] == mod.id
