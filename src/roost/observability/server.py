"""The probes and metrics of a process that serves no API: ``roost worker --metrics-port``.

A small app with only this feature's routes, served by uvicorn on the worker's own event
loop (``uvicorn.Server.serve``, uvicorn's documented way to run inside a program). While
it runs, uvicorn holds SIGTERM and SIGINT; when one comes it stops serving, puts the
program's own handlers back and raises the signal again, so the worker then stops as it
always does (the jobs in progress finish).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import uvicorn
from fastapi import FastAPI, Request

from roost.core.errors import RoostError
from roost.core.http import JSON
from roost.observability.routes import router

if TYPE_CHECKING:
    from roost.runtime import Runtime


def probes_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    app.state.db = runtime.db
    app.include_router(router)

    @app.exception_handler(RoostError)
    async def roost_error(_: Request, exc: RoostError) -> JSON:
        return JSON({"error": exc.message}, status_code=exc.status_code)

    return app


def serve_probes(runtime: Runtime, *, host: str, port: int) -> asyncio.Task[None]:
    """Serve ``/health``, ``/health/ready`` and ``/metrics`` until the process is told
    to stop."""
    config = uvicorn.Config(
        probes_app(runtime),
        host=host,
        port=port,
        lifespan="off",
        access_log=False,
        log_config=None,  # the program's logging, as it is
    )
    server = uvicorn.Server(config)

    async def serve() -> None:
        try:
            await server.serve()
        except SystemExit as exc:  # uvicorn's answer to a port it cannot bind
            raise RuntimeError(f"cannot serve the metrics at {host}:{port}") from exc

    return asyncio.get_running_loop().create_task(serve())
