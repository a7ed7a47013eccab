"""Uploads during home reads: does processing pictures stall the feed?

A 2 MB JPEG (a 12-megapixel photo's size; ``photo``) is uploaded with ``POST
/api/v1/media`` (processed while the request waits: the whole cost of an upload is in
its latency, and it is paid on the API host, in each API process's processing pool) by
``concurrency`` clients, each one upload at a time, while wrk reads home timelines. The
run compares those reads with the reads of the phase without uploads.
"""

from __future__ import annotations

import asyncio
import math
import time
from io import BytesIO

import httpx
from PIL import Image

from bench.measure import Latencies, client, headers

MEDIA = "/api/v1/media"
PHOTO_SIZE = (4032, 3024)  # 12 megapixels, a phone's photo
PIXELS_PER_BYTE = 6.2  # this picture at JPEG quality ~70


def photo(target_bytes: int) -> bytes:
    """A photo-like JPEG (smooth gradients, fine grain) of about ``target_bytes``: 12
    megapixels for 2 MB, fewer pixels for less."""
    scale = min(1.0, math.sqrt(target_bytes * PIXELS_PER_BYTE / (PHOTO_SIZE[0] * PHOTO_SIZE[1])))
    width, height = max(64, int(PHOTO_SIZE[0] * scale)), max(48, int(PHOTO_SIZE[1] * scale))
    ramp = Image.linear_gradient("L").resize((width, height))
    grain = Image.effect_noise((max(1, width // 4), max(1, height // 4)), 40)
    picture = Image.merge(
        "RGB",
        [ramp, grain.resize((width, height)), ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT)],
    )

    def encoded(quality: int) -> bytes:
        out = BytesIO()
        picture.save(out, "JPEG", quality=quality)
        return out.getvalue()

    low, high = 30, 95  # the lowest quality that reaches the size, by bisection
    while low < high:
        middle = (low + high) // 2
        if len(encoded(middle)) >= target_bytes:
            high = middle
        else:
            low = middle + 1
    return encoded(low)


async def upload_steadily(
    base: str, tokens: list[str], data: bytes, *, concurrency: int, seconds: float
) -> tuple[Latencies, float]:
    """``concurrency`` closed loops uploading ``data`` for ``seconds`` (uploads under way
    at the deadline finish); returns the latencies and the uploads per second."""
    result = Latencies()
    started = time.monotonic()
    deadline = started + seconds

    async def uploader(http: httpx.AsyncClient, number: int) -> None:
        count = 0
        while time.monotonic() < deadline and count < 100_000:
            token = tokens[(number + count * concurrency) % len(tokens)]
            count += 1
            begun = time.perf_counter()
            try:
                response = await http.post(
                    MEDIA, files={"file": ("photo.jpg", data, "image/jpeg")}, headers=headers(token)
                )
            except httpx.HTTPError:
                result.failures += 1
                continue
            if response.status_code == 200 and response.json().get("url"):
                result.values_ms.append((time.perf_counter() - begun) * 1000)
            else:
                result.failures += 1

    async with client(base, concurrency) as http:
        await asyncio.gather(*(uploader(http, n) for n in range(concurrency)))
    elapsed = time.monotonic() - started
    return result, len(result.values_ms) / elapsed if elapsed else 0.0
