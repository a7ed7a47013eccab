"""Every address of the web page, one module per screen (the OAuth authorize page
included)."""

from fastapi import APIRouter

from roost.web.routes import (
    auth,
    authorize,
    filters,
    notifications,
    profiles,
    search,
    settings,
    statuses,
    timelines,
)

router = APIRouter()
# Profiles before statuses: /@name/followers must not be read as /@name/<post id>.
for module in (
    auth,
    authorize,
    timelines,
    notifications,
    search,
    settings,
    filters,
    profiles,
    statuses,
):
    router.include_router(module.router)

__all__ = ["router"]
