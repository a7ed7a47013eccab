"""Avatars and headers people upload: checked, cleaned, cropped, stored, replaced.

A picture is processed before anything is written (``media/processing.py``: decoded by
its content, refused when damaged or a decompression bomb, turned upright, every byte
of metadata left behind, cropped to ``AVATAR_SIZE`` or ``HEADER_SIZE``), off the event
loop. A refused file is a 422 and nothing changes. Then the file is stored under a
content-hashed key of the account's own folder, the row is pointed at it in the
caller's transaction, and the file it replaced is removed after the commit; a
transaction that fails removes the new file instead. Keys live in per-account folders,
so no two accounts share a file and removing one never takes another's picture.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import after_commit
from roost.core.errors import Unprocessable
from roost.media.processing import (
    AVATAR_SIZE,
    HEADER_SIZE,
    RejectedMedia,
    Variant,
    process_profile_image,
)
from roost.media.storage import key_for

if TYPE_CHECKING:
    from roost.runtime import Runtime

Kind = Literal["avatar", "header"]
KINDS: tuple[Kind, ...] = ("avatar", "header")
SIZES: dict[Kind, tuple[int, int]] = {"avatar": AVATAR_SIZE, "header": HEADER_SIZE}
# Mastodon's limit for each (with libvips); a bigger file is refused before decoding.
MAX_BYTES = 8 << 20


@dataclass(frozen=True)
class StoredPicture:
    kind: Kind
    key: str


async def store_pictures(
    *, runtime: Runtime, account_id: int, uploads: Mapping[Kind, bytes]
) -> list[StoredPicture]:
    """Process every upload (all of them first: one refused file stores nothing), then
    store each; raises Unprocessable naming the refused picture."""
    processed: list[tuple[Kind, Variant]] = []
    for kind, data in uploads.items():
        label = kind.capitalize()
        if len(data) > MAX_BYTES:
            raise Unprocessable(
                f"Validation failed: {label} file size must be less than {MAX_BYTES >> 20} MB"
            )
        if not data:
            raise Unprocessable(f"Validation failed: {label} file is empty")
        try:
            variant = await runtime.processing.run(_process, data, SIZES[kind])
        except RejectedMedia as exc:
            raise Unprocessable(f"Validation failed: {label} {exc}") from exc
        processed.append((kind, variant))
    stored = []
    for kind, variant in processed:
        key = key_for(variant.data, folder=f"{kind}s/{account_id}", extension=variant.extension)
        await runtime.media.put(key, variant.data, content_type=variant.content_type)
        stored.append(StoredPicture(kind, key))
    return stored


def _process(data: bytes, size: tuple[int, int]) -> Variant:
    return process_profile_image(data, size=size)


def set_pictures(
    session: AsyncSession, runtime: Runtime, account: Account, pictures: list[StoredPicture]
) -> None:
    """Point ``account`` at the stored pictures (None: back to the default) in
    ``session``'s transaction; after commit the replaced files go, and so do the
    rendered copies of the account."""
    replaced = []
    for picture in pictures:
        column = f"{picture.kind}_file"
        old = getattr(account, column)
        setattr(account, column, picture.key)
        if old and old != picture.key:
            replaced.append(old)
    runtime.accounts.forget(session, [account.id])
    if replaced:

        async def remove_replaced() -> None:
            await runtime.media.delete(replaced)

        after_commit(session, remove_replaced)


def clear_picture(session: AsyncSession, runtime: Runtime, account: Account, kind: Kind) -> None:
    """Back to the generated avatar or the default header; the file goes after commit."""
    old = getattr(account, f"{kind}_file")
    if old is None:
        return
    setattr(account, f"{kind}_file", None)
    runtime.accounts.forget(session, [account.id])

    async def remove() -> None:
        await runtime.media.delete([old])

    after_commit(session, remove)


async def discard_unused(runtime: Runtime, account_id: int, stored: list[StoredPicture]) -> None:
    """The transaction that was to use ``stored`` failed: remove the files the account
    does not name as committed (the same picture uploaded again is its current file)."""
    if not stored:
        return
    async with runtime.db.read() as session:
        current = (
            await session.execute(
                select(Account.avatar_file, Account.header_file).where(Account.id == account_id)
            )
        ).first()
    named = set(current or ())
    unused = [p.key for p in stored if p.key not in named]
    if unused:
        await runtime.media.delete(unused)
