"""Email-domain and IP blocks: the CRUD of the admin API, and their effect on sign-ups
through the API and the web page."""

from __future__ import annotations

import html

import httpx
import pytest
from sqlalchemy import select, update

from roost.accounts.models import Account
from roost.admin.models import AdminActionLog, IpBlock
from roost.core.db import utcnow
from roost.runtime import Runtime
from tests.admin.conftest import Cast, SignUp, web_sign_up
from tests.oauth.support import count
from tests.web.test_forms import form_error

EMAIL = "/api/v1/admin/email_domain_blocks"
IP = "/api/v1/admin/ip_blocks"


async def summaries(runtime: Runtime) -> list[str]:
    async with runtime.db.read() as session:
        rows = await session.scalars(select(AdminActionLog.summary).order_by(AdminActionLog.id))
        return list(rows.all())


async def test_email_domain_blocks_crud(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast
) -> None:
    made = await client.post(EMAIL, data={"domain": " Spam.Example "}, headers=cast.admin.headers)
    assert made.status_code == 200
    block = made.json()
    assert set(block) == {"id", "domain", "created_at", "history"}
    assert block["domain"] == "spam.example"
    assert len(block["history"]) == 7
    assert set(block["history"][0]) == {"day", "accounts", "uses"}
    days = [int(day["day"]) for day in block["history"]]
    assert days == sorted(days, reverse=True) and days[0] % 86400 == 0
    assert (await client.get(f"{EMAIL}/{block['id']}", headers=cast.admin.headers)).json() == block
    other = (
        await client.post(EMAIL, json={"domain": "junk.example"}, headers=cast.admin.headers)
    ).json()
    listed = await client.get(EMAIL, headers=cast.admin.headers)
    assert [b["domain"] for b in listed.json()] == ["junk.example", "spam.example"]
    paged = await client.get(f"{EMAIL}?limit=1", headers=cast.admin.headers)
    assert [b["domain"] for b in paged.json()] == ["junk.example"]
    assert f"max_id={other['id']}" in paged.headers["link"]
    removed = await client.delete(f"{EMAIL}/{block['id']}", headers=cast.admin.headers)
    assert removed.status_code == 200 and removed.json() == {}
    assert (
        await client.get(f"{EMAIL}/{block['id']}", headers=cast.admin.headers)
    ).status_code == 404
    assert (
        await client.delete(f"{EMAIL}/{block['id']}", headers=cast.admin.headers)
    ).status_code == 404
    assert await summaries(runtime) == [
        "@ada blocked sign-ups with email addresses at spam.example",
        "@ada blocked sign-ups with email addresses at junk.example",
        "@ada lifted the sign-up block on email addresses at spam.example",
    ]


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({}, "Domain can't be blank"),
        ({"domain": "   "}, "Domain can't be blank"),
        ({"domain": "not a domain"}, "not a valid domain"),
        ({"domain": "spam.example"}, "already been taken"),
    ],
)
async def test_bad_email_domain_blocks_are_refused(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, form: dict[str, str], error: str
) -> None:
    await client.post(EMAIL, data={"domain": "spam.example"}, headers=cast.admin.headers)
    response = await client.post(EMAIL, data=form, headers=cast.admin.headers)
    assert response.status_code == 422
    assert error in response.json()["error"]
    assert await count(runtime, AdminActionLog) == 1


async def test_a_blocked_email_domain_cannot_sign_up(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, sign_up: SignUp
) -> None:
    await client.post(EMAIL, data={"domain": "spam.example"}, headers=cast.admin.headers)
    for email in ("eve@spam.example", "eve@Mail.SPAM.example"):
        refused = await sign_up("eve", email=email)
        assert refused.status_code == 422
        assert refused.json()["details"]["email"] == [
            {"error": "ERR_BLOCKED", "description": "uses a disallowed e-mail provider"}
        ]
    # An address far too long to be one is refused as invalid, not looked up label by label.
    huge = await sign_up("eve", email="eve@" + "a." * 40_000 + "spam.example")
    assert huge.status_code == 422
    assert huge.json()["details"]["email"][0]["error"] == "ERR_INVALID"
    # A domain that merely ends the same way is not under it.
    assert (await sign_up("eve", email="eve@notspam.example")).status_code == 200
    # The web page says it in words.
    page = await web_sign_up(client, "evie", "evie@spam.example")
    assert page.status_code == 422
    assert "Email uses a disallowed e-mail provider." in form_error(page.text)
    async with runtime.db.read() as session:
        names = set((await session.scalars(select(Account.username))).all())
    assert "evie" not in names and "eve" in names
    history = (await client.get(EMAIL, headers=cast.admin.headers)).json()[0]["history"]
    assert history[0] == {"day": history[0]["day"], "accounts": "0", "uses": "0"}


