"""``/health`` (liveness), ``/health/ready`` (readiness) and ``/metrics`` (Prometheus),
on the API and on ``roost worker --metrics-port``. Not part of the Mastodon API, so not
in the OpenAPI description."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from roost.core.http import JSON
from roost.core.metrics import CONTENT_TYPE
from roost.deps import RuntimeDep, client_ip
from roost.observability.service import (
    NEEDED,
    check_metrics_access,
    check_readiness,
    metrics_page,
)

router = APIRouter(include_in_schema=False)


@router.get("/health")
async def health() -> JSON:
    return JSON({"status": "ok"})


@router.get("/health/ready")
async def ready(runtime: RuntimeDep) -> JSON:
    checks = await check_readiness(db=runtime.db, redis=runtime.redis)
    missing = [name for name in NEEDED if checks[name] != "ok"]
    if missing:
        return JSON(
            {"error": f"Unavailable: {', '.join(missing)} unreachable", "checks": checks},
            status_code=503,
        )
    whole = all(state == "ok" for state in checks.values())
    return JSON({"status": "ready" if whole else "degraded", "checks": checks})


@router.get("/metrics")
async def metrics(request: Request, runtime: RuntimeDep) -> Response:
    check_metrics_access(
        token=runtime.settings.metrics_token,
        client=client_ip(request),
        authorization=request.headers.get("authorization"),
    )
    return Response(await metrics_page(runtime=runtime), media_type=CONTENT_TYPE)
