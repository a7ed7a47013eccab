"""The ``roost`` command: serve, worker, migrate, announce."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from roost.core.logs import configure_logging, serve_log_config
from roost.core.settings import Settings, get_settings


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
        "roost.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        # Open streams never finish by themselves: give them 5 s, then stop.
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
