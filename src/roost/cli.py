"""The ``roost`` command: serve, migrate."""

from __future__ import annotations

import argparse
import logging
import sys

from roost.core.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="roost", description="Run a Roost server.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web server (migrates first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-migrate", action="store_true", help="skip applying migrations")

    commands.add_parser("migrate", help="apply database migrations")

    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = get_settings()

    if args.command == "migrate":
        from roost.migrate import migrate

        migrate(settings)
        return 0

    if args.command == "serve":
        import uvicorn

        from roost.migrate import migrate

        settings.resolved_secret_key()  # generated on first start, refused if unsafe
        if not args.no_migrate:
            migrate(settings)
        print(f"Roost is up at http://{args.host}:{args.port}  (domain {settings.domain})")
        uvicorn.run(
            "roost.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            proxy_headers=True,
            log_level="info",
        )
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
