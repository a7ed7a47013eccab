"""Lists: a person's lists of followed accounts, and who is in them.

Which posts a list's timeline shows is the one rule of timelines/recipients.py; the
verbs here change the rows it reads and, after commit, the timelines they touch:
adding a member back-fills the list with their recent posts, removing one takes
their posts out, and for an ``exclusive`` list the same happens the other way round
in the owner's home. Deleting a list deletes its timeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.core.db import after_commit, commit
from roost.core.errors import NotFound, Unprocessable
from roost.core.http import PageParams
from roost.core.ids import new_id
from roost.core.paging import Page, paginate
from roost.follows.relations import followed_among
from roost.lists.lookup import member_ids, owned_list
from roost.lists.models import REPLIES_POLICIES, List, ListAccount
from roost.timelines.fanout import (
    schedule_merge_author,
    schedule_merge_list_member,
    schedule_remove_author,
    schedule_remove_list_member,
)

if TYPE_CHECKING:
    from roost.runtime import Runtime

MAX_TITLE = 100


def render_list(found: List) -> dict[str, Any]:
    return {
        "id": str(found.id),
        "title": found.title,
        "replies_policy": found.replies_policy,
        "exclusive": found.exclusive,
    }


async def read_lists(*, session: AsyncSession, owner_id: int) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(List).where(List.account_id == owner_id).order_by(List.title, List.id)
    )
    return [render_list(found) for found in rows]


async def read_list(*, session: AsyncSession, owner_id: int, list_id: int) -> dict[str, Any]:
    return render_list(await _owned(session, owner_id, list_id))


async def create_list(
    *,
    session: AsyncSession,
    owner_id: int,
    title: str | None,
    replies_policy: str = "list",
    exclusive: bool = False,
) -> dict[str, Any]:
    found = List(
        id=new_id(),
        account_id=owner_id,
        title=_title(title),
        replies_policy=_policy(replies_policy),
        exclusive=exclusive,
    )
    session.add(found)
    await session.flush()
    rendered = render_list(found)
    await commit(session)
    return rendered


async def update_list(
    *,
    session: AsyncSession,
    runtime: Runtime,
    owner_id: int,
    list_id: int,
    title: str | None = None,
    replies_policy: str | None = None,
    exclusive: bool | None = None,
) -> dict[str, Any]:
    """Change what is given. Making a list exclusive takes its members' posts out of
    the owner's home; making it not exclusive brings them back."""
    found = await _owned(session, owner_id, list_id)
    if title is not None:
        found.title = _title(title)
    if replies_policy is not None:
        found.replies_policy = _policy(replies_policy)
    if exclusive is not None and exclusive != found.exclusive:
        found.exclusive = exclusive
        for member in sorted(await member_ids(session, list_id)):
            _home_follows_exclusivity(
                session, runtime, owner_id=owner_id, member=member, exclusive=exclusive
            )
        runtime.versions.forget(session, "home", [owner_id])
    rendered = render_list(found)
    await commit(session)
    return rendered


async def delete_list(
    *, session: AsyncSession, runtime: Runtime, owner_id: int, list_id: int
) -> None:
    """Delete the list, its members and its timeline; an exclusive list's members'
    posts come back into home."""
    found = await _owned(session, owner_id, list_id)
    if found.exclusive:
        for member in sorted(await member_ids(session, list_id)):
            _home_follows_exclusivity(
                session, runtime, owner_id=owner_id, member=member, exclusive=False
            )
        runtime.versions.forget(session, "home", [owner_id])
    await session.execute(delete(ListAccount).where(ListAccount.list_id == list_id))
    await session.delete(found)

    async def drop_timeline() -> None:
        await runtime.list_timelines.drop(list_id)

    after_commit(session, drop_timeline)
    await commit(session)


async def read_members(
    *, session: AsyncSession, runtime: Runtime, owner_id: int, list_id: int, page: PageParams
) -> Page[dict[str, Any]]:
    """The list's members, most recently added first; ``limit=0`` gives all of them."""
    await _owned(session, owner_id, list_id)
    query = (
        select(Account)
        .join(ListAccount, ListAccount.account_id == Account.id)
        .where(ListAccount.list_id == list_id)
    )
    if page.limit == 0:
        rows = await session.scalars(query.order_by(ListAccount.id.desc()))
        found: Page[Any] = Page(items=list(rows.all()))
    else:
        found = await paginate(session, query, key=ListAccount.id, page=page)
    base_url = runtime.settings.base_url
    return found.with_items([render_account(a, base_url=base_url) for a in found.items])


