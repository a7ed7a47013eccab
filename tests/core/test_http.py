"""What every route shares: ids from paths, Mastodon-style parameters, dates, Link."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel
from starlette.requests import Request

from roost.core.errors import BadRequest, NotFound, Unprocessable
from roost.core.http import PageParams, iso, link_header, parse_id, request_params, validate
from roost.core.settings import Settings


def request(
    query: str = "", *, method: str = "GET", body: bytes = b"", content_type: str = ""
) -> Request:
    headers = [(b"content-type", content_type.encode())] if content_type else []
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {
        "type": "http",
        "method": method,
        "path": "/api/v1/timelines/public",
        "query_string": query.encode(),
        "headers": headers,
    }
    return Request(scope, receive)


def test_parse_id_takes_64_bit_digit_strings_and_finds_nothing_else() -> None:
    assert parse_id("0") == 0
    assert parse_id("9223372036854775807") == (1 << 63) - 1
    for bad in ("", "abc", "-1", "1.5", "9223372036854775808", "99999999999999999999"):
        with pytest.raises(NotFound):
            parse_id(bad)


def test_iso_is_utc_with_milliseconds() -> None:
    assert iso(datetime(2026, 3, 4, 5, 6, 7, 891_234, tzinfo=UTC)) == "2026-03-04T05:06:07.891Z"
    assert iso(datetime(2026, 3, 4, 5, 6, 7)) == "2026-03-04T05:06:07.000Z"  # SQLite's naive


def test_the_page_limit_is_clamped_to_1_to_40() -> None:
    assert [PageParams(limit=n).clamped_limit() for n in (0, 1, 20, 40, 41, 1000)] == [
        1,
        1,
        20,
        40,
        40,
        40,
    ]


async def test_query_and_form_parameters_merge_and_brackets_make_lists() -> None:
    form = request(
        "a=1&id[]=7",
        method="POST",
        body=b"b=2&id[]=8&id[]=9",
        content_type="application/x-www-form-urlencoded",
    )
    assert await request_params(form) == {"a": "1", "b": "2", "id": ["7", "8", "9"]}
    # a plain ``id=`` before ``id[]=`` joins the list rather than breaking it
    both = request("id=6&id[]=7", method="POST", body=b"")
    assert await request_params(both) == {"id": ["6", "7"]}


async def test_a_json_body_merges_over_the_query_string() -> None:
    sent = request("a=1&b=1", method="POST", body=b'{"b": 2}', content_type="application/json")
    assert await request_params(sent) == {"a": "1", "b": 2}
    assert await request_params(request("a=1", method="POST", body=b" ")) == {"a": "1"}


@pytest.mark.parametrize("body", [b"{nope", b"[1, 2]"])
async def test_a_json_body_that_is_not_an_object_is_a_bad_request(body: bytes) -> None:
    with pytest.raises(BadRequest):
        await request_params(request(method="POST", body=body, content_type="application/json"))


class Shape(BaseModel):
    name: str
    count: int = 0


def test_validate_says_which_parameter_is_missing_or_wrong() -> None:
    assert validate(Shape, {"name": "x", "count": "3"}) == Shape(name="x", count=3)
    with pytest.raises(BadRequest, match="Missing parameter: name"):
        validate(Shape, {})
    with pytest.raises(Unprocessable, match="count"):
        validate(Shape, {"name": "x", "count": "many"})


def test_the_link_header_keeps_other_parameters_and_puts_next_first() -> None:
    ours = Settings(domain="social.example").base_url
    asked = request("local=true&max_id=50&limit=2")
    base = "https://social.example/api/v1/timelines/public"
    assert link_header(asked, base_url=ours, next_max=40, prev_min=45) == (
        f'<{base}?local=true&limit=2&max_id=40>; rel="next", '
        f'<{base}?local=true&limit=2&min_id=45>; rel="prev"'
    )
    assert link_header(asked, base_url=ours, next_max=None, prev_min=45) == (
        f'<{base}?local=true&limit=2&min_id=45>; rel="prev"'
    )
    assert link_header(asked, base_url=ours, next_max=None, prev_min=None) is None
