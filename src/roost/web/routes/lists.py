"""Lists on the web page: the lists screen (create, rename, delete), one list's
timeline, its members (add from the people one follows, remove), and followed
hashtags (the follow button on a tag's page, the screen listing them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from roost.core.http import JSON, PageParams, page_params, params, parse_id
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.follows import lists as graph
from roost.lists import service as lists
from roost.tags import service as tags
from roost.timelines import service as timelines
from roost.web.feeds import (
    Feed,
    first_page,
    newer_params,
    newer_response,
    older_params,
    older_response,
    timeline_context,
)
from roost.web.forms import ListForm, NextForm
from roost.web.pages import WebRoute, redirect, render_page, safe_next
from roost.web.visitor import CheckedMember, Member, MemberDep

if TYPE_CHECKING:
    from roost.runtime import Runtime

router = APIRouter(route_class=WebRoute)
Paging = Annotated[PageParams, Depends(page_params)]
FOLLOWED_SHOWN = 80


def list_feed(list_id: int, title: str) -> Feed:
    return Feed(url=f"/lists/{list_id}", label=f"Posts in the list {title}")


@router.get("/lists")
async def lists_page(request: Request, member: MemberDep, session: ReadSession) -> Response:
    mine = await lists.read_lists(session=session, owner_id=member.account.id)
    return await render_page(request, "lists.html", session=session, title="Lists", lists=mine)


@router.post("/lists")
async def create_list(
    member: CheckedMember,
    form: Annotated[ListForm, Depends(params(ListForm))],
    session: WriteSession,
) -> Response:
    made = await lists.create_list(
        session=session,
        owner_id=member.account.id,
        title=form.title,
        replies_policy=form.replies_policy,
        exclusive=form.exclusive,
    )
    return redirect(f"/lists/{made['id']}/edit")


@router.get("/lists/{list_id}")
async def list_page(
    request: Request,
    list_id: str,
    member: MemberDep,
    session: ReadSession,
    runtime: RuntimeDep,
    paging: Paging,
) -> Response:
    found = await lists.read_list(
        session=session, owner_id=member.account.id, list_id=parse_id(list_id)
    )
    page = await timelines.read_list_timeline(
        session=session,
        runtime=runtime,
        viewer=member.account,
        list_id=int(found["id"]),
        page=first_page(paging),
    )
    return await render_page(
        request,
        "list.html",
        session=session,
        title=found["title"],
        list=found,
        **timeline_context(
            list_feed(int(found["id"]), found["title"]), page, paged_back=paging.max_id is not None
        ),
    )


@router.get("/lists/{list_id}/newer")
async def list_newer(
    list_id: str, member: MemberDep, session: ReadSession, runtime: RuntimeDep, paging: Paging
) -> JSON:
    return await _fragment(list_id, member, session, runtime, newer_params(paging), newer=True)


@router.get("/lists/{list_id}/older")
async def list_older(
    list_id: str, member: MemberDep, session: ReadSession, runtime: RuntimeDep, paging: Paging
) -> JSON:
    return await _fragment(list_id, member, session, runtime, older_params(paging), newer=False)


async def _fragment(
    list_id: str,
    member: Member,
    session: AsyncSession,
    runtime: Runtime,
    page: PageParams,
    *,
    newer: bool,
) -> JSON:
    number = parse_id(list_id)
    found = await lists.read_list(session=session, owner_id=member.account.id, list_id=number)
    read = await timelines.read_list_timeline(
        session=session, runtime=runtime, viewer=member.account, list_id=number, page=page
    )
    feed = list_feed(number, found["title"])
    shape = newer_response if newer else older_response
    return shape(feed, read, me=member.account, csrf_token=member.csrf_token)


@router.get("/lists/{list_id}/edit")
async def edit_list(
    request: Request, list_id: str, member: MemberDep, session: ReadSession, runtime: RuntimeDep
) -> Response:
    """The list's settings and members, and the followed people who could join."""
    number = parse_id(list_id)
    owner = member.account.id
    found = await lists.read_list(session=session, owner_id=owner, list_id=number)
    members = await lists.read_members(
        session=session, runtime=runtime, owner_id=owner, list_id=number, page=PageParams(limit=0)
    )
    followed = await graph.following(
        session=session,
        runtime=runtime,
        viewer_id=owner,
        account_id=owner,
        page=PageParams(limit=FOLLOWED_SHOWN),
    )
    inside = {a["id"] for a in members.items}
    return await render_page(
        request,
        "list_edit.html",
        session=session,
        title=f"Edit {found['title']}",
        list=found,
        members=members.items,
        candidates=[a for a in followed.items if a["id"] not in inside],
    )


@router.post("/lists/{list_id}")
async def update_list(
    list_id: str,
    member: CheckedMember,
    form: Annotated[ListForm, Depends(params(ListForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    await lists.update_list(
        session=session,
        runtime=runtime,
        owner_id=member.account.id,
        list_id=parse_id(list_id),
        title=form.title,
        replies_policy=form.replies_policy,
        exclusive=form.exclusive,
    )
    return redirect(f"/lists/{parse_id(list_id)}/edit")


@router.post("/lists/{list_id}/delete")
async def delete_list(
    list_id: str, member: CheckedMember, session: WriteSession, runtime: RuntimeDep
) -> Response:
    await lists.delete_list(
        session=session, runtime=runtime, owner_id=member.account.id, list_id=parse_id(list_id)
    )
    return redirect("/lists")


@router.post("/lists/{list_id}/members/{account_id}/{action}")
async def change_member(
    list_id: str,
    account_id: str,
    action: str,
    member: CheckedMember,
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    if action not in ("add", "remove"):
        return redirect(f"/lists/{parse_id(list_id)}/edit")
    verb = lists.add_members if action == "add" else lists.remove_members
    await verb(
        session=session,
        runtime=runtime,
        owner_id=member.account.id,
        list_id=parse_id(list_id),
        account_ids=[parse_id(account_id)],
    )
    return redirect(f"/lists/{parse_id(list_id)}/edit")


@router.get("/followed-tags")
async def followed_tags_page(
    request: Request, member: MemberDep, session: ReadSession, runtime: RuntimeDep
) -> Response:
    followed = await tags.read_followed_tags(
        session=session, runtime=runtime, viewer_id=member.account.id, page=PageParams(limit=80)
    )
    return await render_page(
        request,
        "followed_tags.html",
        session=session,
        title="Followed hashtags",
        tags=followed.items,
    )


@router.post("/tags/{tag}/{action}")
async def follow_tag(
    tag: str,
    action: str,
    member: CheckedMember,
    form: Annotated[NextForm, Depends(params(NextForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    if action == "follow":
        done = await tags.follow_tag(
            session=session, runtime=runtime, viewer_id=member.account.id, name=tag
        )
    elif action == "unfollow":
        done = await tags.unfollow_tag(
            session=session, runtime=runtime, viewer_id=member.account.id, name=tag
        )
    else:
        return redirect("/followed-tags")
    page = f"/tags/{quote(done['url'].rsplit('/tags/', 1)[-1], safe='')}"
    return redirect(safe_next(form.next, page))
