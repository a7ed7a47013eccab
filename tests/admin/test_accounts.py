"""The admin API's account lists and detail: the Admin::Account entity to the field,
every v1 and v2 filter, and paging by the Link header."""

from __future__ import annotations

import re

import httpx
import pytest

from roost.core.db import utcnow
from tests.admin.conftest import Cast, SignUp
from tests.factories import Factory


def usernames(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [entry["username"] for entry in response.json()]


@pytest.mark.parametrize("settings", [{"registrations": "approval"}], indirect=True)
async def test_the_admin_account_entity(
    client: httpx.AsyncClient, cast: Cast, sign_up: SignUp
) -> None:
    signed = await sign_up("carol", locale="pt-BR", reason="I run the book club")
    assert signed.status_code == 200
    listed = await client.get(
        "/api/v2/admin/accounts?status=pending", headers=cast.moderator.headers
    )
    [carol] = listed.json()
    shown = await client.get(
        f"/api/v1/admin/accounts/{carol['id']}", headers=cast.moderator.headers
    )
    assert shown.status_code == 200
    assert shown.json() == carol
    assert set(carol) == {
        "id", "username", "domain", "created_at", "email", "ip", "ips", "role", "confirmed",
        "suspended", "silenced", "sensitized", "disabled", "approved", "locale",
        "invite_request", "account",
    }  # fmt: skip
    assert carol["username"] == "carol" and carol["domain"] is None
    assert carol["email"] == "carol@example.com"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", carol["created_at"])
    # The in-process client comes from 127.0.0.1: the address the account signed up from.
    assert carol["ip"] == "127.0.0.1"
    assert carol["ips"] == [{"ip": "127.0.0.1", "used_at": carol["created_at"]}]
    assert carol["role"]["id"] == "-99" and carol["role"]["permissions"] == "0"
    assert (carol["approved"], carol["confirmed"]) == (False, True)
    assert not any(carol[state] for state in ("suspended", "silenced", "sensitized", "disabled"))
    assert (carol["locale"], carol["invite_request"]) == ("pt-BR", "I run the book club")
    assert carol["account"]["id"] == carol["id"] and carol["account"]["acct"] == "carol"
    owner = await client.get(f"/api/v1/admin/accounts/{cast.owner.id}", headers=cast.admin.headers)
    assert owner.json()["role"]["name"] == "Owner" and owner.json()["ip"] is None


async def test_an_unknown_account_is_not_found(client: httpx.AsyncClient, cast: Cast) -> None:
    for bad in ("424242", "not-an-id", "99999999999999999999"):
        response = await client.get(f"/api/v1/admin/accounts/{bad}", headers=cast.admin.headers)
        assert response.status_code == 404
        assert response.json() == {"error": "Record not found"}


EVERYONE = " ".join(
    [
        "olive ada mo uma pending_pat",
        "suspended_sam silenced_sid sensitive_sue disabled_dan Percy_Sledge",
    ]
)
UNSUSPENDED = EVERYONE.replace(" suspended_sam", "")


@pytest.fixture
async def crowd(factory: Factory, cast: Cast) -> None:
    """Accounts in every state, beside the cast (olive, ada, mo, uma)."""
    now = utcnow()
    await factory.user("pending_pat", approved=False, sign_up_ip="192.0.2.7")
    await factory.user("suspended_sam", suspended_at=now)
    await factory.user("silenced_sid", silenced_at=now, display_name="Sid Vicious")
    await factory.user("sensitive_sue", sensitized_at=now)
    await factory.user("disabled_dan", disabled_at=now, sign_up_ip="2001:db8::1")
    await factory.user("Percy_Sledge", display_name="percy")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", EVERYONE),
        ("status=active", UNSUSPENDED),
        ("status=pending", "pending_pat"),
        ("status=suspended", "suspended_sam"),
        ("status=silenced", "silenced_sid"),
        ("status=sensitized", "sensitive_sue"),
        ("status=disabled", "disabled_dan"),
        ("origin=local", EVERYONE),
        ("origin=remote", ""),
        ("permissions=staff", "olive ada mo"),
        ("role_ids[]=1&role_ids[]=3", "olive mo"),
        ("role_ids=2", "ada"),
        ("role_ids[]=-99&status=pending", "pending_pat"),
        ("role_ids[]=77", ""),
        ("permissions=staff&role_ids[]=-99", ""),
        ("username=PE", "pending_pat Percy_Sledge"),
        ("username=%25", ""),  # a wildcard is a character like any other
        ("display_name=sid", "silenced_sid"),
        ("display_name=PERCY", "Percy_Sledge"),
        ("email=SUSP", "suspended_sam"),
        ("email=uma@example.com", "uma"),
        ("ip=192.0.2.7", "pending_pat"),
        ("ip=2001:0db8:0:0:0:0:0:1", "disabled_dan"),
        ("ip=192.0.2.7/32", "pending_pat"),
        ("ip=not-an-address", ""),
        ("by_domain=example.com", ""),
        ("invited_by=1", ""),
        ("status=&username=", EVERYONE),
    ],
)  # fmt: skip
async def test_v2_filters(
    client: httpx.AsyncClient, cast: Cast, crowd: None, query: str, expected: str
) -> None:
    response = await client.get(f"/api/v2/admin/accounts?{query}", headers=cast.moderator.headers)
    assert usernames(response) == list(reversed(expected.split()))  # newest first


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("origin=mars", "Unknown origin: mars"),
        ("status=happy", "Unknown status: happy"),
        ("permissions=root", "Unknown permissions: root"),
        ("ip=192.0.2.0/24", "ranges are not supported"),
    ],
)
async def test_v2_refuses_what_it_does_not_know(
    client: httpx.AsyncClient, cast: Cast, query: str, message: str
) -> None:
    response = await client.get(f"/api/v2/admin/accounts?{query}", headers=cast.admin.headers)
    assert response.status_code == 400
    assert message in response.json()["error"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", UNSUSPENDED),
        ("local=true", UNSUSPENDED),
        ("remote=true", ""),
        ("pending=true", "pending_pat"),
        ("suspended=True", "suspended_sam"),
        ("silenced=1", "silenced_sid"),
        ("disabled=true", "disabled_dan"),
        ("sensitized=true", "sensitive_sue"),
        ("staff=true", "olive ada mo"),
        ("staff=true&username=a", "ada"),
        ("active=true&pending=true", "pending_pat"),  # the last status flag wins
        ("pending=false", UNSUSPENDED),
    ],
)  # fmt: skip
async def test_v1_filters(
    client: httpx.AsyncClient, cast: Cast, crowd: None, query: str, expected: str
) -> None:
    response = await client.get(f"/api/v1/admin/accounts?{query}", headers=cast.moderator.headers)
    assert usernames(response) == list(reversed(expected.split()))


