"""What the request id and the request metrics cost per request: the two middlewares
around a bare ASGI app that answers at once, against the bare app, in this process.

    .venv/bin/python -m bench.request_metrics [--requests 50000]
    PROMETHEUS_MULTIPROC_DIR=$(mktemp -d) .venv/bin/python -m bench.request_metrics

The second form measures multiprocess mode (values in memory-mapped files), as in
`roost serve --workers N`. Prints microseconds per request, the median of 5 rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from roost.core.metrics import RequestMetrics
from roost.core.request_ids import RequestIds


class _Route:
    path = "/api/v1/timelines/home"


async def bare(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"[]"})


async def _receive() -> Message:
    return {"type": "http.request"}


async def _send(message: Message) -> None:
    return None


async def per_request(app: ASGIApp, requests: int) -> float:
    start = time.perf_counter()
    for _ in range(requests):
        scope: dict[str, Any] = {
            "type": "http",
            "method": "GET",
            "path": "/api/v1/timelines/home",
            "headers": [(b"authorization", b"Bearer x")],
            "route": _Route,  # as the router leaves it
        }
        await app(scope, _receive, _send)
    return (time.perf_counter() - start) / requests * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50_000)
    args = parser.parse_args()
    for name, app in (("bare", bare), ("ids + metrics", RequestIds(RequestMetrics(bare)))):
        rounds = [await per_request(app, args.requests) for _ in range(5)]
        print(f"{name:>14}: {statistics.median(rounds):6.2f} us per request")


if __name__ == "__main__":
    asyncio.run(main())