async def test_history_counts_the_accounts_on_a_domain(
    client: httpx.AsyncClient, cast: Cast, sign_up: SignUp
) -> None:
    await sign_up("one", email="one@later.example")
    await sign_up("two", email="two@mx.later.example")
    made = await client.post(EMAIL, data={"domain": "later.example"}, headers=cast.admin.headers)
    today = made.json()["history"][0]
    assert (today["accounts"], today["uses"]) == ("2", "1")  # both from 127.0.0.1
    assert all(day["accounts"] == "0" for day in made.json()["history"][1:])


async def test_ip_blocks_crud(client: httpx.AsyncClient, runtime: Runtime, cast: Cast) -> None:
    made = await client.post(
        IP,
        data={
            "ip": "192.0.2.77/24",
            "severity": "sign_up_block",
            "comment": "a spam farm",
            "expires_in": "3600",
        },
        headers=cast.admin.headers,
    )
    assert made.status_code == 200
    block = made.json()
    assert set(block) == {"id", "ip", "severity", "comment", "created_at", "expires_at"}
    assert (block["ip"], block["severity"], block["comment"]) == (
        "192.0.2.0/24",
        "sign_up_block",
        "a spam farm",
    )
    assert block["expires_at"] > block["created_at"]
    assert (await client.get(f"{IP}/{block['id']}", headers=cast.admin.headers)).json() == block
    changed = await client.put(
        f"{IP}/{block['id']}",
        data={"severity": "no_access", "ip": "2001:db8::/32"},
        headers=cast.admin.headers,
    )
    assert changed.status_code == 200
    assert (changed.json()["ip"], changed.json()["severity"]) == ("2001:db8::/32", "no_access")
    assert changed.json()["comment"] == "a spam farm"  # what was not sent stays
    single = (
        await client.post(
            IP,
            json={"ip": "198.51.100.9", "severity": "sign_up_requires_approval"},
            headers=cast.admin.headers,
        )
    ).json()
    assert single["ip"] == "198.51.100.9/32" and single["expires_at"] is None
    default = (
        await client.post(IP, data={"severity": "sign_up_block"}, headers=cast.admin.headers)
    ).json()
    assert default["ip"] == "0.0.0.0/32"
    listed = await client.get(IP, headers=cast.admin.headers)
    assert [b["id"] for b in listed.json()] == [default["id"], single["id"], block["id"]]
    assert (await client.delete(f"{IP}/{single['id']}", headers=cast.admin.headers)).json() == {}
    assert (await client.get(f"{IP}/{single['id']}", headers=cast.admin.headers)).status_code == 404
    assert await summaries(runtime) == [
        "@ada added the IP rule 192.0.2.0/24: sign_up_block",
        "@ada changed the IP rule 2001:db8::/32: no_access",
        "@ada added the IP rule 198.51.100.9/32: sign_up_requires_approval",
        "@ada added the IP rule 0.0.0.0/32: sign_up_block",
        "@ada removed the IP rule 198.51.100.9/32",
    ]


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"ip": "192.0.2.1"}, 422, "Severity can't be blank"),
        ({"ip": "192.0.2.1", "severity": "everything"}, 422, "Severity must be one of"),
        ({"ip": "192.0.2.300", "severity": "no_access"}, 422, "Ip is invalid"),
        ({"ip": "192.0.2.5/24", "severity": "no_access"}, 422, "already been taken"),
        ({"ip": "192.0.2.1", "severity": "no_access", "expires_in": "0"}, 422, "expires_in"),
        ({"ip": "192.0.2.1", "severity": "no_access", "expires_in": "9" * 30}, 422, "expires_in"),
        (
            {"ip": "192.0.2.1", "severity": "no_access", "comment": "x" * 1001},
            422,
            "Comment is too long",
        ),
    ],
)
async def test_bad_ip_blocks_are_refused(
    client: httpx.AsyncClient,
    runtime: Runtime,
    cast: Cast,
    form: dict[str, str],
    status: int,
    error: str,
) -> None:
    await client.post(
        IP, data={"ip": "192.0.2.0/24", "severity": "sign_up_block"}, headers=cast.admin.headers
    )
    response = await client.post(IP, data=form, headers=cast.admin.headers)
    assert response.status_code == status
    assert error in response.json()["error"]
    assert await count(runtime, IpBlock) == 1