async def test_pages_follow_the_link_header(
    client: httpx.AsyncClient, cast: Cast, factory: Factory
) -> None:
    for number in range(5):
        await factory.user(f"member{number}")
    seen: list[str] = []
    url: str | None = "/api/v2/admin/accounts?limit=3&username=member"
    first_link = ""
    while url:
        response = await client.get(url, headers=cast.admin.headers)
        page = usernames(response)
        seen += page
        link = response.headers.get("link", "")
        first_link = first_link or link
        found = re.search(r'<([^>]+)>; rel="next"', link)
        url = found.group(1).replace("http://localhost", "") if found and page else None
    assert seen == [f"member{n}" for n in reversed(range(5))]
    # The filters ride along in the links; rel="prev" pages newer accounts.
    assert "username=member" in first_link and "limit=3" in first_link
    assert 'rel="prev"' in first_link
    newest = (
        await client.get("/api/v2/admin/accounts?username=member", headers=cast.admin.headers)
    ).json()
    newer = await client.get(
        f"/api/v2/admin/accounts?username=member&min_id={newest[2]['id']}",
        headers=cast.admin.headers,
    )
    assert usernames(newer) == ["member4", "member3"]


async def test_a_limit_out_of_range_is_clamped_and_must_be_a_number(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    for limit, accepted in (("0", 200), ("1", 200), ("500", 200), ("many", 422)):
        response = await client.get(
            f"/api/v2/admin/accounts?limit={limit}", headers=cast.admin.headers
        )
        assert response.status_code == accepted
    assert (
        len(
            usernames(
                await client.get("/api/v2/admin/accounts?limit=1", headers=cast.admin.headers)
            )
        )
        == 1
    )
