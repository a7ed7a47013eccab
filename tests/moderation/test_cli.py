"""`roost admin` against the test's database (and Redis, when the run uses it), seen
through the API of an app running on the same data: what each action prints, what it
changed, and its refusals.

Most actions run through ``roost.cli.main`` in a thread (a process of its own costs
seconds per action); the suspension runs as an operator types it, in a process of its
own, so the real entry point, its job registration and its shutdown are covered too.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest

from roost import cli
from roost.admin.audit import list_actions
from roost.core import ids
from roost.core import settings as settings_module
from roost.core.paging import Window
from roost.core.settings import Settings
from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.moderation.scene import call
from tests.oauth.support import password_token, register_app
from tests.timelines.helpers import post
from tests.web.helpers import login

DEADLINE = 20.0


@dataclass
class Done:
    code: int
    out: str
    err: str


Admin = Callable[..., Awaitable[Done]]


@pytest.fixture
def environment(settings: Settings) -> dict[str, str]:
    """What an operator's shell would hold to reach this test's data."""
    return {
        "ROOST_DATA_DIR": str(settings.data_dir),
        "ROOST_DATABASE_URL": settings.database_url,
        "ROOST_REDIS_URL": settings.redis_url,
        "ROOST_REDIS_CLUSTER": str(settings.redis_cluster).lower(),
        "ROOST_REDIS_PREFIX": settings.redis_prefix,
        "ROOST_DOMAIN": settings.domain,
        "ROOST_SECRET_KEY": "test-secret",
    }


@pytest.fixture
def admin(
    environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> Admin:
    """``roost admin ARGS`` through ``cli.main`` in a thread; the process-wide things
    the command sets up (settings, the id generator) are put back afterwards."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    async def run(*args: str) -> Done:
        kept = (ids._generator, settings_module._current)
        settings_module._from_environment.cache_clear()
        capfd.readouterr()
        try:
            code = await asyncio.to_thread(_main, ["admin", *args])
        finally:
            ids._generator, settings_module._current = kept
        out, err = capfd.readouterr()
        return Done(code, out.strip(), err.strip())

    return run


def _main(argv: list[str]) -> int:
    try:
        return cli.main(argv)
    except SystemExit as exit:  # argparse refuses bad arguments this way
        return int(exit.code or 0)


