"""The ``roost`` command: serve, worker, migrate, announce, admin."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from roost.accounts.roles import ROLES
from roost.core.logs import configure_logging, serve_log_config
from roost.core.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from roost.runtime import Runtime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="roost", description="Run a Roost server.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web server (migrates first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-migrate", action="store_true", help="skip applying migrations")
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="number of API processes (each leases its own snowflake node)",
    )
    serve.add_argument(
        "--run-jobs",
        action="store_true",
        help="with Redis, also run queued jobs in the API processes (no `roost worker` "
        "needed); without Redis jobs always run in-process",
    )
    serve.add_argument(
        "--no-access-log",
        action="store_true",
        help="don't log a line per request (saves CPU under load; also ROOST_ACCESS_LOG=off)",
    )

    worker = commands.add_parser(
        "worker", help="run queued jobs (fan-out, notifications, deletes) and the outbox sweep"
    )
    worker.add_argument(
        "--concurrency",
        type=_positive,
        default=8,
        metavar="K",
        help="jobs run at once in this process",
    )
    worker.add_argument(
        "--metrics-port",
        type=_positive,
        metavar="P",
        help="serve /metrics, /health and /health/ready on this port (also "
        "ROOST_WORKER_METRICS_PORT)",
    )
    worker.add_argument(
        "--metrics-host", default="127.0.0.1", help="the address the metrics port listens on"
    )

    commands.add_parser("migrate", help="apply database migrations")

    announce = commands.add_parser(
        "announce", help="publish an announcement every signed-in app shows (migrates first)"
    )
    announce.add_argument("text", help="what to announce (links, @names and #tags work)")
    announce.add_argument("--starts-at", type=_moment, help="when the event starts (ISO 8601)")
    announce.add_argument(
        "--ends-at", type=_moment, help="when it ends (ISO 8601); apps stop showing it then"
    )
    announce.add_argument("--all-day", action="store_true", help="the times are whole days")
    _admin_parser(commands)

    args = parser.parse_args(argv)
    if args.command == "serve":
        # Through the environment, so that every uvicorn worker process sees them too.
        if args.run_jobs:
            os.environ["ROOST_SERVE_RUNS_JOBS"] = "true"
        # The URLs Roost writes name the address it serves, unless ROOST_DOMAIN says.
        if not os.environ.get("ROOST_DOMAIN"):
            os.environ["ROOST_DOMAIN"] = served_domain(args.host, args.port)
    settings = get_settings()
    configure_logging(json=settings.log_format == "json")

    if args.command == "migrate":
        from roost.migrate import migrate

        migrate(settings)
        return 0

    if args.command == "announce":
        from roost.migrate import migrate

        migrate(settings)
        return asyncio.run(_announce(settings, args))

    if args.command == "admin":
        from roost.migrate import migrate

        migrate(settings)
        return asyncio.run(_admin(settings, args))

    if args.command == "worker":
        if not settings.redis_url:
            print(
                "roost worker needs ROOST_REDIS_URL; without Redis, `roost serve` runs "
                "every job in-process",
                file=sys.stderr,
            )
            return 2
        # One process: its metrics live in memory, served on its own port. A folder
        # meant for `roost serve`'s processes is not the worker's to write in.
        os.environ.pop(METRICS_FOLDER, None)
        from roost.worker import run_worker

        port = args.metrics_port or settings.worker_metrics_port or None
        return asyncio.run(
            run_worker(
                settings,
                concurrency=args.concurrency,
                metrics_port=port,
                metrics_host=args.metrics_host,
            )
        )

    if args.command == "serve":
        # Before anything imports prometheus_client: it picks its mode at import.
        made = share_metrics(args.workers)
        try:
            return _serve(settings, args)
        finally:
            if made is not None:
                shutil.rmtree(made, ignore_errors=True)
    return 1


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from roost.migrate import migrate

    settings.resolved_secret_key()  # generated on first start, refused if unsafe
    if not args.no_migrate:
        migrate(settings)
    jobs = (
        "in-process" if not settings.redis_url or settings.serve_runs_jobs else "by `roost worker`"
    )
    up = (
        f"Roost is up at http://{args.host}:{args.port}  (domain {settings.domain}, "
        f"{args.workers} process(es), jobs run {jobs})"
    )
    if settings.log_format == "json":  # every line a log shipper reads is JSON
        logging.getLogger("roost.cli").info(up)
    else:
        print(up)
    uvicorn.run(
        "roost.app:serve_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        # Open streams end at the signal (core/shutdown.py); anything else gets 5 s.
        timeout_graceful_shutdown=5,
        log_level="info",
        log_config=serve_log_config(json=settings.log_format == "json"),  # no secrets
        access_log=settings.access_log and not args.no_access_log,
    )
    return 0


METRICS_FOLDER = "PROMETHEUS_MULTIPROC_DIR"


def share_metrics(workers: int) -> str | None:
    """Let the processes of this ``roost serve`` add their metrics up (core/metrics.py):
    a fresh folder of its own when it runs several, or the one ``PROMETHEUS_MULTIPROC_DIR``
    names, emptied of the last run's files (counts of processes long gone would be added
    in). Returns the folder made here, to remove at exit."""
    given = os.environ.get(METRICS_FOLDER)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        return None
    if workers == 1:
        return None
    made = tempfile.mkdtemp(prefix="roost-metrics-")
    os.environ[METRICS_FOLDER] = made
    return made


async def _announce(settings: Settings, args: argparse.Namespace) -> int:
    from roost.announcements.service import publish_announcement
    from roost.core.errors import RoostError
    from roost.runtime import Runtime

    runtime = Runtime(settings)
    await runtime.start(sweep=False)  # leases a node, for the announcement's id
    try:
        async with runtime.db.write() as session:
            announcement = await publish_announcement(
                session=session,
                text=args.text,
                base_url=settings.base_url,
                domain=settings.domain,
                starts_at=args.starts_at,
                ends_at=args.ends_at,
                all_day=args.all_day,
            )
    except RoostError as error:
        print(f"roost announce: {error.message}", file=sys.stderr)
        return 2
    finally:
        await runtime.stop()
    print(f"Announcement {announcement.id} published")
    return 0


def _admin_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = commands.add_parser(
        "admin", help="manage accounts: roles, sign-ups, moderation (migrates first)"
    )
    actions = admin.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make an approved account with a role")
    create.add_argument("username")
    create.add_argument("--email", required=True)
    create.add_argument("--role", default="user", choices=list(ROLES))
    create.add_argument("--password", help="without it, one is generated and printed")
    role = actions.add_parser("role", help="change an account's role")
    role.add_argument("username")
    role.add_argument("role", choices=list(ROLES))
    actions.add_parser("pending", help="list the sign-ups waiting for approval")
    for action, words in _ADMIN_HELP.items():
        actions.add_parser(action, help=words).add_argument("username")


_ADMIN_HELP = {
    "approve": "let a waiting sign-up in",
    "reject": "turn a waiting sign-up away (deletes it)",
    "suspend": "suspend an account: it stops, and vanishes for everyone else (its open "
    "reports are resolved)",
    "unsuspend": "lift a suspension",
    "silence": "silence an account: only its followers see its posts (its open reports are "
    "resolved)",
    "unsilence": "lift a silencing",
    "reset-password": "give an account a new password (printed); its apps sign in again",
}


async def _admin(settings: Settings, args: argparse.Namespace) -> int:
    """Run one ``roost admin`` action in one transaction; print what it did. Refusals
    (no such account, a state it is already in, bad input) exit 1."""
    import roost.moderation.effects  # noqa: F401  (its job runs here when there is no Redis)
    from roost.core.db import commit
    from roost.core.errors import RoostError
    from roost.runtime import Runtime

    runtime = Runtime(settings)
    await runtime.start(sweep=False)  # leases a node, for new ids
    try:
        async with runtime.db.write() as session:
            said = await _ADMIN[args.action](session, runtime, args)
            await commit(session)
    except RoostError as error:
        print(f"roost admin {args.action}: {error.message}", file=sys.stderr)
        return 1
    finally:
        await runtime.stop()  # without Redis, runs the jobs the action queued
    print(said)
    return 0


AdminAction = Callable[["AsyncSession", "Runtime", argparse.Namespace], Awaitable[str]]


async def _create(session: AsyncSession, runtime: Runtime, args: argparse.Namespace) -> str:
    from roost.moderation.operator import create_account

    made = await create_account(
        session=session,
        runtime=runtime,
        username=args.username,
        email=args.email,
        role=args.role,
        password=args.password,
    )
    said = f"Created @{made.account.username} ({made.account.role})"
    return f"{said}; password: {made.password}" if made.password else said


async def _role(session: AsyncSession, runtime: Runtime, args: argparse.Namespace) -> str:
    from roost.moderation.operator import find_account, set_role

    account = await find_account(session=session, username=args.username)
    before = await set_role(session=session, runtime=runtime, account=account, role=args.role)
    return f"@{account.username} is now {args.role} (was {before})"


async def _pending(session: AsyncSession, runtime: Runtime, args: argparse.Namespace) -> str:
    from roost.admin.listing import pending_accounts

    waiting = await pending_accounts(session=session)
    if not waiting:
        return "No sign-up is waiting for approval"
    return "\n".join(
        f"@{a.username}  {a.email}  signed up {a.created_at:%Y-%m-%d %H:%M}" for a in waiting
    )


async def _reset_password(session: AsyncSession, runtime: Runtime, args: argparse.Namespace) -> str:
    from roost.moderation.operator import find_account, reset_password
    from roost.web.service import end_all_sessions

    account = await find_account(session=session, username=args.username)
    password, tokens = await reset_password(session=session, runtime=runtime, account=account)
    browsers = await end_all_sessions(session=session, account_id=account.id)
    return (
        f"New password for @{account.username}: {password} "
        f"({tokens} app token(s) revoked, {browsers} browser session(s) signed out)"
    )


def _moderate(verb_name: str, done: str, **given: str | bool) -> AdminAction:
    """An action that finds the account and calls one verb of the admin API
    (``admin/service.py``) as the operator, so it is checked and logged as a
    moderator's would be (the operator may act on anyone)."""

    async def action(session: AsyncSession, runtime: Runtime, args: argparse.Namespace) -> str:
        from roost.admin import service
        from roost.admin.audit import OPERATOR
        from roost.moderation.operator import find_account

        account = await find_account(session=session, username=args.username)
        username = account.username
        await getattr(service, verb_name)(
            session=session, runtime=runtime, actor=OPERATOR, account_id=account.id, **given
        )
        return f"{done} @{username}"

    return action


_ADMIN: dict[str, AdminAction] = {
    "create": _create,
    "role": _role,
    "pending": _pending,
    "approve": _moderate("approve_account", "Approved"),
    "reject": _moderate("reject_account", "Rejected (the account and its data are deleted):"),
    "suspend": _moderate("act_on_account", "Suspended", type="suspend"),
    "unsuspend": _moderate("lift_state", "Unsuspended", undo="unsuspend", strict=True),
    "silence": _moderate("act_on_account", "Silenced", type="silence"),
    "unsilence": _moderate("lift_state", "Unsilenced", undo="unsilence", strict=True),
    "reset-password": _reset_password,
}


def _moment(value: str) -> datetime:
    """An ISO 8601 date or time; without a zone, UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def served_domain(host: str, port: int) -> str:
    """The default domain for ``roost serve --host H --port P``: ``localhost:P`` when
    it listens on this machine's loopback or on every address, else ``H:P``."""
    if host in {"127.0.0.1", "::1", "localhost", "0.0.0.0", "::", ""}:
        host = "localhost"
    elif ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"{host}:{port}"


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


if __name__ == "__main__":
    sys.exit(main())
