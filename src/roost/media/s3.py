"""Media files in an S3-compatible object store (AWS S3, MinIO, Garage, Ceph, R2, ...).

Chosen by ``ROOST_MEDIA_S3_BUCKET`` (``storage.make_storage``); the same interface as the
local disk. One aiobotocore client per process, opened on first use (path-style
addressing, which every S3-compatible server speaks) and closed by ``Runtime.stop``.
Clients fetch files from ``ROOST_MEDIA_S3_PUBLIC_URL`` + ``/`` + key: the bucket's own
address by default, or a CDN in front of it. Every processed file is written with its
``Content-Type`` and ``Cache-Control: public, max-age=31536000, immutable`` (its name is
its content's hash); the bucket policy or ``ROOST_MEDIA_S3_ACL`` decides who may read.
Raw uploads waiting for processing (``incoming/``) never get the ACL.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from roost.media.storage import INCOMING, StorageUnavailable

if TYPE_CHECKING:
    from roost.core.settings import Settings

CACHE_CONTROL = "public, max-age=31536000, immutable"
DELETE_BATCH = 1000  # the most keys one DeleteObjects call takes
ATTEMPTS = 3  # per call, botocore's "standard" retries (with backoff) included


class S3Storage:
    def __init__(
        self,
        *,
        bucket: str,
        endpoint: str | None,
        region: str,
        access_key_id: str | None,
        secret_access_key: str | None,
        public_url: str,
        acl: str = "",
    ) -> None:
        self.bucket = bucket
        self.endpoint = endpoint
        self.region = region
        self.public_url = public_url.rstrip("/")
        self.acl = acl
        self._credentials = {
            "aws_access_key_id": access_key_id,
            "aws_secret_access_key": secret_access_key,
        }
        self._stack: contextlib.AsyncExitStack | None = None
        self._client: Any = None
        self._opening = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        endpoint = settings.media_s3_endpoint.rstrip("/") or None
        bucket = settings.media_s3_bucket
        public = settings.media_s3_public_url or (
            f"{endpoint}/{bucket}"
            if endpoint
            else f"https://{bucket}.s3.{settings.media_s3_region}.amazonaws.com"
        )
        return cls(
            bucket=bucket,
            endpoint=endpoint,
            region=settings.media_s3_region,
            access_key_id=settings.media_s3_access_key_id or None,
            secret_access_key=settings.media_s3_secret_access_key or None,
            public_url=public,
            acl=settings.media_s3_acl,
        )

    async def _s3(self) -> Any:
        if self._client is None:
            async with self._opening:
                if self._client is None:
                    stack = contextlib.AsyncExitStack()
                    config = AioConfig(
                        s3={"addressing_style": "path"},
                        connect_timeout=5,
                        read_timeout=30,
                        retries={"max_attempts": ATTEMPTS, "mode": "standard"},
                    )
                    self._client = await stack.enter_async_context(
                        get_session().create_client(
                            "s3",
                            endpoint_url=self.endpoint,
                            region_name=self.region,
                            config=config,
                            **self._credentials,
                        )
                    )
                    self._stack = stack
        return self._client

    @contextlib.asynccontextmanager
    async def _calling(self, action: str, key: str) -> AsyncIterator[Any]:
        """The client, with botocore's errors turned into ``StorageUnavailable`` (a
        missing key into ``FileNotFoundError``), so callers see the local disk's."""
        try:
            yield await self._s3()
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in {"NoSuchKey", "404"}:
                raise FileNotFoundError(key) from error
            raise StorageUnavailable(f"S3 {action} {key}: {code}") from error
        except BotoCoreError as error:  # unreachable endpoint, timeouts, bad credentials
            raise StorageUnavailable(f"S3 {action} {key}: {error}") from error

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        extra: dict[str, str] = {}
        if not key.startswith(f"{INCOMING}/"):
            extra["CacheControl"] = CACHE_CONTROL
            if self.acl:
                extra["ACL"] = self.acl
        async with self._calling("put", key) as s3:
            await s3.put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, **extra
            )

    async def get(self, key: str) -> bytes:
        async with self._calling("get", key) as s3:
            response = await s3.get_object(Bucket=self.bucket, Key=key)
            async with response["Body"] as body:
                data: bytes = await body.read()
        return data

    async def delete(self, keys: Iterable[str]) -> None:
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), DELETE_BATCH):
            batch = wanted[start : start + DELETE_BATCH]
            async with self._calling("delete", batch[0]) as s3:
                answer = await s3.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
                )
            failed = [e for e in answer.get("Errors", []) if e.get("Code") != "NoSuchKey"]
            if failed:
                raise StorageUnavailable(f"S3 refused to delete {len(failed)} files: {failed[0]}")

    def url(self, key: str) -> str:
        return f"{self.public_url}/{key}"

    async def close(self) -> None:
        stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            await stack.aclose()
