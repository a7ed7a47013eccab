"""Who may use the admin API: the admin scopes, then the role's permissions and rank.
Every admin route is found in the OpenAPI document, so a route added later is checked
too."""

from __future__ import annotations

import re

import httpx
import pytest

from roost.admin.models import AdminActionLog
from roost.runtime import Runtime
from tests.admin.conftest import Cast
from tests.factories import Factory, User
from tests.oauth.support import count


async def admin_routes(client: httpx.AsyncClient) -> list[tuple[str, str]]:
    document = (await client.get("/openapi.json")).json()
    return [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        if re.match(r"^/api/v\d+/admin/", path)
        for method in operations
    ]


async def call(
    client: httpx.AsyncClient, method: str, path: str, target: str, headers: dict[str, str]
) -> httpx.Response:
    url = re.sub(r"\{[^}]+\}", target, path)
    return await client.request(method, url, headers=headers)


async def test_every_admin_route_refuses_people_without_a_staff_role(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, factory: Factory
) -> None:
    bob = await factory.user("bob")
    routes = await admin_routes(client)
    assert len(routes) >= 20
    for method, path in routes:
        # A plain user, even with every admin scope: 403.
        refused = await call(client, method, path, bob.id, cast.user.headers)
        assert refused.status_code == 403, (method, path, refused.text)
        assert refused.json() == {"error": "This action is not allowed"}
        # The owner without an admin scope: 403 too (read and write never cover admin).
        plain_owner = {"Authorization": f"Bearer {await factory.token(cast.owner, 'read write')}"}
        outside = await call(client, method, path, bob.id, plain_owner)
        assert outside.status_code == 403, (method, path)
        assert "outside the authorized scopes" in outside.json()["error"]
        # Nobody at all: 401.
        assert (await call(client, method, path, bob.id, {})).status_code == 401
    assert await count(runtime, AdminActionLog) == 0


async def test_read_scopes_do_not_write_and_each_subject_needs_its_own(
    client: httpx.AsyncClient, cast: Cast, factory: Factory
) -> None:
    bob = await factory.user("bob")

    async def token(scopes: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await factory.token(cast.owner, scopes)}"}

    reader = await token("admin:read")
    assert (await client.get(f"/api/v1/admin/accounts/{bob.id}", headers=reader)).status_code == 200
    assert (await client.get("/api/v1/admin/ip_blocks", headers=reader)).status_code == 200
    silence = await client.post(
        f"/api/v1/admin/accounts/{bob.id}/action", data={"type": "silence"}, headers=reader
    )
    assert silence.status_code == 403
    accounts_only = await token("admin:read:accounts admin:write:accounts")
    assert (await client.get("/api/v2/admin/accounts", headers=accounts_only)).status_code == 200
    assert (
        await client.get("/api/v1/admin/email_domain_blocks", headers=accounts_only)
    ).status_code == 403
    blocks = await client.post(
        "/api/v1/admin/ip_blocks",
        data={"ip": "192.0.2.1", "severity": "no_access"},
        headers=accounts_only,
    )
    assert blocks.status_code == 403
    writer = await token("admin:write:accounts")
    assert (
        await client.post(
            f"/api/v1/admin/accounts/{bob.id}/action", data={"type": "silence"}, headers=writer
        )
    ).status_code == 200
    assert (await client.get(f"/api/v1/admin/accounts/{bob.id}", headers=writer)).status_code == 403


async def test_a_moderator_cannot_manage_blocks(client: httpx.AsyncClient, cast: Cast) -> None:
    made = await client.post(
        "/api/v1/admin/email_domain_blocks",
        data={"domain": "spam.example"},
        headers=cast.admin.headers,
    )
    block_id = made.json()["id"]
    for method, url in (
        ("GET", "/api/v1/admin/email_domain_blocks"),
        ("GET", f"/api/v1/admin/email_domain_blocks/{block_id}"),
        ("POST", "/api/v1/admin/email_domain_blocks"),
        ("DELETE", f"/api/v1/admin/email_domain_blocks/{block_id}"),
        ("GET", "/api/v1/admin/ip_blocks"),
        ("POST", "/api/v1/admin/ip_blocks"),
    ):
        response = await client.request(method, url, headers=cast.moderator.headers)
        assert response.status_code == 403, (method, url)
    still = await client.get(
        f"/api/v1/admin/email_domain_blocks/{block_id}", headers=cast.admin.headers
    )
    assert still.status_code == 200


WRITES = [
    ("action", {"type": "suspend"}),
    ("action", {"type": "none"}),
    ("unsilence", {}),
    ("enable", {}),
]


@pytest.mark.parametrize(("verb", "form"), WRITES)
@pytest.mark.parametrize(
    ("actor", "target"),
    [
        ("moderator", "admin"),
        ("moderator", "owner"),
        ("admin", "owner"),
        ("owner", "owner"),  # oneself
        ("admin", "admin"),  # oneself
        ("moderator", "moderator"),  # oneself
    ],
)
async def test_nobody_acts_on_an_equal_or_higher_role_or_on_themselves(
    client: httpx.AsyncClient,
    runtime: Runtime,
    cast: Cast,
    actor: str,
    target: str,
    verb: str,
    form: dict[str, str],
) -> None:
    who: User = getattr(cast, actor)
    whom: User = getattr(cast, target)
    response = await client.post(
        f"/api/v1/admin/accounts/{whom.id}/{verb}", data=form, headers=who.headers
    )
    assert response.status_code == 403
    shown = await client.get(f"/api/v1/admin/accounts/{whom.id}", headers=cast.owner.headers)
    assert shown.json()["suspended"] is False
    assert await count(runtime, AdminActionLog) == 0


async def test_a_moderator_cannot_act_on_another_moderator(
    client: httpx.AsyncClient, cast: Cast, factory: Factory
) -> None:
    other = await factory.user("mona", role="moderator")
    refused = await client.post(
        f"/api/v1/admin/accounts/{other.id}/action",
        data={"type": "silence"},
        headers=cast.moderator.headers,
    )
    assert refused.status_code == 403
    assert "role is not below yours" in refused.json()["error"]
    allowed = await client.post(
        f"/api/v1/admin/accounts/{other.id}/action",
        data={"type": "silence"},
        headers=cast.admin.headers,
    )
    assert allowed.status_code == 200


async def test_the_higher_role_acts_where_the_lower_cannot(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    url = f"/api/v1/admin/accounts/{cast.admin.id}"
    assert (
        await client.post(f"{url}/action", data={"type": "suspend"}, headers=cast.moderator.headers)
    ).status_code == 403
    assert (
        await client.post(f"{url}/action", data={"type": "suspend"}, headers=cast.owner.headers)
    ).status_code == 200
    # Lifting it is the owner's too: a moderator cannot undo an action on an admin.
    assert (
        await client.post(f"{url}/unsuspend", headers=cast.moderator.headers)
    ).status_code == 403
    lifted = await client.post(f"{url}/unsuspend", headers=cast.owner.headers)
    assert lifted.status_code == 200 and lifted.json()["suspended"] is False
    # Reading any account is fine for every staff role.
    assert (
        await client.get(f"/api/v1/admin/accounts/{cast.owner.id}", headers=cast.moderator.headers)
    ).status_code == 200
