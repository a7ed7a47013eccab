"""The ceiling: the same server stack as ``roost serve`` doing no work at all.

FastAPI under uvicorn, started exactly as ``roost serve`` starts Roost (same worker
count, ``proxy_headers``, ``log_level="info"`` so the access log is written too),
with one endpoint at the home timeline's path that returns a ready-made JSON body
of a given size (the size of a real home page). Whatever a home read costs beyond
this is Roost's own work.

    python -m bench.ceiling --port 8100 --workers 2 --bytes 38000
"""

from __future__ import annotations

import argparse
import os

import orjson
from fastapi import FastAPI
from starlette.responses import Response


def body_of_size(size: int) -> bytes:
    """A JSON array of status-like objects, exactly ``size`` bytes long (at least 2)."""
    item = {"id": "0" * 18, "content": "", "account": {"username": "ceiling"}}
    items: list[dict[str, object]] = []
    while len(orjson.dumps([*items, item])) <= size:
        items.append(dict(item))
    short = size - len(orjson.dumps(items))
    if items and short > 0:
        items[-1]["content"] = "x" * short
    body = orjson.dumps(items)
    return body + b" " * (size - len(body))


def create_app() -> FastAPI:
    body = body_of_size(int(os.environ.get("BENCH_CEILING_BYTES", "38000")))
    app = FastAPI()

    @app.get("/api/v1/timelines/home")
    async def home() -> Response:
        return Response(body, media_type="application/json")

    @app.get("/health")
    async def health() -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--bytes", type=int, default=38000)
    args = parser.parse_args()
    os.environ["BENCH_CEILING_BYTES"] = str(args.bytes)
    uvicorn.run(
        "bench.ceiling:create_app",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        log_level="info",
    )


if __name__ == "__main__":
    main()
