"""Whatever people type shows as text: posts come only from the sanitized HTML."""

from __future__ import annotations

import re

import httpx

from roost.runtime import Runtime
from tests.factories import Factory
from tests.web.helpers import JSON_ACCEPT, fetch_headers, signed_in

ATTACK = '<script>alert("x")</script><img src=x onerror=alert(1)> "quoted" & done'


OUR_SCRIPT = re.compile(r'<script type="module" src="/static/js/app\.js\?v=[0-9a-f]+"></script>')


def _no_markup_from_people(html: str) -> None:
    """No element that a person typed: the only script is the page's own module."""
    assert "<script" not in OUR_SCRIPT.sub("", html)
    assert "<img src=x" not in html and "onerror" not in html.replace("onerror=alert(1)&gt;", "")
    assert "<b>Evil</b>" not in html and "<i>cw</i>" not in html


async def test_an_injected_post_shows_as_text_everywhere(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    evil = await factory.user("evil", display_name="<b>Evil</b>")
    alice = await factory.user("alice")
    await client.post(f"/api/v1/accounts/{evil.id}/follow", headers=alice.headers)
    status = (
        await client.post(
            "/api/v1/statuses",
            data={"status": f"{ATTACK} @alice #tag", "spoiler_text": "<i>cw</i>"},
            headers=evil.headers,
        )
    ).json()
    await client.patch(
        "/api/v1/accounts/update_credentials",
        data={"note": "<script>alert('bio')</script>"},
        headers=evil.headers,
    )
    await runtime.jobs.drain()
    token = await signed_in(client, "alice")
    paths = ["/home", "/explore", "/@evil", f"/@evil/{status['id']}", "/notifications"]
    for path in [*paths, "/search?q=alert", "/tags/tag"]:
        page = await client.get(path)
        assert page.status_code == 200, path
        assert OUR_SCRIPT.search(page.text), path
        assert "&lt;script&gt;alert(" in page.text, path
        _no_markup_from_people(page.text)
        assert "&lt;b&gt;Evil&lt;/b&gt;" in page.text, path
    profile = await client.get("/@evil")
    assert "&lt;script&gt;alert('bio')&lt;/script&gt;" in profile.text
    assert "&lt;i&gt;cw&lt;/i&gt;" in profile.text  # the content warning, as text
    fragment = await client.get("/home/newer?min_id=0", headers=JSON_ACCEPT)
    _no_markup_from_people(fragment.json()["html"])
    assert "&lt;script&gt;" in fragment.json()["html"]

    # Posting the same from the web page's compose box.
    mine = await client.post("/statuses", data={"status": ATTACK}, headers=fetch_headers(token))
    assert mine.status_code == 200
    _no_markup_from_people(mine.json()["html"])
    assert "&lt;script&gt;" in mine.json()["html"]