async def as_operator(environment: dict[str, str], *args: str) -> Done:
    """``python -m roost.cli admin ARGS``, as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROOST_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "roost.cli",
        "admin",
        *args,
        env={**env, **environment},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return Done(process.returncode or 0, out.decode().strip(), err.decode().strip())


async def until(check: Callable[[], Awaitable[bool]]) -> None:
    """Poll ``check`` until it holds (a job the command queued may run in this
    process's queue consumer, with Redis)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while not await check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def shown(client: httpx.AsyncClient, who: User | None, path: str, status_id: str) -> bool:
    headers = who.headers if who is not None else {}
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return status_id in {s["id"] for s in response.json()}


async def operator_log(runtime: Runtime) -> list[tuple[str, str]]:
    """(action, summary) of the audit log, oldest first; every entry the command
    line's (no actor account)."""
    async with runtime.db.read() as session:
        page = await list_actions(session=session, page=Window(limit=100))
    assert {entry.actor_id for entry in page.items} <= {None}
    return [(entry.action, entry.summary) for entry in reversed(page.items)]


async def test_admin_accounts_roles_and_sign_ups(
    admin: Admin, client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    made = await admin("create", "admin", "--email", "Boss@Example.com", "--role", "admin")
    assert made.code == 0, made.err
    assert made.out.startswith("Created @admin (admin); password: ")
    password = made.out.rsplit(" ", 1)[1]
    app = await register_app(client)
    grant = await password_token(client, app, "boss@example.com", password)
    assert grant.status_code == 200, grant.text
    token = {"Authorization": f"Bearer {grant.json()['access_token']}"}
    me = await client.get("/api/v1/accounts/verify_credentials", headers=token)
    assert me.json()["role"]["name"] == "Admin"

    changed = await admin("role", "admin", "moderator")
    assert (changed.code, changed.out) == (0, "@admin is now moderator (was admin)")
    me = await client.get("/api/v1/accounts/verify_credentials", headers=token)
    assert me.json()["role"]["name"] == "Moderator"

    waiting = await factory.user("waiting", approved=False)
    unwanted = await factory.user("unwanted", approved=False)
    listed = await admin("pending")
    assert [line.split()[:2] for line in listed.out.splitlines()] == [
        ["@waiting", "waiting@example.com"],
        ["@unwanted", "unwanted@example.com"],
    ]
    assert (await admin("approve", "waiting")).out == "Approved @waiting"
    assert (await admin("reject", "unwanted")).out.startswith("Rejected")
    me = await client.get("/api/v1/accounts/verify_credentials", headers=waiting.headers)
    assert me.status_code == 200
    me = await client.get("/api/v1/accounts/verify_credentials", headers=unwanted.headers)
    assert me.status_code == 401  # gone with its account
    assert (await admin("pending")).out == "No sign-up is waiting for approval"

    # Each change is in the audit log, the command line's, and its screen shows it.
    assert await operator_log(runtime) == [
        ("create", "The command line created @admin (admin)"),
        ("change_role", "The command line made @admin moderator (was admin)"),
        ("approve", "The command line approved @waiting"),
        ("reject", "The command line rejected @unwanted"),
    ]
    assert (await login(client, "boss@example.com", password)).status_code == 303
    audit = await client.get("/moderation/audit")
    assert audit.status_code == 200
    assert "The command line made @admin moderator (was admin)" in audit.text
    assert audit.text.index("rejected @unwanted") < audit.text.index("created @admin")


async def test_admin_moderates_and_resets_passwords(
    admin: Admin,
    environment: dict[str, str],
    client: httpx.AsyncClient,
    runtime: Runtime,
    factory: Factory,
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await call(client, bob, f"/api/v1/accounts/{alice.id}/follow")
    said = await post(client, alice, "hello from alice")
    await runtime.jobs.drain()
    home, public = "/api/v1/timelines/home", "/api/v1/timelines/public"
    assert await shown(client, bob, home, said)
    report = await call(client, bob, "/api/v1/reports", account_id=alice.id)

    suspended = await as_operator(environment, "suspend", "alice")
    assert (suspended.code, suspended.out) == (0, "Suspended @alice"), suspended.err
    me = await client.get("/api/v1/accounts/verify_credentials", headers=alice.headers)
    assert me.status_code == 403
    assert not await shown(client, bob, home, said)
    assert (await admin("unsuspend", "alice")).out == "Unsuspended @alice"
    await until(lambda: shown(client, bob, home, said))  # back in bob's timeline

    assert (await admin("silence", "alice")).out == "Silenced @alice"
    assert not await shown(client, None, public, said)
    assert await shown(client, bob, home, said)  # a follower still sees her
    assert (await admin("unsilence", "alice")).out == "Unsilenced @alice"
    assert await shown(client, None, public, said)

    reset = await admin("reset-password", "alice")
    assert reset.code == 0 and reset.out.startswith("New password for @alice: ")
    assert "1 app token(s) revoked" in reset.out
    new_password = reset.out.split(": ", 1)[1].split(" ", 1)[0]
    me = await client.get("/api/v1/accounts/verify_credentials", headers=alice.headers)
    assert me.status_code == 401  # the old token is revoked
    app = await register_app(client)
    assert (await password_token(client, app, "alice", new_password)).status_code == 200
    assert await operator_log(runtime) == [
        ("suspend", "The command line suspended @alice"),
        ("resolve", f"The command line resolved report {report['id']} on @alice"),
        ("unsuspend", "The command line unsuspended @alice"),
        ("silence", "The command line limited @alice"),
        ("unsilence", "The command line lifted the limit on @alice"),
        ("reset_password", "The command line reset the password of @alice"),
    ]


async def test_admin_refuses_clearly(admin: Admin, runtime: Runtime, factory: Factory) -> None:
    await factory.user("alice")
    unknown = await admin("suspend", "nobody")
    assert unknown.code == 1
    assert "roost admin suspend: No account is named 'nobody'" in unknown.err
    twice = await admin("unsilence", "alice")
    assert twice.code == 1
    assert "roost admin unsilence: The account is not silenced" in twice.err
    bad = await admin("create", "x y", "--email", "nope")
    assert bad.code == 1
    assert "Username must contain only letters" in bad.err and "Email is invalid" in bad.err
    taken = await admin("create", "Alice", "--email", "new@example.com")
    assert taken.code == 1 and "Username has already been taken" in taken.err
    role = await admin("role", "alice", "king")
    assert role.code == 2 and "invalid choice: 'king'" in role.err
    missing = await admin("create", "bob")
    assert missing.code == 2 and "--email" in missing.err
    assert await operator_log(runtime) == []  # a refusal writes nothing
