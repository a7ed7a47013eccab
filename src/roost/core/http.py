"""HTTP helpers shared by every route: JSON responses, Mastodon-style parameters, paging."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

import orjson
from fastapi import Request
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile
from starlette.responses import Response

from roost.core.db import as_utc
from roost.core.errors import BadRequest, NotFound, Unprocessable
from roost.core.inputs import Id, check_text, id_or_none

M = TypeVar("M", bound=BaseModel)

MAX_LIMIT = 40
DEFAULT_LIMIT = 20


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def json_response(content: Any, *, status_code: int = 200, link: str | None = None) -> JSON:
    headers = {"Link": link} if link else None
    return JSON(content, status_code=status_code, headers=headers)


def iso(value: datetime) -> str:
    """ISO 8601 UTC with milliseconds, as Mastodon sends it."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_id(value: str) -> int:
    """An id from a path (or a reference to a record): anything but an id
    (``roost.core.inputs``) is simply not found."""
    number = id_or_none(value)
    if number is None:
        raise NotFound()
    return number


@dataclass(frozen=True)
class Described:
    """What a parameter dependency reads, for the OpenAPI document (core/openapi.py)."""

    model: type[BaseModel]
    body: bool = True  # False: the query string only
    form_fields: dict[str, Any] | None = None  # the form's own schema, when not the model's


# Each parameter dependency made here, and what it reads.
DESCRIBED: dict[Callable[..., Any], Described] = {}


async def request_params(request: Request) -> dict[str, Any]:
    """Query string and body (form or JSON) merged; ``key[]`` becomes a list under ``key``.
    A GET's body counts too, as on Mastodon (Rails reads it): Mastodon.py sends
    ``familiar_followers``' ids in one. Text PostgreSQL cannot store (NUL, lone
    surrogates) is refused here, for every route."""
    merged: dict[str, Any] = {}
    _merge_pairs(merged, request.query_params.multi_items())
    if request.method in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            body = await request.body()
            if body.strip():
                try:
                    data = orjson.loads(body)
                except orjson.JSONDecodeError as exc:
                    raise BadRequest("Request body is not valid JSON") from exc
                if not isinstance(data, dict):
                    raise BadRequest("Request body must be a JSON object")
                merged.update(data)
        elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            _merge_pairs(merged, [(k, v) for k, v in form.multi_items() if isinstance(v, str)])
    check_text(merged)
    return merged


