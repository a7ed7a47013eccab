"""The moderation screens: only staff see the way in and get through; sign-ups approved
and rejected, reports reviewed and handled, accounts acted on and restored, each kept
in the audit log; a role reaches only what its permissions open."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from roost.accounts import roles
from roost.accounts.models import Account
from roost.accounts.roles import Permission, Role
from roost.admin.audit import list_actions
from roost.core.paging import Window
from roost.reports.models import Report
from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.web.helpers import signed_in

SCREENS = [
    "/moderation",
    "/moderation/reports",
    "/moderation/reports?resolved=1",
    "/moderation/reports/{report}",
    "/moderation/accounts/{account}",
    "/moderation/audit",
]
FORMS = [
    ("/moderation/accounts/{pending}/approve", {}),
    ("/moderation/accounts/{pending}/reject", {}),
    ("/moderation/accounts/{account}/action", {"type": "suspend"}),
    ("/moderation/accounts/{account}/reverse", {"undo": "unsuspend"}),
    *(
        (f"/moderation/reports/{{report}}/{verb}", {})
        for verb in ("assign_to_self", "unassign", "resolve", "reopen")
    ),
]


async def file(client: httpx.AsyncClient, reporter: User, target: User, **body: Any) -> str:
    response = await client.post(
        "/api/v1/reports", headers=reporter.headers, json={"account_id": target.id, **body}
    )
    assert response.status_code == 200, response.text
    report_id: str = response.json()["id"]
    return report_id


async def log(runtime: Runtime) -> list[tuple[str, str]]:
    """(action, what the audit-log screen says) of every entry, oldest first."""
    async with runtime.db.read() as session:
        page = await list_actions(session=session, page=Window(limit=100))
    return [(entry.action, entry.sentence) for entry in reversed(page.items)]


async def account(runtime: Runtime, account_id: int) -> Account | None:
    async with runtime.db.read() as session:
        return await session.get(Account, account_id)


async def a_case(client: httpx.AsyncClient, factory: Factory) -> dict[str, str]:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    pending = await factory.user("newcomer", approved=False)
    report = await file(client, alice, bob)
    return {"report": report, "account": bob.id, "pending": pending.id}


async def test_people_without_a_staff_role_cannot_reach_moderation(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    ids = await a_case(client, factory)
    await factory.user("carol")
    token = await signed_in(client, "carol")
    home = await client.get("/home")
    assert 'href="/moderation"' not in home.text
    assert 'href="/moderation"' not in (await client.get("/@carol")).text
    for path in SCREENS:
        response = await client.get(path.format(**ids))
        assert response.status_code == 403, path
        assert "Not allowed" in response.text
    for path, data in FORMS:
        response = await client.post(path.format(**ids), data={"csrf_token": token, **data})
        assert response.status_code == 403, path
    assert await log(runtime) == []
    pending = await account(runtime, int(ids["pending"]))
    assert pending is not None and not pending.approved
    target = await account(runtime, int(ids["account"]))
    assert target is not None and target.suspended_at is None

    # Signed out: the sign-in page first, as for any page that needs a person.
    client.cookies.clear()
    signed_out = await client.get("/moderation")
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")


async def test_staff_find_the_screens(client: httpx.AsyncClient, factory: Factory) -> None:
    ids = await a_case(client, factory)
    await factory.user("mod", role="moderator")
    await signed_in(client, "mod")
    home = await client.get("/home")
    assert 'href="/moderation"' in home.text
    assert 'aria-label="Moderation"' in (await client.get("/@mod")).text  # the phone's way in
    for path in SCREENS:
        response = await client.get(path.format(**ids))
        assert response.status_code == 200, path
    moderation = await client.get("/moderation")
    assert 'aria-current="page"' in moderation.text.split('class="nav-link nav-shield"')[1][:40]
    assert "1 open report" in moderation.text
    # Without a CSRF token a form is refused, staff or not.
    refused = await client.post(f"/moderation/reports/{ids['report']}/resolve")
    assert refused.status_code == 403


async def test_sign_ups_are_approved_and_rejected(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    dana = await factory.user("dana", approved=False)
    eve = await factory.user("eve", approved=False)
    await factory.user("mod", role="moderator")
    token = await signed_in(client, "mod")
    page = await client.get("/moderation")
    assert re.findall(r'data-account-id="(\d+)"', page.text) == [dana.id, eve.id]
    assert "dana@example.com" in page.text
    waiting = await client.get(f"/moderation/accounts/{eve.id}")
    assert "Waiting for approval" in waiting.text
    assert "Approve sign-up" in waiting.text and "Reject sign-up" in waiting.text

    approved = await client.post(
        f"/moderation/accounts/{dana.id}/approve", data={"csrf_token": token}
    )
    assert approved.status_code == 303
    assert approved.headers["location"] == "/moderation?done=approve&who=dana"
    done = await client.get(approved.headers["location"])
    assert "@dana is approved" in done.text
    assert re.findall(r'data-account-id="(\d+)"', done.text) == [eve.id]
    kept = await account(runtime, dana.account.id)
    assert kept is not None and kept.approved

    rejected = await client.post(
        f"/moderation/accounts/{eve.id}/reject", data={"csrf_token": token}
    )
    assert rejected.headers["location"] == "/moderation?done=reject&who=eve"
    assert await account(runtime, eve.account.id) is None
    assert "Nobody is waiting for approval." in (await client.get("/moderation")).text
    # Twice: Dana is no longer waiting (403, as the admin API answers).
    again = await client.post(f"/moderation/accounts/{dana.id}/approve", data={"csrf_token": token})
    assert again.status_code == 403
    assert await log(runtime) == [
        ("approve", "@mod approved @dana"),
        ("reject", "@mod rejected @eve"),
    ]
    audit = await client.get("/moderation/audit")
    assert audit.text.index("@mod rejected @eve") < audit.text.index("@mod approved @dana")


async def test_a_report_is_reviewed_and_handled(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await factory.user("mod", role="moderator")
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    posted = await client.post(
        "/api/v1/statuses",
        headers=bob.headers,
        json={"status": "psst, followers: cheap watches", "visibility": "private"},
    )
    report_id = await file(
        client, alice, bob, status_ids=[posted.json()["id"]], comment="selling fakes"
    )
    token = await signed_in(client, "mod")

    notifications = await client.get("/notifications")
    assert "filed a report" in notifications.text
    assert f'href="/moderation/reports/{report_id}"' in notifications.text

    listed = await client.get("/moderation/reports")
    assert re.findall(r'data-report-id="(\d+)"', listed.text) == [report_id]
    assert "Report on @bob" in listed.text and "1 post" in listed.text
    page = await client.get(f"/moderation/reports/{report_id}")
    assert "selling fakes" in page.text
    assert "psst, followers: cheap watches" in page.text  # the moderator sees the post
    assert "Followers only" in page.text
    assert "Assign to me" in page.text

    async def handle(verb: str) -> httpx.Response:
        response = await client.post(
            f"/moderation/reports/{report_id}/{verb}", data={"csrf_token": token}
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"/moderation/reports/{report_id}?done={verb}"
        return await client.get(response.headers["location"])

    assigned = await handle("assign_to_self")
    assert re.search(r'<dd id="assigned">@mod</dd>', assigned.text)
    assert "The report is assigned to you." in assigned.text
    assert ">Unassign<" in assigned.text
    resolved = await handle("resolve")
    assert re.search(r'<dd id="resolved-by">by @mod', resolved.text)
    assert report_id not in (await client.get("/moderation/reports")).text
    assert report_id in (await client.get("/moderation/reports?resolved=1")).text
    reopened = await handle("reopen")
    assert ">Resolve, no action<" in reopened.text
    await handle("unassign")
    assert [action for action, _ in await log(runtime)] == [
        "assigned_to_self",
        "resolve",
        "reopen",
        "unassigned",
    ]
    missing = await client.post("/moderation/reports/424242/resolve", data={"csrf_token": token})
    assert missing.status_code == 404
    unknown = await client.post(
        f"/moderation/reports/{report_id}/delete", data={"csrf_token": token}
    )
    assert unknown.status_code == 404


async def test_an_account_is_acted_on_and_restored(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, carol = (
        await factory.user("alice"),
        await factory.user("bob"),
        await factory.user("carol"),
    )
    first = await file(client, alice, bob)
    second = await file(client, carol, bob)
    await factory.user("mod", role="moderator")
    token = await signed_in(client, "mod")

    # From the report: "Act on @bob" carries the report along.
    page = await client.get(f"/moderation/accounts/{bob.id}?report_id={first}")
    assert f'name="report_id" value="{first}"' in page.text
    acted = await client.post(
        f"/moderation/accounts/{bob.id}/action",
        data={"csrf_token": token, "type": "silence", "text": "spam wave", "report_id": first},
    )
    assert acted.status_code == 303
    assert acted.headers["location"] == f"/moderation/accounts/{bob.id}?done=silence"
    shown = await client.get(acted.headers["location"])
    assert "The account is limited." in shown.text and "Lift the limit" in shown.text
    limited = await account(runtime, bob.account.id)
    assert limited is not None and limited.silenced_at is not None
    async with runtime.db.read() as session:
        states = (await session.scalars(select(Report.action_taken).order_by(Report.id))).all()
    assert states == [True, True]  # an action resolves every open report on the account

    reversed_ = await client.post(
        f"/moderation/accounts/{bob.id}/reverse", data={"csrf_token": token, "undo": "unsilence"}
    )
    assert reversed_.headers["location"] == f"/moderation/accounts/{bob.id}?done=unsilence"
    restored = await account(runtime, bob.account.id)
    assert restored is not None and restored.silenced_at is None

    for bad in ({"type": "obliterate"}, {"type": "none", "text": "x" * 5001}):
        refused = await client.post(
            f"/moderation/accounts/{bob.id}/action", data={"csrf_token": token, **bad}
        )
        assert refused.status_code == 422
    for undo in ("", "unban"):
        refused = await client.post(
            f"/moderation/accounts/{bob.id}/reverse", data={"csrf_token": token, "undo": undo}
        )
        assert refused.status_code == 422
    assert await log(runtime) == [
        ("silence", "@mod limited @bob: spam wave"),
        ("resolve", f"@mod resolved report {first} on @bob"),
        ("resolve", f"@mod resolved report {second} on @bob"),
        ("unsilence", "@mod lifted the limit on @bob"),
    ]
    history = await client.get(f"/moderation/accounts/{bob.id}")
    assert "@mod lifted the limit on @bob" in history.text


@pytest.mark.parametrize("target_role", ["moderator", "admin", "owner"])
async def test_a_moderator_acts_only_below_their_rank(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime, target_role: str
) -> None:
    other = await factory.user("other", role=target_role)
    mod = await factory.user("mod", role="moderator")
    token = await signed_in(client, "mod")
    for target in (other, mod):  # nor on themselves
        page = await client.get(f"/moderation/accounts/{target.id}")
        assert page.status_code == 200 and "Your role cannot act on this account." in page.text
        assert 'id="action-form"' not in page.text
        refused = await client.post(
            f"/moderation/accounts/{target.id}/action",
            data={"csrf_token": token, "type": "suspend"},
        )
        assert refused.status_code == 403
        untouched = await account(runtime, target.account.id)
        assert untouched is not None and untouched.suspended_at is None
    assert await log(runtime) == []


async def test_an_admin_acts_on_a_moderator(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    mod = await factory.user("mod", role="moderator")
    await factory.user("boss", role="admin")
    token = await signed_in(client, "boss")
    acted = await client.post(
        f"/moderation/accounts/{mod.id}/action", data={"csrf_token": token, "type": "disable"}
    )
    assert acted.status_code == 303
    frozen = await account(runtime, mod.account.id)
    assert frozen is not None and frozen.disabled_at is not None


async def test_each_screen_asks_for_its_permission(
    client: httpx.AsyncClient, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A staff role with only some permissions (as custom roles on Mastodon): the home
    opens, and only the parts the role grants."""
    ids = await a_case(client, factory)
    auditor = Role("moderator", "1", "Moderator", Permission.VIEW_AUDIT_LOG, 1)
    monkeypatch.setitem(roles.ROLES, "moderator", auditor)
    await factory.user("mod", role="moderator")
    token = await signed_in(client, "mod")
    home = await client.get("/moderation")
    assert home.status_code == 200
    assert 'id="pending"' not in home.text and "open report" not in home.text
    assert 'href="/moderation/audit"' in home.text
    assert 'href="/moderation/reports"' not in home.text
    assert (await client.get("/moderation/audit")).status_code == 200
    for path in SCREENS[1:5]:
        assert (await client.get(path.format(**ids))).status_code == 403, path
    for path, data in FORMS:
        response = await client.post(path.format(**ids), data={"csrf_token": token, **data})
        assert response.status_code == 403, path
