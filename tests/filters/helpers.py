"""Making filters through the API, for the tests of filters."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import User

FILTERS = "/api/v2/filters"


async def make_filter(
    client: httpx.AsyncClient,
    owner: User,
    *keywords: str,
    context: tuple[str, ...] = ("home", "public", "thread", "account", "notifications"),
    action: str = "warn",
    title: str | None = None,
    whole_word: bool = False,
    **fields: Any,
) -> dict[str, Any]:
    response = await client.post(
        FILTERS,
        json={
            "title": title or " ".join(keywords) or "a filter",
            "context": list(context),
            "filter_action": action,
            "keywords_attributes": [{"keyword": k, "whole_word": whole_word} for k in keywords],
            **fields,
        },
        headers=owner.headers,
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found
