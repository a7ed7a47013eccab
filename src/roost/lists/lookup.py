"""Finding a list by its owner: what the timelines and streaming ask of lists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.lists.models import List, ListAccount


async def owned_list(session: AsyncSession, *, owner_id: int, list_id: int) -> List | None:
    """The list, if it exists and ``owner_id`` owns it (anyone else's is not found)."""
    found = await session.get(List, list_id)
    return found if found is not None and found.account_id == owner_id else None


async def member_ids(session: AsyncSession, list_id: int) -> set[int]:
    rows = await session.scalars(
        select(ListAccount.account_id).where(ListAccount.list_id == list_id)
    )
    return set(rows.all())


async def lists_of(session: AsyncSession, owner_id: int) -> list[int]:
    """The ids of the owner's lists."""
    return list(await session.scalars(select(List.id).where(List.account_id == owner_id)))


async def lists_holding(session: AsyncSession, account_id: int) -> list[int]:
    """The ids of every list ``account_id`` is a member of."""
    rows = await session.scalars(
        select(ListAccount.list_id).where(ListAccount.account_id == account_id)
    )
    return list(rows.all())


async def lists_holding_with_owners(
    session: AsyncSession, account_id: int
) -> list[tuple[int, int]]:
    """``(list id, owner id)`` of every list ``account_id`` is a member of."""
    rows = await session.execute(
        select(List.id, List.account_id)
        .join(ListAccount, ListAccount.list_id == List.id)
        .where(ListAccount.account_id == account_id)
    )
    return [(list_id, owner_id) for list_id, owner_id in rows.all()]
