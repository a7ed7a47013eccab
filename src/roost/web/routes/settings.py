"""Settings: profile, privacy (a locked account), preferences, featured hashtags,
password, authorized apps, filters (routes in filters.py), blocks and mutes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, cast

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from roost.accounts import service as accounts
from roost.accounts.pictures import KINDS, Kind
from roost.accounts.preferences import update_preferences
from roost.accounts.routes import profile_pictures
from roost.accounts.schemas import CredentialsForm
from roost.core.errors import NotFound, RateLimited, RoostError
from roost.core.http import PageParams, json_response, params, parse_id
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.featured_tags import service as featured
from roost.filters import service as filters
from roost.follows import lists
from roost.follows.relations import follow_requests_count
from roost.web import highlights, service
from roost.web.forms import FeaturedTagForm, PasswordForm, PreferencesForm, PrivacyForm, ProfileForm
from roost.web.pages import WebRoute, redirect, render_page, wants_json
from roost.web.visitor import CheckedMember, Member, MemberDep

if TYPE_CHECKING:
    from roost.runtime import Runtime

router = APIRouter(route_class=WebRoute)
LIST_SIZE = 40
NOTICES = {
    "profile": "Your profile is saved.",
    "pictures": "Your profile pictures are saved.",
    "preferences": "Your preferences are saved.",
    "tags": "Your featured hashtags are saved.",
    "privacy": "Your privacy settings are saved.",
    "app": "The app's access was revoked.",
}
FILTER_NOTICES = {
    "added": "The filter is added.",
    "saved": "The filter is saved.",
    "deleted": "The filter is deleted.",
}


async def settings_page_with(
    request: Request,
    member: Member,
    session: AsyncSession,
    runtime: Runtime,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    me = member.account.id
    everyone = PageParams(limit=LIST_SIZE)
    page = await render_page(
        request,
        "settings.html",
        session=session,
        status_code=status_code,
        title="Settings",
        apps=await service.authorized_apps(session=session, account_id=me),
        follow_requests_count=await follow_requests_count(session, me),
        filters=await filters.list_filters(session=session, account_id=me),
        blocks=(
            await lists.blocks(session=session, runtime=runtime, viewer_id=me, page=everyone)
        ).items,
        mutes=(
            await lists.mutes(session=session, runtime=runtime, viewer_id=me, page=everyone)
        ).items,
        **await highlights.featured_tags_settings(session=session, runtime=runtime, account_id=me),
        **context,
    )
    page.headers.update(headers or {})  # a 429's Retry-After
    return page


@router.get("/settings")
async def settings_page(
    request: Request, member: MemberDep, session: ReadSession, runtime: RuntimeDep
) -> Response:
    notice = NOTICES.get(request.query_params.get("saved", ""))
    filter_notice = FILTER_NOTICES.get(request.query_params.get("filter", ""))
    return await settings_page_with(
        request, member, session, runtime, notice=notice, filter_notice=filter_notice
    )


@router.post("/settings/profile")
async def save_profile(
    request: Request,
    member: CheckedMember,
    form: Annotated[ProfileForm, Depends(params(ProfileForm))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    try:
        await accounts.update_credentials(
            session=session,
            runtime=runtime,
            account_id=member.account.id,
            form=CredentialsForm(display_name=form.display_name, note=form.note),
        )
    except RoostError as exc:
        return await settings_page_with(
            request,
            member,
            reader,
            runtime,
            status_code=exc.status_code,
            headers=exc.headers,
            profile_values={"display_name": form.display_name, "note": form.note},
            profile_errors=[exc.message.removeprefix("Validation failed: ")],
        )
    return redirect("/settings?saved=profile")


@router.post("/settings/pictures")
async def save_pictures(
    request: Request,
    member: CheckedMember,
    pictures: Annotated[dict[Kind, bytes], Depends(profile_pictures)],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    """The avatar and header chosen on the settings page (a file input left empty sends
    an empty file without a name: not a choice)."""
    try:
        await accounts.update_credentials(
            session=session,
            runtime=runtime,
            account_id=member.account.id,
            form=CredentialsForm(),
            pictures={kind: data for kind, data in pictures.items() if data},
        )
    except RoostError as exc:
        return await settings_page_with(
            request,
            member,
            reader,
            runtime,
            status_code=exc.status_code,
            pictures_errors=[exc.message.removeprefix("Validation failed: ")],
        )
    return redirect("/settings?saved=pictures#pictures-heading")


@router.post("/settings/pictures/{kind}/delete")
async def remove_picture(
    kind: str, member: CheckedMember, session: WriteSession, runtime: RuntimeDep
) -> Response:
    if kind not in KINDS:
        raise NotFound()
    await accounts.remove_picture(
        session=session, runtime=runtime, account_id=member.account.id, kind=cast(Kind, kind)
    )
    return redirect("/settings?saved=pictures#pictures-heading")


@router.post("/settings/preferences")
async def save_preferences(
    request: Request,
    member: CheckedMember,
    form: Annotated[PreferencesForm, Depends(params(PreferencesForm))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    try:
        await update_preferences(
            session=session,
            account_id=member.account.id,
            privacy=form.default_privacy,
            sensitive=form.default_sensitive,
            language=form.default_language,
            expand_media=form.expand_media,
            expand_spoilers=form.expand_spoilers,
        )
    except RoostError as exc:
        return await settings_page_with(
            request,
            member,
            reader,
            runtime,
            status_code=exc.status_code,
            preferences_errors=[exc.message.removeprefix("Validation failed: ")],
        )
    return redirect("/settings?saved=preferences")


@router.post("/settings/featured_tags")
async def feature_tag(
    request: Request,
    member: CheckedMember,
    form: Annotated[FeaturedTagForm, Depends(params(FeaturedTagForm))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    try:
        await featured.feature_tag(
            session=session,
            account=member.account,
            name=form.name,
            base_url=runtime.settings.base_url,
        )
    except RoostError as exc:
        return await settings_page_with(
            request,
            member,
            reader,
            runtime,
            status_code=exc.status_code,
            tag_value=form.name,
            tags_errors=[exc.message.removeprefix("Validation failed: ")],
        )
    return redirect("/settings?saved=tags#tags-heading")


@router.post("/settings/featured_tags/{featured_tag_id}/delete")
async def unfeature_tag(
    featured_tag_id: str, member: CheckedMember, session: WriteSession
) -> Response:
    await featured.unfeature_tag(
        session=session, account_id=member.account.id, featured_tag_id=parse_id(featured_tag_id)
    )
    return redirect("/settings?saved=tags#tags-heading")


@router.post("/settings/privacy")
async def save_privacy(
    member: CheckedMember,
    form: Annotated[PrivacyForm, Depends(params(PrivacyForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    await accounts.update_credentials(
        session=session,
        runtime=runtime,
        account_id=member.account.id,
        form=CredentialsForm(locked=form.locked),
    )
    return redirect("/settings?saved=privacy")


@router.post("/settings/password")
async def change_password(
    request: Request,
    member: CheckedMember,
    form: Annotated[PasswordForm, Depends(params(PasswordForm))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    try:
        changed = await service.change_password(
            session=session,
            runtime=runtime,
            account_id=member.account.id,
            keep_session_id=member.session.id,
            current_password=form.current_password,
            new_password=form.new_password,
        )
    except RoostError as exc:
        message = (
            "Too many attempts. Please wait a few minutes and try again."
            if isinstance(exc, RateLimited)
            else exc.message
        )
        return await settings_page_with(
            request,
            member,
            reader,
            runtime,
            status_code=exc.status_code,
            headers=exc.headers,
            password_errors=[message],
        )
    return await settings_page_with(
        request, member, reader, runtime, password_notice=_password_notice(changed)
    )


def _password_notice(changed: service.PasswordChanged) -> str:
    ended, revoked = changed.sessions_ended, changed.tokens_revoked
    others = (
        "No other session was signed in."
        if not ended
        else f"{ended} other session{'s were' if ended != 1 else ' was'} signed out."
    )
    apps = (
        "No app was signed in."
        if not revoked
        else f"{revoked} app token{'s were' if revoked != 1 else ' was'} revoked: "
        "those apps must log in again."
    )
    return f"Your password is changed. {others} {apps}"


@router.post("/settings/apps/{app_id}/revoke")
async def revoke_app(
    request: Request,
    app_id: str,
    member: CheckedMember,
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    await service.revoke_app(
        session=session, runtime=runtime, account_id=member.account.id, app_id=parse_id(app_id)
    )
    if wants_json(request):
        return json_response({"revoked": app_id})
    return redirect("/settings?saved=app")