async def test_an_update_cannot_take_another_blocks_network(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    first = (
        await client.post(
            IP, data={"ip": "192.0.2.0/24", "severity": "sign_up_block"}, headers=cast.admin.headers
        )
    ).json()
    second = (
        await client.post(
            IP,
            data={"ip": "198.51.100.0/24", "severity": "sign_up_block"},
            headers=cast.admin.headers,
        )
    ).json()
    taken = await client.put(
        f"{IP}/{second['id']}", data={"ip": "192.0.2.9/24"}, headers=cast.admin.headers
    )
    assert taken.status_code == 422
    unknown = await client.put(
        f"{IP}/424242", data={"severity": "no_access"}, headers=cast.admin.headers
    )
    assert unknown.status_code == 404
    same = await client.put(
        f"{IP}/{first['id']}", data={"ip": "192.0.2.1/24"}, headers=cast.admin.headers
    )
    assert same.status_code == 200  # its own network is no conflict


@pytest.mark.parametrize("severity", ["sign_up_block", "no_access"])
async def test_a_blocked_network_cannot_sign_up(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, sign_up: SignUp, severity: str
) -> None:
    await client.post(
        IP, data={"ip": "127.0.0.0/8", "severity": severity}, headers=cast.admin.headers
    )
    refused = await sign_up("eve")
    assert refused.status_code == 422
    assert refused.json() == {"error": "Sign-ups from your network are not allowed on this server"}
    page = await web_sign_up(client, "evie", "evie@example.com")
    assert page.status_code == 422
    assert form_error(page.text) == "Sign-ups from your network are not allowed on this server"
    assert await count(runtime, Account) == 4  # the cast only


async def test_a_network_that_needs_approval_makes_the_account_wait(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, sign_up: SignUp
) -> None:
    mapped = await client.post(
        IP,
        data={"ip": "::ffff:127.0.0.1", "severity": "sign_up_requires_approval"},
        headers=cast.admin.headers,
    )
    assert mapped.json()["ip"] == "127.0.0.1/32"  # the IPv4 address it maps
    await client.post(
        IP, data={"ip": "10.0.0.0/8", "severity": "sign_up_block"}, headers=cast.admin.headers
    )
    assert (await sign_up("walt")).status_code == 200
    pending = await client.get("/api/v2/admin/accounts?status=pending", headers=cast.admin.headers)
    assert [a["username"] for a in pending.json()] == ["walt"]
    page = await web_sign_up(client, "wendy", "wendy@example.com")
    assert page.status_code == 200 and "waiting for a moderator" in html.unescape(page.text)


async def test_an_expired_block_says_nothing(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, sign_up: SignUp
) -> None:
    made = await client.post(
        IP,
        data={"ip": "127.0.0.1", "severity": "sign_up_block", "expires_in": "60"},
        headers=cast.admin.headers,
    )
    async with runtime.db.write() as session:
        await session.execute(update(IpBlock).values(expires_at=utcnow()))
        await session.commit()
    assert (await sign_up("late")).status_code == 200
    assert (await client.get(IP, headers=cast.admin.headers)).json() == []
    assert (
        await client.get(f"{IP}/{made.json()['id']}", headers=cast.admin.headers)
    ).status_code == 404
    again = await client.post(
        IP, data={"ip": "127.0.0.1", "severity": "sign_up_block"}, headers=cast.admin.headers
    )
    assert again.status_code == 200  # the expired block made way
