"""Who may use the admin reports API: a token with the ``admin:*:reports`` scope (which
``read`` and ``write`` do not cover) of a person whose role grants MANAGE_REPORTS."""

from __future__ import annotations

import httpx
import pytest

from roost.accounts import roles
from roost.accounts.roles import Permission, Role
from tests.factories import Factory

READS = [("GET", "/api/v1/admin/reports"), ("GET", "/api/v1/admin/reports/{id}")]
WRITES = [
    ("PUT", "/api/v1/admin/reports/{id}"),
    *(
        ("POST", f"/api/v1/admin/reports/{{id}}/{verb}")
        for verb in ("assign_to_self", "unassign", "resolve", "reopen")
    ),
]


async def answers(
    client: httpx.AsyncClient, token: str | None, report_id: str
) -> dict[tuple[str, str], int]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    found = {}
    for method, path in READS + WRITES:
        response = await client.request(
            method, path.format(id=report_id), headers=headers, json={"category": "spam"}
        )
        if response.status_code >= 400:
            assert "error" in response.json(), (method, path)
        found[method, path] = response.status_code
    return found


async def a_report(client: httpx.AsyncClient, factory: Factory) -> str:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    filed = await client.post("/api/v1/reports", headers=alice.headers, json={"account_id": bob.id})
    report_id: str = filed.json()["id"]
    return report_id


async def test_people_without_a_staff_role_are_refused(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    report_id = await a_report(client, factory)
    # Even with every admin scope, a user's role grants nothing.
    user = await factory.user("carol", scopes="read write admin:read admin:write")
    assert set((await answers(client, user.token, report_id)).values()) == {403}
    assert set((await answers(client, None, report_id)).values()) == {401}


async def test_staff_need_the_admin_scope_for_each_side(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    report_id = await a_report(client, factory)
    mod = await factory.user("mod", role="moderator")  # read write follow push
    assert set((await answers(client, mod.token, report_id)).values()) == {403}
    reader = await factory.token(mod, "admin:read:reports")
    found = await answers(client, reader, report_id)
    assert all(found[route] == 403 for route in WRITES)
    for route in READS:
        method, path = route
        ok = await client.request(
            method, path.format(id=report_id), headers={"Authorization": f"Bearer {reader}"}
        )
        assert ok.status_code == 200, route
    # admin:write:reports alone writes but cannot read; a token for other admin
    # subjects reaches no report.
    writer = await factory.token(mod, "admin:write:reports")
    by_writer = await answers(client, writer, report_id)
    assert [by_writer[route] for route in READS] == [403, 403]
    assert [by_writer[route] for route in WRITES] == [200] * len(WRITES)
    accounts_only = await factory.token(mod, "admin:read:accounts admin:write:accounts")
    assert set((await answers(client, accounts_only, report_id)).values()) == {403}


async def test_a_role_without_manage_reports_is_refused(
    client: httpx.AsyncClient, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A staff role that lacks the permission (as a custom role on Mastodon may): being
    staff is not enough."""
    report_id = await a_report(client, factory)
    narrow = Role("moderator", "1", "Moderator", Permission.VIEW_AUDIT_LOG, 1)
    monkeypatch.setitem(roles.ROLES, "moderator", narrow)
    mod = await factory.user("mod", role="moderator", scopes="admin:read admin:write")
    assert set((await answers(client, mod.token, report_id)).values()) == {403}
    # The administrator bit grants every permission.
    owner = await factory.user("owner", role="owner", scopes="admin:read admin:write")
    ok = await client.get("/api/v1/admin/reports", headers=owner.headers)
    assert ok.status_code == 200 and [r["id"] for r in ok.json()] == [report_id]
