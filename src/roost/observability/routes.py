"""``/health`` (liveness), ``/health/ready`` (readiness) and ``/metrics`` (Prometheus),
on the API and on ``roost worker --metrics-port``. Not part of the Mastodon API, so not
in the OpenAPI description."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from roost.core.http import JSON
from roost.core.metrics import CONTENT_TYPE
from roost.deps import RuntimeDep, client_ip
from roost.observability.service import check_metrics_access, check_readiness, metrics_page

router = APIRouter(include_in_schema=False)


@router.get("/health")
async def health() -> JSON:
    return JSON({"status": "ok"})


@router.get("/health/ready")
async def ready(runtime: RuntimeDep) -> JSON:
    checks = await check_readiness(db=runtime.db, redis=runtime.redis)
    failed = [name for name, state in checks.items() if state != "ok"]
    if failed:
        return JSON(
            {"error": f"Unavailable: {', '.join(failed)} unreachable", "checks": checks},
            status_code=503,
        )
    return JSON({"status": "ready", "checks": checks})


@router.get("/metrics")
async def metrics(request: Request, runtime: RuntimeDep) -> Response:
    check_metrics_access(
        token=runtime.settings.metrics_token,
        client=client_ip(request),
        authorization=request.headers.get("authorization"),
    )
    return Response(await metrics_page(runtime=runtime), media_type=CONTENT_TYPE)