async def request_files(
    request: Request, names: Sequence[str], *, max_bytes: int
) -> dict[str, bytes]:
    """The files a multipart body carries under ``names`` (a field sent as text is not a
    file), each read to at most ``max_bytes + 1`` bytes: the caller refuses a longer one
    without holding more of it."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return {}
    form = await request.form()  # Starlette keeps the parsed form: params read it too
    found: dict[str, bytes] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            if name in names and name not in found:
                found[name] = await value.read(max_bytes + 1)
            await value.close()  # its spooled temporary file; nothing reads it again
    return found


# ``name[][field]`` (Rails' array of hashes): ``keywords_attributes[][keyword]=a``.
_HASH_IN_LIST = re.compile(r"([^\[\]]+)\[\]\[([^\[\]]+)\]")


def _merge_pairs(merged: dict[str, Any], pairs: Sequence[tuple[str, str]]) -> None:
    """``key[]`` values become a list under ``key``; ``key[][field]`` values a list of
    objects under ``key``, a new object starting where a field repeats (as Rails reads
    them); any other key is kept as it is spelled."""
    for key, value in pairs:
        nested = _HASH_IN_LIST.fullmatch(key)
        if nested is not None:
            name, field = nested.groups()
            found = merged.get(name)
            objects: list[Any] = found if isinstance(found, list) else []
            merged[name] = objects
            if not objects or not isinstance(objects[-1], dict) or field in objects[-1]:
                objects.append({})
            objects[-1][field] = value
        elif key.endswith("[]"):
            name = key[:-2]
            earlier = merged.get(name)
            if not isinstance(earlier, list):  # ``key=`` came first: it joins the list
                merged[name] = [] if earlier is None else [earlier]
            merged[name].append(value)
        else:
            merged[key] = value


def validate(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        if first["type"] == "missing":
            raise BadRequest(f"Missing parameter: {field}") from exc
        raise Unprocessable(f"Validation failed: {field}: {first['msg']}") from exc


def params(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    """A dependency that reads ``model`` from the query string and body, Mastodon style."""

    async def dependency(request: Request) -> M:
        return validate(model, await request_params(request))

    DESCRIBED[dependency] = Described(model)
    return dependency


def raw_params(
    model: type[BaseModel], *, form_fields: dict[str, Any] | None = None
) -> Callable[[Request], Awaitable[dict[str, Any]]]:
    """``request_params`` for a route that parses them itself (in its own error shape),
    documented as ``model``."""

    async def dependency(request: Request) -> dict[str, Any]:
        return await request_params(request)

    DESCRIBED[dependency] = Described(model, form_fields=form_fields)
    return dependency


class PageParams(BaseModel):
    max_id: Id | None = None
    since_id: Id | None = None
    min_id: Id | None = None
    limit: int = Field(
        default=DEFAULT_LIMIT, description=f"At most {MAX_LIMIT}; out of 1..{MAX_LIMIT} clamped"
    )

    def clamped_limit(self) -> int:
        return max(1, min(self.limit, MAX_LIMIT))


P = TypeVar("P", bound=PageParams)


def paging(model: type[P]) -> Callable[[Request], Awaitable[P]]:
    """A dependency that reads the paging parameters from the query string as ``model``
    (``PageParams``, or one with other limits)."""

    async def dependency(request: Request) -> P:
        raw = {
            key: value
            for key in ("max_id", "since_id", "min_id", "limit")
            if (value := request.query_params.get(key)) not in (None, "")
        }
        return validate(model, raw)

    DESCRIBED[dependency] = Described(model, body=False)
    return dependency


page_params = paging(PageParams)


def link_header(
    request: Request, *, base_url: str, next_max: int | None, prev_min: int | None
) -> str | None:
    """``Link`` with ``next`` first, to the request's path under ``base_url`` (the
    server's public address), keeping the request's other query parameters."""
    if next_max is None and prev_min is None:
        return None
    base = base_url + request.url.path
    kept = [
        (k, v)
        for k, v in request.query_params.multi_items()
        if k not in {"max_id", "since_id", "min_id"}
    ]
    links = []
    if next_max is not None:
        links.append(f'<{base}?{urlencode([*kept, ("max_id", next_max)])}>; rel="next"')
    if prev_min is not None:
        links.append(f'<{base}?{urlencode([*kept, ("min_id", prev_min)])}>; rel="prev"')
    return ", ".join(links)


class OffsetParams(BaseModel):
    """Paging by position in a ranking (trends, suggestions), as Mastodon does there."""

    limit: int | None = Field(default=None, description="Out of range: clamped")
    offset: int = Field(default=0, ge=0, le=10_000)

    def clamped_limit(self, *, default: int, maximum: int) -> int:
        return default if self.limit is None else max(1, min(self.limit, maximum))


def offset_link_header(
    request: Request, *, base_url: str, offset: int, limit: int, count: int
) -> str | None:
    """``Link`` for a ranking read ``count`` items from ``offset``: ``next`` when the
    page was full, ``prev`` when it did not start at the top (Mastodon's trends)."""
    base = base_url + request.url.path
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
    links = []
    if count >= limit:
        links.append(f'<{base}?{urlencode([*kept, ("offset", offset + limit)])}>; rel="next"')
    if offset > 0:
        links.append(
            f'<{base}?{urlencode([*kept, ("offset", max(0, offset - limit))])}>; rel="prev"'
        )
    return ", ".join(links) or None
