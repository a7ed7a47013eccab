"""HTTP for /api/v1/notifications."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from roost.accounts.render import render_account
from roost.accounts.schemas import Account
from roost.core.http import (
    JSON,
    PageParams,
    json_response,
    link_header,
    page_params,
    paging,
    params,
    parse_id,
)
from roost.core.paging import Window
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, require
from roost.notifications import groups, policy, requests, service
from roost.notifications.render import render_groups, render_notifications, render_requests
from roost.notifications.schemas import (
    GroupedNotificationFilter,
    GroupedNotificationsResults,
    GroupPageParams,
    ListFilter,
    Notification,
    NotificationRequest,
    Policy,
    PolicyFlags,
    PolicyV1,
    PolicyValues,
    RequestIds,
)

router = APIRouter()

Reader = Annotated[Viewer, Depends(require("read:notifications"))]
Writer = Annotated[Viewer, Depends(require("write:notifications"))]


group_page_params = paging(GroupPageParams)


@router.get("/api/v1/notifications", response_model=list[Notification])
async def list_notifications(
    request: Request,
    viewer: Reader,
    filters: Annotated[ListFilter, Depends(params(ListFilter))],
    page: Annotated[PageParams, Depends(page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    viewer_id = viewer.person_id
    page_read = await service.list_notifications(
        session=session,
        viewer_id=viewer_id,
        types=filters.types,
        exclude_types=filters.exclude_types,
        account_id=filters.account_id,
        include_filtered=filters.include_filtered,
        max_id=page.max_id,
        since_id=page.since_id,
        min_id=page.min_id,
        limit=page.clamped_limit(),
    )
    items = await render_notifications(session, page_read.items, viewer_id, runtime=runtime)
    return page_read.with_items(items).response(request, base_url=runtime.settings.base_url)


@router.post("/api/v1/notifications/clear", response_model=dict[str, Any])
async def clear_notifications(viewer: Writer, session: WriteSession) -> JSON:
    await service.clear_notifications(session=session, viewer_id=viewer.person_id)
    return json_response({})


# ---- the filtering policy and its requests (before /notifications/{id}) ----


@router.get("/api/v2/notifications/policy", response_model=Policy)
async def get_policy(viewer: Reader, session: ReadSession) -> JSON:
    return json_response(await policy.get_policy(session=session, account_id=viewer.person_id))


@router.patch("/api/v2/notifications/policy", response_model=Policy)
async def update_policy(
    viewer: Writer,
    values: Annotated[PolicyValues, Depends(params(PolicyValues))],
    session: WriteSession,
) -> JSON:
    return json_response(
        await policy.update_policy(
            session=session,
            account_id=viewer.person_id,
            changes=values.model_dump(exclude_none=True),
        )
    )


@router.get("/api/v1/notifications/policy", response_model=PolicyV1)
async def get_policy_v1(viewer: Reader, session: ReadSession) -> JSON:
    current = await policy.get_policy(session=session, account_id=viewer.person_id)
    return json_response(policy.render_v1(current))


@router.put("/api/v1/notifications/policy", response_model=PolicyV1)
async def update_policy_v1(
    viewer: Writer,
    flags: Annotated[PolicyFlags, Depends(params(PolicyFlags))],
    session: WriteSession,
) -> JSON:
    updated = await policy.update_policy(
        session=session,
        account_id=viewer.person_id,
        changes=policy.from_v1(flags.model_dump(exclude_none=True)),
    )
    return json_response(policy.render_v1(updated))


@router.get("/api/v1/notifications/requests", response_model=list[NotificationRequest])
async def list_requests(
    request: Request,
    viewer: Reader,
    page: Annotated[GroupPageParams, Depends(group_page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    viewer_id = viewer.person_id
    page_read = await requests.list_requests(
        session=session, viewer_id=viewer_id, window=Window.of(page)
    )
    items = await render_requests(session, page_read.items, viewer_id, runtime=runtime)
    return page_read.with_items(items).response(request, base_url=runtime.settings.base_url)


@router.get("/api/v1/notifications/requests/merged", response_model=dict[str, bool])
async def requests_merged(viewer: Reader) -> JSON:
    """Accepting a request shows its notifications at once, so they are always merged."""
    return json_response({"merged": True})


@router.post("/api/v1/notifications/requests/accept", response_model=dict[str, Any])
async def accept_requests(
    viewer: Writer,
    ids: Annotated[RequestIds, Depends(params(RequestIds))],
    session: WriteSession,
) -> JSON:
    await requests.accept_requests(session=session, viewer_id=viewer.person_id, request_ids=ids.id)
    return json_response({})


@router.post("/api/v1/notifications/requests/dismiss", response_model=dict[str, Any])
async def dismiss_requests(
    viewer: Writer,
    ids: Annotated[RequestIds, Depends(params(RequestIds))],
    session: WriteSession,
) -> JSON:
    await requests.dismiss_requests(session=session, viewer_id=viewer.person_id, request_ids=ids.id)
    return json_response({})


@router.get("/api/v1/notifications/requests/{request_id}", response_model=NotificationRequest)
async def get_request(
    viewer: Reader, request_id: str, session: ReadSession, runtime: RuntimeDep
) -> JSON:
    viewer_id = viewer.person_id
    found = await requests.get_request(
        session=session, viewer_id=viewer_id, request_id=parse_id(request_id)
    )
    return json_response((await render_requests(session, [found], viewer_id, runtime=runtime))[0])


@router.post("/api/v1/notifications/requests/{request_id}/accept", response_model=dict[str, Any])
async def accept_request(viewer: Writer, request_id: str, session: WriteSession) -> JSON:
    await requests.accept_request(
        session=session, viewer_id=viewer.person_id, request_id=parse_id(request_id)
    )
    return json_response({})


@router.post("/api/v1/notifications/requests/{request_id}/dismiss", response_model=dict[str, Any])
async def dismiss_request(viewer: Writer, request_id: str, session: WriteSession) -> JSON:
    await requests.dismiss_request(
        session=session, viewer_id=viewer.person_id, request_id=parse_id(request_id)
    )
    return json_response({})


@router.get("/api/v1/notifications/{notification_id}", response_model=Notification)
async def get_notification(
    viewer: Reader, notification_id: str, session: ReadSession, runtime: RuntimeDep
) -> JSON:
    viewer_id = viewer.person_id
    notification = await service.get_notification(
        session=session, viewer_id=viewer_id, notification_id=parse_id(notification_id)
    )
    rendered = await render_notifications(session, [notification], viewer_id, runtime=runtime)
    return json_response(rendered[0])


@router.post("/api/v1/notifications/{notification_id}/dismiss", response_model=dict[str, Any])
async def dismiss_notification(viewer: Writer, notification_id: str, session: WriteSession) -> JSON:
    await service.dismiss_notification(
        session=session, viewer_id=viewer.person_id, notification_id=parse_id(notification_id)
    )
    return json_response({})


# ---- grouped notifications: /api/v2/notifications ----


@router.get("/api/v2/notifications", response_model=GroupedNotificationsResults)
async def list_notification_groups(
    request: Request,
    viewer: Reader,
    filters: Annotated[GroupedNotificationFilter, Depends(params(GroupedNotificationFilter))],
    page: Annotated[GroupPageParams, Depends(group_page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    viewer_id = viewer.person_id
    page_read = await groups.list_notification_groups(
        session=session,
        viewer_id=viewer_id,
        filters=groups.Filters(
            types=filters.types,
            exclude_types=filters.exclude_types,
            account_id=filters.account_id,
            include_filtered=filters.include_filtered,
        ),
        grouped_types=filters.grouped_types,
        window=Window.of(page),
    )
    body = await render_groups(session, page_read.items, viewer_id, runtime=runtime)
    link = link_header(
        request,
        base_url=runtime.settings.base_url,
        next_max=page_read.next_max,
        prev_min=page_read.prev_min,
    )
    return json_response(body, link=link)


@router.get("/api/v2/notifications/{group_key}", response_model=GroupedNotificationsResults)
async def get_notification_group(
    viewer: Reader, group_key: str, session: ReadSession, runtime: RuntimeDep
) -> JSON:
    viewer_id = viewer.person_id
    group = await groups.get_notification_group(
        session=session, viewer_id=viewer_id, group_key=group_key
    )
    return json_response(await render_groups(session, [group], viewer_id, runtime=runtime))


@router.get("/api/v2/notifications/{group_key}/accounts", response_model=list[Account])
async def get_notification_group_accounts(
    viewer: Reader, group_key: str, session: ReadSession, runtime: RuntimeDep
) -> JSON:
    accounts = await groups.group_accounts(
        session=session, viewer_id=viewer.person_id, group_key=group_key
    )
    base_url = runtime.settings.base_url
    return json_response([render_account(a, base_url=base_url) for a in accounts])


@router.post("/api/v2/notifications/{group_key}/dismiss", response_model=dict[str, Any])
async def dismiss_notification_group(viewer: Writer, group_key: str, session: WriteSession) -> JSON:
    await groups.dismiss_notification_group(
        session=session, viewer_id=viewer.person_id, group_key=group_key
    )
    return json_response({})
