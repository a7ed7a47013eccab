"""The application factory: routers, middleware, and the one error mapping."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

import roost.admin.notices  # noqa: F401  (registers its job kinds)
import roost.cards.service  # noqa: F401  (registers its job kinds)
import roost.conversations.updates  # noqa: F401  (registers its job kinds)
import roost.follows.jobs  # noqa: F401  (registers its job kinds)
import roost.lifecycle.jobs  # noqa: F401  (registers its job kinds)
import roost.mail.jobs  # noqa: F401  (registers its job kinds)
import roost.media.attach  # noqa: F401  (registers its job kinds)
import roost.media.jobs  # noqa: F401  (registers its job kinds)
import roost.moderation.effects  # noqa: F401  (registers its job kinds)
import roost.polls.service  # noqa: F401  (registers its job kinds)
import roost.scheduled.service  # noqa: F401  (registers its job kinds)
import roost.timelines.fanout  # noqa: F401  (registers its job kinds)
from roost import __version__
from roost.accounts.pictures import MAX_BYTES as PICTURE_MAX_BYTES
from roost.accounts.routes import router as accounts_router
from roost.admin.block_routes import router as admin_blocks_router
from roost.admin.routes import router as admin_accounts_router
from roost.announcements.routes import router as announcements_router
from roost.conversations.routes import router as conversations_router
from roost.core.cors import ApiCors
from roost.core.errors import RoostError
from roost.core.failures import AnswerFailures
from roost.core.heap import freeze_startup_heap
from roost.core.http import JSON
from roost.core.limits import RequestLimits
from roost.core.metrics import RequestMetrics, forget_this_process
from roost.core.openapi import describe_parameters
from roost.core.replicas import ReadScopes
from roost.core.request_ids import HEADER, SCOPE_KEY, RequestIds
from roost.core.settings import Settings, get_settings
from roost.core.shutdown import drain_before_exit
from roost.discovery.routes import router as discovery_router
from roost.domain_blocks.routes import router as domain_blocks_router
from roost.featured_tags.routes import router as featured_tags_router
from roost.filters.routes import router as filters_router
from roost.follows.routes import router as follows_router
from roost.instance.routes import router as instance_router
from roost.lists.routes import router as lists_router
from roost.mail.routes import router as mail_router
from roost.markers.routes import router as markers_router
from roost.media.limits import upload_body_limit
from roost.media.routes import router as media_router
from roost.notifications.routes import router as notifications_router
from roost.oauth.routes import router as oauth_router
from roost.observability.routes import router as observability_router
from roost.polls.routes import router as polls_router
from roost.reports.routes import router as reports_router
from roost.runtime import Runtime
from roost.scheduled.routes import router as scheduled_router
from roost.search.routes import router as search_router
from roost.statuses.routes import router as statuses_router
from roost.streaming.routes import router as streaming_router
from roost.tags.routes import router as tags_router
from roost.timelines.page_cache_middleware import KeptPages
from roost.timelines.routes import router as timelines_router
from roost.web.media import COMPOSE_MAX_BYTES
from roost.web.pages import STATIC
from roost.web.routes import router as web_router

log = logging.getLogger(__name__)


def serve_app() -> FastAPI:
    """The app of one ``roost serve`` process (uvicorn's factory): its startup ends by
    freezing what it built (core/heap.py)."""
    return create_app(freeze_heap=True)


def create_app(
    settings: Settings | None = None, runtime: Runtime | None = None, *, freeze_heap: bool = False
) -> FastAPI:
    settings = settings or get_settings()
    owns_runtime = runtime is None
    runtime = runtime or Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if owns_runtime:
            await runtime.start()
        if freeze_heap:
            freeze_startup_heap()
        # Under uvicorn, SIGTERM ends the open streams first (core/shutdown.py).
        restore_signals = drain_before_exit(runtime.bus.end_streams)
        yield
        restore_signals()
        if owns_runtime:
            await runtime.stop()
            forget_this_process()

    app = FastAPI(
        title="Roost",
        version=__version__,
        description="An open microblogging server that speaks the Mastodon client API.",
        lifespan=lifespan,
        redirect_slashes=False,
    )
    app.state.runtime = runtime
    app.state.db = runtime.db
    app.state.settings = settings

    for router in (
        # First: Starlette tries routes in order, and home reads are most of the traffic.
        timelines_router,
        observability_router,  # /health, /health/ready, /metrics
        instance_router,
        oauth_router,
        # Before accounts: /accounts/relationships and /accounts/search must not be
        # captured by /accounts/{id}.
        follows_router,
        search_router,
        lists_router,
        tags_router,
        accounts_router,
        statuses_router,
        conversations_router,
        markers_router,  # before notifications: /notifications/unread_count is not an id
        polls_router,
        scheduled_router,
        notifications_router,
        discovery_router,
        featured_tags_router,
        announcements_router,
        domain_blocks_router,
        filters_router,
        reports_router,
        media_router,
        mail_router,
        admin_accounts_router,
        admin_blocks_router,
        streaming_router,
        web_router,  # the web page: after every API route
    ):
        # The routes as they were built at import, not include_router's copies of them:
        # FastAPI (0.165) builds those again for each app, every route of a router on
        # the first request that reaches it, a third of the tests' time (one app each).
        app.router.routes.extend(router.routes)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    _map_errors(app)
    describe_parameters(app)
    # The last added runs first: RequestIds (every line logged and job queued from here
    # on names the request), StripTrailingSlash, RequestMetrics (it reads the route the
    # router matched from the scope the router was given, so it sits below the one
    # middleware that may copy the scope), then CORS (so every answer below, kept home
    # pages and refused bodies included, carries its headers), then AnswerFailures,
    # then the request limits, then KeptPages, which answers kept home pages before
    # routing.
    if runtime.db.replicas:  # each request's reads that may lag: core/replicas.py
        app.add_middleware(ReadScopes, replicas=runtime.db.replicas)
    if runtime.page_cache is not None:
        app.add_middleware(KeptPages, pages=runtime.page_cache)
    uploads = upload_body_limit(settings)
    # An avatar and a header, each up to its limit, and the form around them.
    pictures = 2 * PICTURE_MAX_BYTES + settings.max_body_bytes
    app.add_middleware(
        RequestLimits,
        max_body=settings.max_body_bytes,
        by_prefix={
            "/api/v1/media": uploads,
            "/api/v2/media": uploads,
            "/api/v1/accounts/update_credentials": pictures,
            "/settings/pictures": pictures,
            # The compose box posts its pictures with the text (web/media.py).
            "/statuses": COMPOSE_MAX_BYTES,
        },
    )
    # Inside CORS, metrics and request ids: a failure's answer carries their headers
    # and is counted, and the client's connection stays open (core/failures.py).
    app.add_middleware(AnswerFailures)
    app.add_middleware(ApiCors)
    app.add_middleware(RequestMetrics)
    app.add_middleware(StripTrailingSlash)
    app.add_middleware(RequestIds)
    return app


def _map_errors(app: FastAPI) -> None:
    @app.exception_handler(RoostError)
    async def roost_error(_: Request, exc: RoostError) -> JSON:
        body: dict[str, object] = {"error": exc.message}
        if exc.details:
            body["details"] = exc.details
        return JSON(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSON:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ())[1:]) or "request"
        return JSON(
            {"error": f"Validation failed: {where}: {first.get('msg', 'invalid')}"},
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSON:
        message = "Record not found" if exc.status_code == 404 else str(exc.detail)
        return JSON({"error": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSON:
        # The last resort, for a failure in the middleware above AnswerFailures: it runs
        # outside every middleware, so the request's id is read from its scope.
        request_id = request.scope.get(SCOPE_KEY)
        log.exception("unhandled error", exc_info=exc, extra={"request_id": request_id})
        headers = {HEADER.decode(): request_id} if request_id else None
        return JSON({"error": "Internal server error"}, status_code=500, headers=headers)


class StripTrailingSlash:
    """Mastodon clients call both ``/api/v1/instance`` and ``/api/v1/instance/``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in {"http", "websocket"}:
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = {**scope, "path": path.rstrip("/") or "/"}
        await self.app(scope, receive, send)
