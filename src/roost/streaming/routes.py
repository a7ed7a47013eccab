"""The Mastodon streaming API: server-sent events and one WebSocket endpoint.

SSE: ``GET /api/v1/streaming/user``, ``/user/notification``, ``/direct``, ``/public``,
``/public/local``, ``/public/remote``, ``/hashtag?tag=``, ``/hashtag/local?tag=``,
or ``/api/v1/streaming?stream=<name>``; ``/api/v1/streaming/health`` says ``OK``.
WebSocket: ``/api/v1/streaming`` (see ``websocket.py``).

The token comes from ``Authorization: Bearer``, the ``access_token`` query
parameter, or (WebSocket only) the ``Sec-WebSocket-Protocol`` header. The user
streams need one; public and hashtag streams are open to anyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Request, WebSocket
from fastapi.responses import PlainTextResponse, StreamingResponse

from roost.core.errors import NotFound, RoostError
from roost.core.http import JSON, params
from roost.deps import ANONYMOUS, RuntimeDep, Viewer, bearer_token, get_db, load_viewer
from roost.streaming.ending import ending_channels, still_valid
from roost.streaming.schemas import StreamParams
from roost.streaming.service import start_stream
from roost.streaming.sse import EventStreamResponse, event_stream
from roost.streaming.websocket import serve_websocket

if TYPE_CHECKING:
    from roost.runtime import Runtime

router = APIRouter()

SSE_PATHS = {
    "user": "user",
    "user/notification": "user:notification",
    "direct": "direct",
    "public": "public",
    "public/local": "public:local",
    "public/remote": "public:remote",
    "hashtag": "hashtag",
    "hashtag/local": "hashtag:local",
    "list": "list",
}

Params = Annotated[StreamParams, Depends(params(StreamParams))]


async def stream_viewer(request: Request) -> Viewer:
    """Whoever the token belongs to, or nobody; which scope it needs depends on the stream."""
    token = bearer_token(request)
    return await load_viewer(get_db(request), token) if token else ANONYMOUS


StreamViewer = Annotated[Viewer, Depends(stream_viewer)]


@router.get("/api/v1/streaming/health")
async def health() -> PlainTextResponse:
    return PlainTextResponse("OK")


@router.get("/api/v1/streaming")
async def stream_by_name(
    runtime: RuntimeDep, viewer: StreamViewer, query: Params
) -> StreamingResponse:
    return await _sse(runtime, viewer, query.stream, query)


@router.get("/api/v1/streaming/{path:path}")
async def stream_by_path(
    path: str, runtime: RuntimeDep, viewer: StreamViewer, query: Params
) -> StreamingResponse:
    name = SSE_PATHS.get(path)
    if name is None:
        raise NotFound()
    if query.only_media and name.startswith("public"):
        name += ":media"
    return await _sse(runtime, viewer, name, query)


async def _sse(
    runtime: Runtime, viewer: Viewer, name: str | None, query: StreamParams
) -> StreamingResponse:
    state = await start_stream(
        runtime=runtime, viewer=viewer, name=name, tag=query.tag, list_id=query.list
    )

    async def valid() -> bool:
        return await still_valid(runtime.db, viewer)

    return EventStreamResponse(
        event_stream(runtime.bus, state, ends_on=ending_channels(viewer), still_valid=valid),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _websocket_token(websocket: WebSocket) -> tuple[str | None, str | None]:
    """The token, and the subprotocol to echo when it came as one (browsers need that)."""
    scheme, _, value = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), None
    if token := websocket.query_params.get("access_token"):
        return token, None
    protocol = websocket.headers.get("sec-websocket-protocol", "").split(",")[0].strip()
    return (protocol, protocol) if protocol else (None, None)


@router.websocket("/api/v1/streaming")
async def stream_websocket(websocket: WebSocket) -> None:
    runtime = websocket.app.state.runtime
    token, subprotocol = _websocket_token(websocket)
    try:
        viewer = await load_viewer(runtime.db, token) if token else ANONYMOUS
        name = websocket.query_params.get("stream")
        first = (
            await start_stream(
                runtime=runtime,
                viewer=viewer,
                name=name,
                tag=websocket.query_params.get("tag"),
                list_id=websocket.query_params.get("list"),
            )
            if name
            else None
        )
    except RoostError as error:
        await websocket.send_denial_response(
            JSON({"error": error.message}, status_code=error.status_code)
        )
        return
    await serve_websocket(
        websocket,
        runtime=runtime,
        viewer=viewer,
        first=first,
        subprotocol=subprotocol,
    )
