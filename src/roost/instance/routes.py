"""HTTP for what this server is, and the empty lists of features Roost leaves out.

Clients ask for lists, announcements and the like when they start; an
empty list (rather than a 404) lets them carry on.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from roost.core.http import JSON, json_response
from roost.deps import ReadSession, RuntimeDep, Viewer, require
from roost.instance import service
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


@router.get("/api/v1/preferences")
async def preferences(viewer: Annotated[Viewer, Depends(require("read:accounts"))]) -> JSON:
    return json_response(service.preferences())


@router.get("/api/v1/instance/peers")
@router.get("/api/v1/instance/activity")
@router.get("/api/v1/instance/rules")
@router.get("/api/v1/custom_emojis")
@router.get("/api/v1/trends/tags")
@router.get("/api/v1/announcements")
async def nothing_public() -> JSON:
    return json_response([])


@router.get("/api/v1/lists")
async def no_lists(viewer: Annotated[Viewer, Depends(require("read:lists"))]) -> JSON:
    return json_response([])


@router.get("/api/v1/followed_tags")
async def no_followed_tags(viewer: Annotated[Viewer, Depends(require("read:follows"))]) -> JSON:
    return json_response([])
