"""The web page: avatar and header upload and removal in settings, the pictures on the
profile, and link cards under posts."""

from __future__ import annotations

import re

import httpx

from roost.cards.models import PreviewCard, StatusCard
from roost.core.ids import new_id
from roost.runtime import Runtime
from tests.factories import Factory
from tests.pictures import picture
from tests.timelines.helpers import post
from tests.web.helpers import signed_in


async def test_settings_upload_and_remove_pictures(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    token = await signed_in(client, "alice")
    page = (await client.get("/settings")).text
    assert 'enctype="multipart/form-data"' in page and 'id="avatar-preview"' in page
    assert "Remove avatar" not in page  # nothing to remove yet
    saved = await client.post(
        "/settings/pictures",
        data={"csrf_token": token},
        files={
            "avatar": ("me.jpg", picture(gps=True), "image/jpeg"),
            "header": ("", b"", "application/octet-stream"),  # an input left empty
        },
    )
    assert saved.status_code == 303, saved.text
    assert "Your profile pictures are saved." in (await client.get(saved.headers["location"])).text
    avatar = (await client.get(f"/api/v1/accounts/{alice.id}")).json()["avatar"]
    assert f"/system/avatars/{alice.id}/" in avatar
    profile = (await client.get("/@alice")).text
    path = avatar.removeprefix("http://localhost")
    assert f'src="{path}" alt="Avatar of @alice"' in profile
    assert 'class="profile-banner" src="/headers/original/missing.png" alt=""' in profile
    settings = (await client.get("/settings")).text
    assert "Remove avatar" in settings and "Remove header picture" not in settings

    removed = await client.post("/settings/pictures/avatar/delete", data={"csrf_token": token})
    assert removed.status_code == 303
    after = (await client.get(f"/api/v1/accounts/{alice.id}")).json()["avatar"]
    assert "/avatars/v1/" in after
    refused = await client.post("/settings/pictures/avatar/delete", data={})
    assert refused.status_code == 403  # no CSRF token
    unknown = await client.post("/settings/pictures/face/delete", data={"csrf_token": token})
    assert unknown.status_code == 404


async def test_a_bad_picture_is_shown_back_as_an_error(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user("alice")
    token = await signed_in(client, "alice")
    response = await client.post(
        "/settings/pictures",
        data={"csrf_token": token},
        files={"header": ("notes.png", b"not a picture", "image/png")},
    )
    assert response.status_code == 422
    assert "Header The file is not a JPEG, PNG, WebP or GIF image" in response.text


async def test_a_post_shows_its_link_card(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    """The card as the API gives it (made directly here: tests/cards fetches real ones)."""
    alice = await factory.user("alice")
    status_id = await post(client, alice, "Read https://birds.example/goldcrest")
    async with runtime.db.write() as session:
        card = PreviewCard(
            id=new_id(),
            url="https://birds.example/goldcrest",
            url_hash="x" * 64,
            title="Goldcrests <in> the park",
            description="Europe's smallest birds.",
            image_key="cards/1/aa/bb/picture.jpg",
            width=640,
            height=360,
            image_description="A goldcrest on a twig",
        )
        session.add(card)
        await session.flush()
        session.add(StatusCard(status_id=int(status_id), card_id=card.id))
        await session.commit()
    await signed_in(client, "alice")
    page = (await client.get(f"/@alice/{status_id}")).text
    found = re.search(r'<a class="link-card with-image".*?</a>', page, re.S)
    assert found is not None
    shown = found.group(0)
    assert 'href="https://birds.example/goldcrest"' in shown
    assert 'alt="A goldcrest on a twig"' in shown
    assert "Goldcrests &lt;in&gt; the park" in shown  # text, escaped
    assert '<span class="link-card-provider">birds.example</span>' in shown