async def add_members(
    *,
    session: AsyncSession,
    runtime: Runtime,
    owner_id: int,
    list_id: int,
    account_ids: list[int],
) -> None:
    """Add accounts the owner follows (any other: 422, as on Mastodon; an account
    that does not exist: 404). Adding a member again changes nothing."""
    found = await _owned(session, owner_id, list_id)
    if not account_ids:
        raise Unprocessable("Validation failed: account_ids can't be blank")
    existing = set(await session.scalars(select(Account.id).where(Account.id.in_(account_ids))))
    if existing != set(account_ids):
        raise NotFound()
    followed = await followed_among(session, viewer_id=owner_id, among=account_ids)
    if followed != set(account_ids):
        raise Unprocessable("Validation failed: Account has not been followed")
    already = await member_ids(session, list_id)
    for account_id in account_ids:
        if account_id in already:
            continue
        session.add(ListAccount(list_id=list_id, account_id=account_id, id=new_id()))
        schedule_merge_list_member(
            session, runtime, list_id=list_id, owner_id=owner_id, author_id=account_id
        )
        if found.exclusive:
            _home_follows_exclusivity(
                session, runtime, owner_id=owner_id, member=account_id, exclusive=True
            )
    runtime.versions.forget(session, "home", [owner_id])
    await commit(session)


async def remove_members(
    *,
    session: AsyncSession,
    runtime: Runtime,
    owner_id: int,
    list_id: int,
    account_ids: list[int],
) -> None:
    found = await _owned(session, owner_id, list_id)
    removed = await session.scalars(
        delete(ListAccount)
        .where(ListAccount.list_id == list_id, ListAccount.account_id.in_(account_ids))
        .returning(ListAccount.account_id)
    )
    for account_id in sorted(removed.all()):
        schedule_remove_list_member(session, runtime, list_id=list_id, author_id=account_id)
        if found.exclusive:
            _home_follows_exclusivity(
                session, runtime, owner_id=owner_id, member=account_id, exclusive=False
            )
    runtime.versions.forget(session, "home", [owner_id])
    await commit(session)


async def lists_with_account(
    *, session: AsyncSession, owner_id: int, account_id: int
) -> list[dict[str, Any]]:
    """The owner's lists that hold ``account_id`` (GET /api/v1/accounts/:id/lists)."""
    if await session.get(Account, account_id) is None:
        raise NotFound()
    rows = await session.scalars(
        select(List)
        .join(ListAccount, ListAccount.list_id == List.id)
        .where(List.account_id == owner_id, ListAccount.account_id == account_id)
        .order_by(List.title, List.id)
    )
    return [render_list(found) for found in rows]


async def leave_lists(
    session: AsyncSession, runtime: Runtime, *, owner_id: int, account_id: int
) -> None:
    """An unfollow (or a block) takes the account out of the owner's lists, and their
    posts out of those lists' timelines, as on Mastodon."""
    left = await session.scalars(
        delete(ListAccount)
        .where(
            ListAccount.account_id == account_id,
            ListAccount.list_id.in_(select(List.id).where(List.account_id == owner_id)),
        )
        .returning(ListAccount.list_id)
    )
    for list_id in sorted(left.all()):
        schedule_remove_list_member(session, runtime, list_id=list_id, author_id=account_id)


def _home_follows_exclusivity(
    session: AsyncSession, runtime: Runtime, *, owner_id: int, member: int, exclusive: bool
) -> None:
    """A member's posts leave home (``exclusive``) or come back, by the one rule."""
    if exclusive:
        schedule_remove_author(session, runtime, owner_id=owner_id, author_id=member)
    else:
        schedule_merge_author(session, runtime, owner_id=owner_id, author_id=member)


async def _owned(session: AsyncSession, owner_id: int, list_id: int) -> List:
    found = await owned_list(session, owner_id=owner_id, list_id=list_id)
    if found is None:
        raise NotFound()
    return found


def _title(title: str | None) -> str:
    cleaned = (title or "").strip()
    if not cleaned:
        raise Unprocessable("Validation failed: Title can't be blank")
    if len(cleaned) > MAX_TITLE:
        raise Unprocessable(f"Validation failed: Title is too long (maximum is {MAX_TITLE})")
    return cleaned


def _policy(value: str) -> str:
    if value not in REPLIES_POLICIES:
        raise Unprocessable(f"'{value}' is not a valid replies_policy")
    return value
