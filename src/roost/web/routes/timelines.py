"""Home, explore and hashtag timelines, bookmarks, their newer/older fragments, and the
home timeline's read marker."""

from __future__ import annotations

import contextlib
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from roost.core.errors import Unprocessable
from roost.core.http import JSON, PageParams, json_response, page_params, params
from roost.core.inputs import id_or_none
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.markers import service as markers
from roost.tags import service as tags
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
from roost.web.forms import MarkerForm
from roost.web.pages import WebRoute, render_page
from roost.web.visitor import CheckedMember, Member, MemberDep, VisitorDep

router = APIRouter(route_class=WebRoute)
Paging = Annotated[PageParams, Depends(page_params)]

HOME = Feed(url="/home", label="Home timeline", marker_url="/home/marker")
EXPLORE = Feed(url="/explore", label="Posts on this server")
BOOKMARKS = Feed(url="/bookmarks", label="Bookmarks", poll=False)


def tag_feed(tag: str) -> Feed:
    name = tag.lstrip("#").lower()
    return Feed(url=f"/tags/{quote(name, safe='')}", label=f"Posts tagged #{name}")


@router.get("/")
async def root(
    request: Request,
    visitor: VisitorDep,
    session: ReadSession,
    writer: WriteSession,
    runtime: RuntimeDep,
    paging: Paging,
) -> Response:
    if isinstance(visitor, Member):
        return await home(request, visitor, session, writer, runtime, paging)
    return await explore(request, visitor, session, runtime, paging)


@router.get("/home")
async def home(
    request: Request,
    member: MemberDep,
    session: ReadSession,
    writer: WriteSession,
    runtime: RuntimeDep,
    paging: Paging,
) -> Response:
    page = await timelines.read_home(
        session=session, runtime=runtime, viewer=member.account, page=first_page(paging)
    )
    if paging.max_id is None and page.items:
        # The top of the timeline is on screen: other clients learn where the reader is.
        with contextlib.suppress(Unprocessable):  # gone from the timeline meanwhile
            await markers.advance_home_marker(
                read_session=session,
                write_session=writer,
                timelines=runtime.timelines,
                account_id=member.account.id,
                status_id=int(page.items[0]["id"]),
            )
    return await render_page(
        request,
        "home.html",
        session=session,
        title="Home",
        **timeline_context(HOME, page, paged_back=paging.max_id is not None),
    )


@router.get("/home/newer")
async def home_newer(
    member: MemberDep, session: ReadSession, runtime: RuntimeDep, paging: Paging
) -> JSON:
    page = await timelines.read_home(
        session=session, runtime=runtime, viewer=member.account, page=newer_params(paging)
    )
    return newer_response(HOME, page, me=member.account, csrf_token=member.csrf_token)


@router.get("/home/older")
async def home_older(
    member: MemberDep, session: ReadSession, runtime: RuntimeDep, paging: Paging
) -> JSON:
    page = await timelines.read_home(
        session=session, runtime=runtime, viewer=member.account, page=older_params(paging)
    )
    return older_response(HOME, page, me=member.account, csrf_token=member.csrf_token)


