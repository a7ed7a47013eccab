"""Settings: the Filters section (create, change, delete a filter and its keywords),
through the same service as /api/v2/filters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, field_validator
from starlette.responses import Response

from roost.core.errors import RoostError
from roost.core.http import params, parse_id
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.filters import service as filters
from roost.web.pages import WebRoute, redirect
from roost.web.routes.settings import settings_page_with
from roost.web.visitor import CheckedMember

router = APIRouter(route_class=WebRoute)


class FilterForm(BaseModel):
    """A filter as the settings form sends it: keywords one a line; an unticked box and
    an empty list of contexts send nothing."""

    title: str = ""
    keywords: str = ""
    whole_word: bool = False
    context: list[str] = []
    filter_action: str = "warn"
    expires_in: str = ""  # seconds, "" for never, "keep" for the expiry it has

    @field_validator("context", mode="before")
    @classmethod
    def _one(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @property
    def keyword_lines(self) -> list[str]:
        return list(dict.fromkeys(k.strip() for k in self.keywords.splitlines() if k.strip()))

    def expiry(self) -> int | None | filters.Keep:
        if self.expires_in == "keep":
            return filters.KEEP
        return int(self.expires_in) if self.expires_in.isdigit() else None

    def shown_back(self) -> dict[str, Any]:
        """The form's values as a filter, to show it again with its error."""
        return {
            "title": self.title,
            "context": self.context,
            "filter_action": self.filter_action,
            "keywords": [{"keyword": k, "whole_word": self.whole_word} for k in self.keyword_lines],
        }


Form = Annotated[FilterForm, Depends(params(FilterForm))]


@router.post("/settings/filters")
async def add_filter(
    request: Request,
    member: CheckedMember,
    form: Form,
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    expiry = form.expiry()
    try:
        await filters.create_filter(
            session=session,
            runtime=runtime,
            account_id=member.account.id,
            title=form.title,
            context=form.context,
            action=form.filter_action,
            expires_in=None if expiry == filters.KEEP else expiry,
            keywords=[
                filters.KeywordChange(keyword=k, whole_word=form.whole_word)
                for k in form.keyword_lines
            ],
        )
    except RoostError as exc:
        return await _refused(request, member, reader, runtime, exc, form, None)
    return redirect("/settings?filter=added#filters")


@router.post("/settings/filters/{filter_id}")
async def save_filter(
    request: Request,
    filter_id: str,
    member: CheckedMember,
    form: Form,
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    me, number = member.account.id, parse_id(filter_id)
    try:
        current = await filters.get_filter(session=session, account_id=me, filter_id=number)
        await filters.update_filter(
            session=session,
            runtime=runtime,
            account_id=me,
            filter_id=number,
            title=form.title,
            context=form.context,
            action=form.filter_action,
            expires_in=form.expiry(),
            keywords=filters.keyword_changes(
                current["keywords"], form.keyword_lines, whole_word=form.whole_word
            ),
        )
    except RoostError as exc:
        return await _refused(request, member, reader, runtime, exc, form, filter_id)
    return redirect("/settings?filter=saved#filters")


@router.post("/settings/filters/{filter_id}/delete")
async def delete_filter(
    filter_id: str, member: CheckedMember, session: WriteSession, runtime: RuntimeDep
) -> Response:
    await filters.delete_filter(
        session=session,
        runtime=runtime,
        account_id=member.account.id,
        filter_id=parse_id(filter_id),
    )
    return redirect("/settings?filter=deleted#filters")


async def _refused(
    request: Request,
    member: CheckedMember,
    reader: ReadSession,
    runtime: RuntimeDep,
    exc: RoostError,
    form: FilterForm,
    filter_id: str | None,
) -> Response:
    return await settings_page_with(
        request,
        member,
        reader,
        runtime,
        status_code=exc.status_code,
        filter_errors=[exc.message.removeprefix("Validation failed: ")],
        filter_values=form.shown_back(),
        filter_values_for=filter_id,
    )
