"""SIGTERM to ``roost serve`` with streams open (core/shutdown.py): each stream ends
after a whole message, an SSE response with its last chunk, a WebSocket with close
code 1001 (going away), and uvicorn finds nothing left to wait for."""

from __future__ import annotations

import signal

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.serving import start_serve

pytestmark = pytest.mark.timeout(120)


async def test_sigterm_ends_open_streams_cleanly_and_the_server_exits(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("shutdown")
    base, process = start_serve(folder, {"ROOST_DATABASE_URL": "", "ROOST_REDIS_URL": ""})
    try:
        socket_url = base.replace("http://", "ws://") + "/api/v1/streaming?stream=public"
        async with (
            httpx.AsyncClient(timeout=30) as http,
            http.stream("GET", f"{base}/api/v1/streaming/public") as sse,
            connect(socket_url) as ws,
        ):
            chunks = sse.aiter_text()
            received = await anext(chunks)
            assert received == ":)\n\n"  # subscribed

            process.send_signal(signal.SIGTERM)

            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
            # The response ends as HTTP says (its last chunk), not cut: a cut body would
            # raise here; and it ends after a whole frame.
            async for chunk in chunks:
                received += chunk
            assert received.endswith("\n\n")
        assert process.wait(timeout=30) is not None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    log = (folder / "serve.err").read_text()
    assert "timeout graceful shutdown exceeded" not in log
    assert "Exception in ASGI application" not in log