@router.post("/home/marker")
async def home_marker(
    member: CheckedMember,
    form: Annotated[MarkerForm, Depends(params(MarkerForm))],
    session: ReadSession,
    writer: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    """The page showed new posts: the one now on top is the newest the reader saw."""
    status_id = id_or_none(form.last_read_id.strip())
    if status_id is None:
        raise Unprocessable("last_read_id must be a post id")
    moved = await markers.advance_home_marker(
        read_session=session,
        write_session=writer,
        timelines=runtime.timelines,
        account_id=member.account.id,
        status_id=status_id,
    )
    return json_response({"moved": moved})


@router.get("/explore")
async def explore(
    request: Request, visitor: VisitorDep, session: ReadSession, runtime: RuntimeDep, paging: Paging
) -> Response:
    page = await timelines.read_public(
        session=session, runtime=runtime, viewer_id=visitor.account_id, page=first_page(paging)
    )
    return await render_page(
        request,
        "explore.html",
        session=session,
        title="Explore",
        **await highlights.explore_highlights(
            session=session, runtime=runtime, viewer_id=visitor.account_id
        ),
        **timeline_context(EXPLORE, page, paged_back=paging.max_id is not None),
    )


@router.get("/explore/newer")
async def explore_newer(
    visitor: VisitorDep, session: ReadSession, runtime: RuntimeDep, paging: Paging
) -> JSON:
    page = await timelines.read_public(
        session=session, runtime=runtime, viewer_id=visitor.account_id, page=newer_params(paging)
    )
    return newer_response(EXPLORE, page, me=visitor.account, csrf_token=visitor.csrf_token)


@router.get("/explore/older")
async def explore_older(
    visitor: VisitorDep, session: ReadSession, runtime: RuntimeDep, paging: Paging
) -> JSON:
    page = await timelines.read_public(
        session=session, runtime=runtime, viewer_id=visitor.account_id, page=older_params(paging)
    )
    return older_response(EXPLORE, page, me=visitor.account, csrf_token=visitor.csrf_token)


@router.get("/tags/{tag}")
async def tag(
    request: Request,
    tag: str,
    visitor: VisitorDep,
    session: ReadSession,
    runtime: RuntimeDep,
    paging: Paging,
) -> Response:
    feed = tag_feed(tag)
    page = await timelines.read_tag(
        session=session,
        runtime=runtime,
        viewer_id=visitor.account_id,
        tag=tag,
        page=first_page(paging),
    )
    following = visitor.account_id is not None and await tags.is_following(
        session, viewer_id=visitor.account_id, name=tag
    )
    return await render_page(
        request,
        "tag.html",
        session=session,
        title=f"#{tag.lstrip('#').lower()}",
        tag=tag.lstrip("#").lower(),
        following=following,
        **timeline_context(feed, page, paged_back=paging.max_id is not None),
    )


@router.get("/tags/{tag}/newer")
async def tag_newer(
    tag: str, visitor: VisitorDep, session: ReadSession, runtime: RuntimeDep, paging: Paging
) -> JSON:
    page = await timelines.read_tag(
        session=session,
        runtime=runtime,
        viewer_id=visitor.account_id,
        tag=tag,
        page=newer_params(paging),
    )
    return newer_response(tag_feed(tag), page, me=visitor.account, csrf_token=visitor.csrf_token)


@router.get("/tags/{tag}/older")
async def tag_older(
    tag: str, visitor: VisitorDep, session: ReadSession, runtime: RuntimeDep, paging: Paging
) -> JSON:
    page = await timelines.read_tag(
        session=session,
        runtime=runtime,
        viewer_id=visitor.account_id,
        tag=tag,
        page=older_params(paging),
    )
    return older_response(tag_feed(tag), page, me=visitor.account, csrf_token=visitor.csrf_token)


@router.get("/bookmarks")
async def bookmarks(
    request: Request, member: MemberDep, session: ReadSession, runtime: RuntimeDep, paging: Paging
) -> Response:
    page = await timelines.read_bookmarks(
        session=session, runtime=runtime, viewer_id=member.account.id, page=first_page(paging)
    )
    return await render_page(
        request,
        "bookmarks.html",
        session=session,
        title="Bookmarks",
        **timeline_context(BOOKMARKS, page, paged_back=paging.max_id is not None),
    )


@router.get("/bookmarks/newer")
async def bookmarks_newer(
    member: MemberDep, session: ReadSession, runtime: RuntimeDep, paging: Paging
) -> JSON:
    page = await timelines.read_bookmarks(
        session=session, runtime=runtime, viewer_id=member.account.id, page=newer_params(paging)
    )
    return newer_response(BOOKMARKS, page, me=member.account, csrf_token=member.csrf_token)


@router.get("/bookmarks/older")
async def bookmarks_older(
    member: MemberDep, session: ReadSession, runtime: RuntimeDep, paging: Paging
) -> JSON:
    page = await timelines.read_bookmarks(
        session=session, runtime=runtime, viewer_id=member.account.id, page=older_params(paging)
    )
    return older_response(BOOKMARKS, page, me=member.account, csrf_token=member.csrf_token)
