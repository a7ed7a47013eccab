"""Profiles: a person's posts, bio and counts, their followers and following, and
follow / unfollow (or cancel a follow request) / the bell / block / mute / a private note."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from roost.accounts import service as accounts
from roost.accounts.models import Account
from roost.accounts.standing import is_suspended
from roost.core.errors import NotFound
from roost.core.http import JSON, PageParams, json_response, page_params, params, parse_id
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.follows import lists
from roost.follows import service as follows
from roost.follows.relationships import relationships
from roost.timelines import service as timelines
from roost.web import highlights
from roost.web.feeds import (
    Feed,
    first_page,
    newer_params,
    newer_response,
    older_params,
    older_response,
    timeline_context,
)
from roost.web.forms import NextForm, NoteForm
from roost.web.pages import WebRoute, redirect, render_page, safe_next, wants_json
from roost.web.visitor import CheckedMember, VisitorDep

if TYPE_CHECKING:
    from roost.runtime import Runtime

router = APIRouter(route_class=WebRoute)
Paging = Annotated[PageParams, Depends(page_params)]
LIST_SIZE = 40


async def _account(session: AsyncSession, runtime: Runtime, username: str) -> Account:
    """The profile's account; a suspended one has no profile page (the API still
    answers its Account entity, marked ``suspended``, as Mastodon does)."""
    account = await accounts.lookup_account(
        session=session, acct=username, domain=runtime.settings.domain
    )
    if is_suspended(account):
        raise NotFound()
    return account


def _feed(account: Account) -> Feed:
    return Feed(
        url=f"/@{quote(account.username)}", label=f"Posts by @{account.username}", poll=False
    )


async def _relationship(
    session: AsyncSession, viewer_id: int | None, account: Account
) -> dict[str, Any] | None:
    if viewer_id is None or viewer_id == account.id:
        return None
    [relationship] = await relationships(session, viewer_id=viewer_id, target_ids=[account.id])
    return relationship


@router.get("/@{username}")
async def profile(
    request: Request,
    username: str,
    visitor: VisitorDep,
    session: ReadSession,
    runtime: RuntimeDep,
    paging: Paging,
) -> Response:
    account = await _account(session, runtime, username)
    if account.username != username:
        return redirect(f"/@{account.username}")
    relationship = await _relationship(session, visitor.account_id, account)
    pinned = await timelines.read_account_statuses(
        session=session,
        runtime=runtime,
        viewer_id=visitor.account_id,
        account_id=account.id,
        page=PageParams(),
        pinned=True,
    )
    page = await timelines.read_account_statuses(
        session=session,
        runtime=runtime,
        viewer_id=visitor.account_id,
        account_id=account.id,
        page=first_page(paging),
    )
    return await render_page(
        request,
        "profile.html",
        session=session,
        title=f"{account.display_name or account.username} (@{account.username})",
        account=account,
        relationship=relationship,
        blocked_by=bool(relationship and relationship["blocked_by"]),
        # Pinned posts head the first page only.
        pinned=pinned.items if paging.max_id is None else [],
        featured_tags=await highlights.featured_tags_of(
            session=session, runtime=runtime, account_id=account.id
        ),
        **timeline_context(_feed(account), page, paged_back=paging.max_id is not None),
    )


@router.get("/@{username}/newer")
async def profile_newer(
    username: str, visitor: VisitorDep, session: ReadSession, runtime: RuntimeDep, paging: Paging
) -> JSON:
    account = await _account(session, runtime, username)
    page = await timelines.read_account_statuses(
        session=session,
        runtime=runtime,
        viewer_id=visitor.account_id,
        account_id=account.id,
        page=newer_params(paging),
    )
    return newer_response(_feed(account), page, me=visitor.account, csrf_token=visitor.csrf_token)


@router.get("/@{username}/older")
async def profile_older(
    username: str, visitor: VisitorDep, session: ReadSession, runtime: RuntimeDep, paging: Paging
) -> JSON:
    account = await _account(session, runtime, username)
    page = await timelines.read_account_statuses(
        session=session,
        runtime=runtime,
        viewer_id=visitor.account_id,
        account_id=account.id,
        page=older_params(paging),
    )
    return older_response(_feed(account), page, me=visitor.account, csrf_token=visitor.csrf_token)


def _tagged_feed(account: Account, tag: str) -> Feed:
    name = tag.lstrip("#").lower()
    return Feed(
        url=f"/@{quote(account.username)}/tagged/{quote(name, safe='')}",
        label=f"Posts by @{account.username} tagged #{name}",
        poll=False,
    )


@router.get("/@{username}/tagged/{tag}")
async def profile_tagged(
    request: Request,
    username: str,
    tag: str,
    visitor: VisitorDep,
    session: ReadSession,
    runtime: RuntimeDep,
    paging: Paging,
) -> Response:
    """A person's posts with one hashtag (where a featured tag links)."""
    account = await _account(session, runtime, username)
    page = await timelines.read_account_statuses(
        session=session,
        runtime=runtime,
        viewer_id=visitor.account_id,
        account_id=account.id,
        page=first_page(paging),
        tagged=tag,
    )
    return await render_page(
        request,
        "tagged.html",
        session=session,
        title=f"#{tag.lstrip('#').lower()} by @{account.username}",
        account=account,
        tag=tag.lstrip("#").lower(),
        **timeline_context(_tagged_feed(account, tag), page, paged_back=paging.max_id is not None),
    )


@router.get("/@{username}/tagged/{tag}/newer")
async def profile_tagged_newer(
    username: str,
    tag: str,
    visitor: VisitorDep,
    session: ReadSession,
    runtime: RuntimeDep,
    paging: Paging,
) -> JSON:
    account = await _account(session, runtime, username)
    page = await timelines.read_account_statuses(
        session=session,
        runtime=runtime,
        viewer_id=visitor.account_id,
        account_id=account.id,
        page=newer_params(paging),
        tagged=tag,
    )
    feed = _tagged_feed(account, tag)
    return newer_response(feed, page, me=visitor.account, csrf_token=visitor.csrf_token)


