"""Every address of the web page, one module per screen (the OAuth authorize page
included)."""

from fastapi import APIRouter

from roost.web.routes import (
    auth,
    authorize,
    conversations,
    edits,
    email,
    filters,
    follow_requests,
    lifecycle,
    lists,
    moderation,
    moderation_reports,
    notifications,
    polls,
    profiles,
    scheduled,
    search,
    settings,
    statuses,
    timelines,
)

router = APIRouter()
# Profiles before statuses: /@name/followers must not be read as /@name/<post id>.
# Lists before timelines: /tags/<tag>/follow is a form, not a timeline fragment.
# Edits before statuses: /statuses/<id>/edit is not one of a post's actions.
for module in (
    auth,
    email,
    authorize,
    lists,
    timelines,
    notifications,
    search,
    settings,
    lifecycle,
    conversations,
    follow_requests,
    scheduled,
    polls,
    filters,
    moderation,
    moderation_reports,
    profiles,
    edits,
    statuses,
):
    router.include_router(module.router)

__all__ = ["router"]
