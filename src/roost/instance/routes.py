"""HTTP for what this server is: the instance, NodeInfo, WebFinger and host-meta, and
the honest answers for what Roost does not have (no federation: no peers; no custom
emoji; no web push). The rules are the operator's (``rules.py``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.responses import Response

from roost.core.errors import BadRequest, NotFound, Unprocessable
from roost.core.http import JSON, json_response
from roost.deps import ReadSession, RuntimeDep, Viewer, require
from roost.instance import service
from roost.instance import webfinger as wf
from roost.instance.rules import server_rules
from roost.instance.schemas import Instance, InstanceV1

router = APIRouter()

NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.0"


@router.get("/api/v1/instance", response_model=InstanceV1)
async def instance_v1(session: ReadSession, runtime: RuntimeDep) -> JSON:
    return json_response(await service.instance_v1(session=session, settings=runtime.settings))


@router.get("/api/v2/instance", response_model=Instance)
async def instance_v2(session: ReadSession, runtime: RuntimeDep) -> JSON:
    return json_response(await service.instance_v2(session=session, settings=runtime.settings))


@router.get("/.well-known/nodeinfo")
async def nodeinfo_links(runtime: RuntimeDep) -> JSON:
    href = f"{runtime.settings.base_url}/nodeinfo/2.0"
    return json_response({"links": [{"rel": NODEINFO_SCHEMA, "href": href}]})


@router.get("/nodeinfo/2.0")
async def nodeinfo(session: ReadSession, runtime: RuntimeDep) -> JSON:
    return json_response(await service.nodeinfo(session=session, settings=runtime.settings))


@router.get("/.well-known/webfinger")
async def webfinger(session: ReadSession, runtime: RuntimeDep, resource: str = "") -> JSON:
    if not resource:
        raise BadRequest("Missing parameter: resource")
    found = await wf.webfinger(session=session, settings=runtime.settings, resource=resource)
    response = json_response(found)
    response.headers["content-type"] = "application/jrd+json; charset=utf-8"
    return response


@router.get("/.well-known/host-meta")
async def host_meta(runtime: RuntimeDep) -> Response:
    return Response(wf.host_meta(runtime.settings), media_type="application/xrd+xml")


@router.get("/api/v1/instance/rules", response_model=list[dict[str, Any]])
async def rules(runtime: RuntimeDep) -> JSON:
    return json_response([rule.render() for rule in server_rules(runtime.settings)])


# Roost does not federate (no peers) and has no custom emoji: the empty list is the
# true answer to each.
@router.get("/api/v1/instance/peers", response_model=list[str])
@router.get("/api/v1/custom_emojis", response_model=list[dict[str, Any]])
async def nothing_here() -> JSON:
    return json_response([])


@router.get("/api/v1/instance/activity", response_model=list[dict[str, str]])
async def activity(session: ReadSession) -> JSON:
    return json_response(await service.weekly_activity(session=session))


# Web push needs VAPID keys and a sender; Roost has neither yet, so no subscription can
# exist: reading or changing one is 404 (Mastodon's answer for a token without one),
# creating one is refused, deleting none succeeds. Instance omits configuration.vapid.
@router.get("/api/v1/push/subscription", response_model=dict[str, Any])
@router.put("/api/v1/push/subscription", response_model=dict[str, Any])
async def no_push_subscription(viewer: Annotated[Viewer, Depends(require("push"))]) -> JSON:
    raise NotFound()


@router.post("/api/v1/push/subscription", response_model=dict[str, Any])
async def push_not_available(viewer: Annotated[Viewer, Depends(require("push"))]) -> JSON:
    raise Unprocessable("Web push is not available on this server")


@router.delete("/api/v1/push/subscription", response_model=dict[str, Any])
async def delete_push_subscription(viewer: Annotated[Viewer, Depends(require("push"))]) -> JSON:
    return json_response({})