@router.get("/@{username}/tagged/{tag}/older")
async def profile_tagged_older(
    username: str,
    tag: str,
    visitor: VisitorDep,
    session: ReadSession,
    runtime: RuntimeDep,
    paging: Paging,
) -> JSON:
    account = await _account(session, runtime, username)
    page = await timelines.read_account_statuses(
        session=session,
        runtime=runtime,
        viewer_id=visitor.account_id,
        account_id=account.id,
        page=older_params(paging),
        tagged=tag,
    )
    feed = _tagged_feed(account, tag)
    return older_response(feed, page, me=visitor.account, csrf_token=visitor.csrf_token)


async def _people_page(
    request: Request,
    which: str,
    username: str,
    visitor: VisitorDep,
    session: AsyncSession,
    runtime: Runtime,
    paging: PageParams,
) -> Response:
    account = await _account(session, runtime, username)
    lister = lists.followers if which == "followers" else lists.following
    found = await lister(
        session=session,
        runtime=runtime,
        viewer_id=visitor.account_id,
        account_id=account.id,
        page=PageParams(max_id=paging.max_id, limit=LIST_SIZE),
    )
    ids = [int(a["id"]) for a in found.items]
    related = (
        {
            r["id"]: r
            for r in await relationships(session, viewer_id=visitor.account_id, target_ids=ids)
        }
        if visitor.account_id is not None
        else {}
    )
    title = "Followers" if which == "followers" else "Following"
    return await render_page(
        request,
        "people.html",
        session=session,
        title=f"{title} of @{account.username}",
        heading=title,
        which=which,
        account=account,
        people=found.items,
        related=related,
        older=found.next_max if len(found.items) == LIST_SIZE else None,
    )


@router.get("/@{username}/followers")
async def followers(
    request: Request,
    username: str,
    visitor: VisitorDep,
    session: ReadSession,
    runtime: RuntimeDep,
    paging: Paging,
) -> Response:
    return await _people_page(request, "followers", username, visitor, session, runtime, paging)


@router.get("/@{username}/following")
async def following(
    request: Request,
    username: str,
    visitor: VisitorDep,
    session: ReadSession,
    runtime: RuntimeDep,
    paging: Paging,
) -> Response:
    return await _people_page(request, "following", username, visitor, session, runtime, paging)


Verb = Callable[[AsyncSession, "Runtime", Account, int], Awaitable[dict[str, Any]]]


async def _follow(
    session: AsyncSession, runtime: Runtime, me: Account, target: int
) -> dict[str, Any]:
    return await follows.follow(session=session, runtime=runtime, actor=me, target_id=target)


async def _unfollow(
    session: AsyncSession, runtime: Runtime, me: Account, target: int
) -> dict[str, Any]:
    return await follows.unfollow(session=session, runtime=runtime, actor=me, target_id=target)


async def _block(
    session: AsyncSession, runtime: Runtime, me: Account, target: int
) -> dict[str, Any]:
    return await follows.block(session=session, runtime=runtime, actor=me, target_id=target)


async def _unblock(
    session: AsyncSession, runtime: Runtime, me: Account, target: int
) -> dict[str, Any]:
    return await follows.unblock(session=session, runtime=runtime, actor=me, target_id=target)


async def _mute(
    session: AsyncSession, runtime: Runtime, me: Account, target: int
) -> dict[str, Any]:
    return await follows.mute(session=session, runtime=runtime, actor=me, target_id=target)


async def _unmute(
    session: AsyncSession, runtime: Runtime, me: Account, target: int
) -> dict[str, Any]:
    return await follows.unmute(session=session, runtime=runtime, actor=me, target_id=target)


async def _notify(
    session: AsyncSession, runtime: Runtime, me: Account, target: int
) -> dict[str, Any]:
    return await follows.set_notify(
        session=session, runtime=runtime, actor=me, target_id=target, notify=True
    )


async def _unnotify(
    session: AsyncSession, runtime: Runtime, me: Account, target: int
) -> dict[str, Any]:
    return await follows.set_notify(
        session=session, runtime=runtime, actor=me, target_id=target, notify=False
    )


VERBS: dict[str, Verb] = {
    "follow": _follow,
    "unfollow": _unfollow,
    "notify": _notify,
    "unnotify": _unnotify,
    "block": _block,
    "unblock": _unblock,
    "mute": _mute,
    "unmute": _unmute,
}


@router.post("/accounts/{account_id}/note")
async def save_note(
    request: Request,
    account_id: str,
    member: CheckedMember,
    form: Annotated[NoteForm, Depends(params(NoteForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    relationship = await follows.set_note(
        session=session,
        runtime=runtime,
        actor=member.account,
        target_id=parse_id(account_id),
        comment=form.comment,
    )
    if not wants_json(request):
        return redirect(safe_next(form.next, "/home"))
    return json_response({"relationship": relationship})


@router.post("/accounts/{account_id}/{action}")
async def relate(
    request: Request,
    account_id: str,
    action: str,
    member: CheckedMember,
    form: Annotated[NextForm, Depends(params(NextForm))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    verb = VERBS.get(action)
    if verb is None:
        raise NotFound()
    relationship = await verb(session, runtime, member.account, parse_id(account_id))
    if not wants_json(request):
        return redirect(safe_next(form.next, "/home"))
    target = await reader.get(Account, int(relationship["id"]))
    return json_response(
        {
            "relationship": relationship,
            "followers_count": target.followers_count if target else 0,
        }
    )
