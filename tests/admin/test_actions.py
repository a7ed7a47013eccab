"""What a moderator does to an account through the admin API: approve and reject a
sign-up, the actions and their reversals, each written to the audit log with it."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from roost.accounts.models import Account
from roost.admin.audit import list_actions
from roost.admin.models import AdminActionLog
from roost.core.paging import Window
from roost.reports.models import Report
from roost.runtime import Runtime
from tests.admin.conftest import Cast, SignUp
from tests.factories import Factory
from tests.oauth.support import App, count, password_token


async def logged(runtime: Runtime) -> list[tuple[str, str, str]]:
    """(action, target type, summary) of every audit-log row, oldest first."""
    async with runtime.db.read() as session:
        page = await list_actions(session=session, page=Window(limit=100))
    return [(a.action, a.target_type, a.summary) for a in reversed(page.items)]


async def state(runtime: Runtime, account_id: str) -> Account | None:
    async with runtime.db.read() as session:
        return await session.get(Account, int(account_id))


@pytest.mark.parametrize("settings", [{"registrations": "approval"}], indirect=True)
async def test_approving_a_sign_up_lets_the_person_in(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, sign_up: SignUp, app: App
) -> None:
    await sign_up("carol")
    assert (
        await password_token(client, app, "carol@example.com", "a long enough password")
    ).status_code == 403
    [carol] = (
        await client.get("/api/v2/admin/accounts?status=pending", headers=cast.moderator.headers)
    ).json()
    approved = await client.post(
        f"/api/v1/admin/accounts/{carol['id']}/approve", headers=cast.moderator.headers
    )
    assert approved.status_code == 200
    assert approved.json()["approved"] is True and approved.json()["id"] == carol["id"]
    signed_in = await password_token(client, app, "carol@example.com", "a long enough password")
    assert signed_in.status_code == 200
    assert (await client.get(f"/api/v1/accounts/{carol['id']}")).status_code == 200
    assert await logged(runtime) == [("approve", "Account", "@mo approved @carol")]
    # Approving twice, or rejecting an approved account: 403, and nothing more is logged.
    for verb in ("approve", "reject"):
        again = await client.post(
            f"/api/v1/admin/accounts/{carol['id']}/{verb}", headers=cast.moderator.headers
        )
        assert again.status_code == 403
        assert "not waiting for approval" in again.json()["error"]
    assert len(await logged(runtime)) == 1


@pytest.mark.parametrize("settings", [{"registrations": "approval"}], indirect=True)
async def test_rejecting_a_sign_up_deletes_it(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, sign_up: SignUp
) -> None:
    await sign_up("spammer")
    [pending] = (
        await client.get("/api/v2/admin/accounts?status=pending", headers=cast.admin.headers)
    ).json()
    rejected = await client.post(
        f"/api/v1/admin/accounts/{pending['id']}/reject", headers=cast.admin.headers
    )
    assert rejected.status_code == 200
    assert rejected.json()["username"] == "spammer" and rejected.json()["approved"] is False
    assert await state(runtime, pending["id"]) is None
    assert (
        await client.get(f"/api/v1/admin/accounts/{pending['id']}", headers=cast.admin.headers)
    ).status_code == 404
    assert await logged(runtime) == [("reject", "Account", "@ada rejected @spammer")]
    # The name is free again.
    assert (await sign_up("spammer")).status_code == 200


@pytest.mark.parametrize(
    ("kind", "column", "summary"),
    [
        ("sensitive", "sensitized_at", "@mo marked as sensitive @bob"),
        ("disable", "disabled_at", "@mo disabled the login of @bob"),
        ("silence", "silenced_at", "@mo limited @bob"),
        ("suspend", "suspended_at", "@mo suspended @bob"),
    ],
)
async def test_each_action_sets_its_state_and_is_logged(
    client: httpx.AsyncClient,
    runtime: Runtime,
    cast: Cast,
    factory: Factory,
    kind: str,
    column: str,
    summary: str,
) -> None:
    bob = await factory.user("bob")
    response = await client.post(
        f"/api/v1/admin/accounts/{bob.id}/action",
        data={"type": kind, "text": "Spam, again", "send_email_notification": "true"},
        headers=cast.moderator.headers,
    )
    assert response.status_code == 200 and response.json() == {}
    account = await state(runtime, bob.id)
    assert account is not None and getattr(account, column) is not None
    shown = (
        await client.get(f"/api/v1/admin/accounts/{bob.id}", headers=cast.moderator.headers)
    ).json()
    assert shown[column.replace("_at", "")] is True
    async with runtime.db.read() as session:
        row = await session.scalar(select(AdminActionLog))
    assert row is not None
    assert (row.action, row.summary, row.text) == (kind, summary, "Spam, again")
    assert (row.account_id, row.target_id) == (cast.moderator.account.id, bob.account.id)


@pytest.mark.parametrize(
    ("kind", "undo", "column"),
    [
        ("sensitive", "unsensitive", "sensitized"),
        ("disable", "enable", "disabled"),
        ("silence", "unsilence", "silenced"),
        ("suspend", "unsuspend", "suspended"),
    ],
)
async def test_each_reversal_lifts_its_state(
    client: httpx.AsyncClient,
    runtime: Runtime,
    cast: Cast,
    factory: Factory,
    kind: str,
    undo: str,
    column: str,
) -> None:
    bob = await factory.user("bob")
    url = f"/api/v1/admin/accounts/{bob.id}"
    await client.post(f"{url}/action", data={"type": kind}, headers=cast.admin.headers)
    lifted = await client.post(f"{url}/{undo}", headers=cast.admin.headers)
    assert lifted.status_code == 200
    assert lifted.json()[column] is False and lifted.json()["id"] == bob.id
    assert [action for action, _, _ in await logged(runtime)] == [kind, undo]
    # Again: nothing to lift. Mastodon answers the account (unsuspend: 403); no new log.
    again = await client.post(f"{url}/{undo}", headers=cast.admin.headers)
    assert again.status_code == (403 if undo == "unsuspend" else 200)
    assert len(await logged(runtime)) == 2


async def test_a_warning_is_logged_and_an_action_resolves_open_reports(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, factory: Factory
) -> None:
    bob, rita = await factory.user("bob"), await factory.user("rita")
    reports = []
    for comment in ("spam", "more spam"):
        filed = await client.post(
            "/api/v1/reports", data={"account_id": bob.id, "comment": comment}, headers=rita.headers
        )
        reports.append(filed.json()["id"])
    url = f"/api/v1/admin/accounts/{bob.id}/action"
    warned = await client.post(
        url,
        data={"type": "none", "report_id": reports[0], "text": "Please stop"},
        headers=cast.moderator.headers,
    )
    assert warned.status_code == 200
    async with runtime.db.read() as session:
        taken = dict((await session.execute(select(Report.id, Report.action_taken))).all())
    assert taken == {int(reports[0]): True, int(reports[1]): False}
    await client.post(url, data={"type": "silence"}, headers=cast.moderator.headers)
    async with runtime.db.read() as session:
        assert all((await session.scalars(select(Report.action_taken))).all())
    assert await logged(runtime) == [
        ("warn", "Account", "@mo warned @bob"),
        ("resolve", "Report", f"@mo resolved report {reports[0]} on @bob"),
        ("silence", "Account", "@mo limited @bob"),
        ("resolve", "Report", f"@mo resolved report {reports[1]} on @bob"),
    ]


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({}, 422, "type must be one of"),
        ({"type": "banish"}, 422, "type must be one of"),
        ({"type": "silence", "report_id": "424242"}, 404, "Record not found"),
        ({"type": "silence", "report_id": "nope"}, 422, "report_id"),
        ({"type": "silence", "warning_preset_id": "1"}, 404, "Record not found"),
        ({"type": "none", "text": "x" * 5001}, 422, "text is too long"),
        ({"type": "silence", "send_email_notification": "maybe"}, 422, "send_email_notification"),
    ],
)
async def test_bad_actions_are_refused_and_change_nothing(
    client: httpx.AsyncClient,
    runtime: Runtime,
    cast: Cast,
    factory: Factory,
    form: dict[str, str],
    status: int,
    error: str,
) -> None:
    bob = await factory.user("bob")
    response = await client.post(
        f"/api/v1/admin/accounts/{bob.id}/action", data=form, headers=cast.admin.headers
    )
    assert response.status_code == status
    assert error in response.json()["error"]
    account = await state(runtime, bob.id)
    assert account is not None and account.silenced_at is None
    assert await count(runtime, AdminActionLog) == 0


async def test_a_report_about_someone_else_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, factory: Factory
) -> None:
    bob, carl, rita = (
        await factory.user("bob"),
        await factory.user("carl"),
        await factory.user("rita"),
    )
    filed = await client.post("/api/v1/reports", data={"account_id": carl.id}, headers=rita.headers)
    response = await client.post(
        f"/api/v1/admin/accounts/{bob.id}/action",
        data={"type": "suspend", "report_id": filed.json()["id"]},
        headers=cast.admin.headers,
    )
    assert response.status_code == 422
    account = await state(runtime, bob.id)
    assert account is not None and account.suspended_at is None  # rolled back with the refusal
    assert await count(runtime, AdminActionLog) == 0


async def test_deleting_data_answers_mastodons_refusals_then_deletes(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, factory: Factory
) -> None:
    bob = await factory.user("bob")
    url = f"/api/v1/admin/accounts/{bob.id}"
    assert (
        await client.delete("/api/v1/admin/accounts/424242", headers=cast.admin.headers)
    ).status_code == 404
    not_suspended = await client.delete(url, headers=cast.admin.headers)
    assert not_suspended.status_code == 403
    assert "suspended" in not_suspended.json()["error"]
    # A moderator's role may not delete user data at all.
    assert (await client.delete(url, headers=cast.moderator.headers)).status_code == 403
    await client.post(f"{url}/action", data={"type": "suspend"}, headers=cast.admin.headers)
    allowed = await client.delete(url, headers=cast.admin.headers)
    assert allowed.status_code == 200
    await runtime.jobs.drain()
    gone = await state(runtime, bob.id)  # the row stays, a tombstone keeping the name
    assert gone is not None and gone.deleted_at is not None and gone.display_name == ""
    assert (await client.get(f"/api/v1/accounts/{bob.id}")).status_code == 404
    assert [action for action, _, _ in await logged(runtime)] == ["suspend", "delete"]
    assert (await client.delete(url, headers=cast.admin.headers)).status_code == 404


async def test_the_audit_log_pages_and_filters(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, factory: Factory
) -> None:
    bob, carl = await factory.user("bob"), await factory.user("carl")
    for who, target, kind in (
        (cast.admin, bob, "silence"),
        (cast.moderator, carl, "sensitive"),
        (cast.admin, carl, "suspend"),
    ):
        await client.post(
            f"/api/v1/admin/accounts/{target.id}/action", data={"type": kind}, headers=who.headers
        )
    async with runtime.db.read() as session:
        first = await list_actions(session=session, page=Window(limit=2))
        rest = await list_actions(session=session, page=Window(max_id=first.next_max, limit=2))
        by_ada = await list_actions(session=session, page=Window(), actor_id=cast.admin.account.id)
        on_carl = await list_actions(
            session=session, page=Window(), target_type="Account", target_id=carl.account.id
        )
    assert [a.action for a in first.items + rest.items] == ["suspend", "sensitive", "silence"]
    assert [a.action for a in by_ada.items] == ["suspend", "silence"]
    assert [a.summary for a in on_carl.items] == [
        "@ada suspended @carl",
        "@mo marked as sensitive @carl",
    ]
    entry = first.items[0].render()
    assert entry["username"] == "ada" and entry["target_id"] == carl.id
    assert entry["created_at"].endswith("Z")
