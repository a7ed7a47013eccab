"""Media tests: an app on the local disk or on S3 (a moto server on loopback), and what
each has stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from roost.media.storage import LocalStorage
from roost.runtime import Runtime
from tests.conftest import AppClient, s3_client, s3_settings
from tests.factories import Factory, User


@dataclass
class MediaApp:
    client: httpx.AsyncClient
    runtime: Runtime
    factory: Factory
    backend: str  # "local" or "s3"
    s3: Any = None
    bucket: str = ""

    def stored(self) -> list[str]:
        """Every file the media storage holds."""
        if isinstance(self.runtime.media, LocalStorage):
            root = self.runtime.media.root
            if not root.exists():
                return []
            return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        listed = self.s3.list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        if isinstance(self.runtime.media, LocalStorage):
            return self.runtime.media.path(key).read_bytes()
        body: bytes = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return body


@pytest.fixture(params=["local", "s3"])
async def media_app(
    request: pytest.FixtureRequest, app_client: AppClient
) -> AsyncIterator[MediaApp]:
    """The app on each storage: the local disk, then S3 over HTTP."""
    changes: dict[str, Any] = {}
    s3, bucket = None, ""
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = request.getfixturevalue("s3_bucket")
        s3 = s3_client(endpoint)
        changes |= s3_settings(endpoint, bucket)
    async with app_client(**changes) as (client, runtime):
        yield MediaApp(client, runtime, Factory(runtime), request.param, s3, bucket)


async def upload(
    client: httpx.AsyncClient,
    user: User,
    data: bytes,
    *,
    name: str = "picture.png",
    mime: str = "image/png",
    version: int = 2,
    **fields: str,
) -> httpx.Response:
    return await client.post(
        f"/api/v{version}/media",
        files={"file": (name, data, mime)},
        data=fields,
        headers=user.headers,
    )
