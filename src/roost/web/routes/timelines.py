"""Home, explore and hashtag timelines, and their newer/older fragments."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from roost.core.http import JSON, PageParams, page_params
from roost.deps import ReadSession, RuntimeDep
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
from roost.web.pages import WebRoute, render_page
from roost.web.visitor import Member, MemberDep, VisitorDep

router = APIRouter(route_class=WebRoute)
Paging = Annotated[PageParams, Depends(page_params)]

HOME = Feed(url="/home", label="Home timeline")
EXPLORE = Feed(url="/explore", label="Posts on this server")


def tag_feed(tag: str) -> Feed:
    name = tag.lstrip("#").lower()
    return Feed(url=f"/tags/{quote(name, safe='')}", label=f"Posts tagged #{name}")


@router.get("/")
async def root(
    request: Request,
    visitor: VisitorDep,
    session: ReadSession,
    runtime: RuntimeDep,
    paging: Paging,
) -> Response:
    if isinstance(visitor, Member):
        return await home(request, visitor, session, runtime, paging)
    return await explore(request, visitor, session, paging)


@router.get("/home")
async def home(
    request: Request,
    member: MemberDep,
    session: ReadSession,
    runtime: RuntimeDep,
    paging: Paging,
) -> Response:
    page = await timelines.read_home(
        session=session, runtime=runtime, viewer=member.account, page=first_page(paging)
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


@router.get("/explore")
async def explore(
    request: Request, visitor: VisitorDep, session: ReadSession, paging: Paging
) -> Response:
    page = await timelines.read_public(
        session=session, viewer_id=visitor.account_id, page=first_page(paging)
    )
    return await render_page(
        request,
        "explore.html",
        session=session,
        title="Explore",
        **timeline_context(EXPLORE, page, paged_back=paging.max_id is not None),
    )


@router.get("/explore/newer")
async def explore_newer(visitor: VisitorDep, session: ReadSession, paging: Paging) -> JSON:
    page = await timelines.read_public(
        session=session, viewer_id=visitor.account_id, page=newer_params(paging)
    )
    return newer_response(EXPLORE, page, me=visitor.account, csrf_token=visitor.csrf_token)


@router.get("/explore/older")
async def explore_older(visitor: VisitorDep, session: ReadSession, paging: Paging) -> JSON:
    page = await timelines.read_public(
        session=session, viewer_id=visitor.account_id, page=older_params(paging)
    )
    return older_response(EXPLORE, page, me=visitor.account, csrf_token=visitor.csrf_token)


@router.get("/tags/{tag}")
async def tag(
    request: Request, tag: str, visitor: VisitorDep, session: ReadSession, paging: Paging
) -> Response:
    feed = tag_feed(tag)
    page = await timelines.read_tag(
        session=session, viewer_id=visitor.account_id, tag=tag, page=first_page(paging)
    )
    return await render_page(
        request,
        "tag.html",
        session=session,
        title=f"#{tag.lstrip('#').lower()}",
        tag=tag.lstrip("#").lower(),
        **timeline_context(feed, page, paged_back=paging.max_id is not None),
    )


@router.get("/tags/{tag}/newer")
async def tag_newer(tag: str, visitor: VisitorDep, session: ReadSession, paging: Paging) -> JSON:
    page = await timelines.read_tag(
        session=session, viewer_id=visitor.account_id, tag=tag, page=newer_params(paging)
    )
    return newer_response(tag_feed(tag), page, me=visitor.account, csrf_token=visitor.csrf_token)


@router.get("/tags/{tag}/older")
async def tag_older(tag: str, visitor: VisitorDep, session: ReadSession, paging: Paging) -> JSON:
    page = await timelines.read_tag(
        session=session, viewer_id=visitor.account_id, tag=tag, page=older_params(paging)
    )
    return older_response(tag_feed(tag), page, me=visitor.account, csrf_token=visitor.csrf_token)
