"""Where media files live: one interface, the local disk by default (``LocalStorage``)
or an S3-compatible store (``s3.py``), chosen by the settings (``runtime.py``).

Keys are content-hashed names (``key_for``) so a file is never overwritten in place and
may be cached forever. Only the media feature writes through this interface.

What may be served: ``public_content_type`` says which keys are files for the public
(a processed picture or video, by its extension) and with which ``Content-Type``; the
raw uploads waiting for processing (``incoming/``, metadata and all) never are."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "mp4": "video/mp4",
}
INCOMING = "incoming"  # the folder of raw uploads waiting for the processing job
# Folders of lowercase letters, digits, "_" and "-", then a hex name and a known extension:
# no "..", no absolute path, no hidden or partial file.
_PUBLIC_KEY = re.compile(r"(?:[a-z0-9_-]{1,64}/){1,6}[0-9a-f]{16,64}\.([a-z0-9]{2,4})")


def key_for(data: bytes, *, folder: str, extension: str) -> str:
    """A content-hashed key: the same bytes always get the same name."""
    digest = hashlib.sha256(data).hexdigest()
    return f"{folder}/{digest[:2]}/{digest[2:4]}/{digest}.{extension}"


def system_url(base_url: str, key: str) -> str:
    """Where Roost serves a stored file: ``<base_url>/system/<key>``. Renderings that
    only know the server's address (the Account entity's avatar and header, a link
    card's image) name files by it, as ``LocalStorage.url`` does."""
    return f"{base_url}/system/{key}"


def attachment_key(media_id: int, style: str, data: bytes, *, extension: str) -> str:
    """An attachment's file: under its own id (two uploads of the same bytes never share
    a file, so removing one never breaks the other), named by its content."""
    digest = hashlib.sha256(data).hexdigest()
    return f"media_attachments/{media_id}/{style}/{digest}.{extension}"


def incoming_key(media_id: int) -> str:
    """Where an upload waits, as it was received, for the processing job."""
    return f"{INCOMING}/{media_id}/{os.urandom(16).hex()}.upload"


def public_content_type(key: str) -> str | None:
    """The ``Content-Type`` a key is served with, or None if it is not served at all."""
    match = _PUBLIC_KEY.fullmatch(key)
    if match is None or key.startswith(f"{INCOMING}/"):
        return None
    return CONTENT_TYPES.get(match.group(1))


class StorageUnavailable(OSError):
    """The store could not be reached or refused a write (an S3 outage, a full disk)."""


class MediaStorage(Protocol):
    async def put(self, key: str, data: bytes, *, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, keys: Iterable[str]) -> None:
        """Remove files; a key that is already gone is not an error."""

    def url(self, key: str) -> str:
        """The address a client fetches the file from."""
        ...

    async def close(self) -> None: ...


class LocalStorage:
    """Files under ``root`` (``ROOST_DATA_DIR/media``), served by Roost at ``/system/``.

    Writes go to a temporary name and are renamed into place, so a reader never sees half
    a file."""

    def __init__(self, root: Path, *, base_url: str) -> None:
        self.root = root
        self.base_url = base_url.rstrip("/")

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"media key outside the storage root: {key!r}")
        return path

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        await asyncio.to_thread(self._write, self.path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        partial.replace(path)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self.path(key).read_bytes)

    async def delete(self, keys: Iterable[str]) -> None:
        await asyncio.to_thread(self._unlink, [self.path(key) for key in keys])

    @staticmethod
    def _unlink(paths: list[Path]) -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    def url(self, key: str) -> str:
        return system_url(self.base_url, key)

    async def close(self) -> None:
        return None
