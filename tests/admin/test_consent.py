"""The OAuth consent page says what the admin scopes would let an app do."""

from __future__ import annotations

import html

import httpx

from roost.oauth.scopes import ADMIN
from roost.web.routes.authorize import describe_scope
from tests.oauth.support import register_app
from tests.oauth.test_authorize_page import authorize_url


async def test_the_consent_page_describes_moderation_powers(client: httpx.AsyncClient) -> None:
    app = await register_app(client, scopes="read admin:read admin:write")
    asked = "read admin:read admin:write:accounts admin:write:ip_blocks"
    response = await client.get(authorize_url(app, scope=asked))
    assert response.status_code == 200
    page = html.unescape(response.text)
    for line in (
        "Moderation: see everything your role may see on this server",
        "Moderation: approve, reject, suspend, silence or disable accounts",
        "Moderation: block IP ranges from signing up, or lift the blocks",
        "This app asks for moderation powers",
    ):
        assert line in page, line
    assert page.count('class="admin-scope"') == 3
    plain = html.unescape((await client.get(authorize_url(app, scope="read"))).text)
    assert "moderation powers" not in plain and "admin-scope" not in plain


def test_every_admin_scope_has_words_of_its_own() -> None:
    described = {scope: describe_scope(scope) for scope in ADMIN}
    assert len(set(described.values())) == len(ADMIN)
    assert all(text.startswith("Moderation: ") for text in described.values())
    assert all("_" not in text for text in described.values())  # no raw subject names
