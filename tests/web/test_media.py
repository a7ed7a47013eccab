"""Pictures on the web page, without a browser: composing with images (a multipart
form), the grid and its alt text, sensitive covers, editing descriptions, deleting."""

from __future__ import annotations

import random
import re
from io import BytesIO
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import select

from roost.media.models import MediaAttachment
from roost.runtime import Runtime
from roost.statuses.models import Status
from tests.factories import Factory
from tests.media_files import make_media, picture
from tests.statuses.helpers import count
from tests.web.helpers import JSON_ACCEPT, fetch_headers, signed_in


def files(*images: bytes) -> dict[str, Any]:
    return {
        f"media_file_{n}": (f"photo{n}.png", data, "image/png") for n, data in enumerate(images)
    }


async def test_compose_with_pictures_and_descriptions(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    token = await signed_in(client, "alice")
    home = await client.get("/home")
    assert 'enctype="multipart/form-data"' in home.text
    assert home.text.count('type="file"') == 4
    posted = await client.post(
        "/statuses",
        data={
            "csrf_token": token,
            "status": "Two finches",
            "media_description_0": "A goldfinch on a thistle",
            "media_description_1": "",
            "next": "/home",
        },
        files=files(picture(30, 20), picture(20, 30, (10, 200, 10))),
    )
    assert posted.status_code == 303, posted.text
    async with runtime.db.read() as session:
        rows = list(await session.scalars(select(MediaAttachment).order_by("position")))
    assert [r.description for r in rows] == ["A goldfinch on a thistle", None]
    assert all(r.status_id is not None for r in rows)
    page = (await client.get("/home")).text
    assert 'class="media-grid count-2"' in page
    assert 'alt="A goldfinch on a thistle"' in page
    assert 'alt="A picture without a description"' in page
    assert f'href="http://localhost/system/{rows[0].file_key}"' in page


async def test_compose_in_place_answers_the_post_with_its_grid(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user("alice")
    token = await signed_in(client, "alice")
    response = await client.post(
        "/statuses",
        data={"status": "", "sensitive": "true", "media_description_0": "fog"},
        files=files(picture()),
        headers=fetch_headers(token),
    )
    assert response.status_code == 200, response.text
    html = response.json()["html"]
    assert '<details class="media-sensitive">' in html
    blur = re.search(r'<img class="media-blur" src="(data:image/png;base64,[^"]+)"', html)
    assert blur, "the sensitive picture's cover is its decoded blurhash"
    assert 'alt="fog"' in html


async def test_bad_pictures_and_too_many_post_nothing(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    token = await signed_in(client, "alice")
    for sent, error in [
        (files(b"not a picture at all"), "not a JPEG, PNG, WebP or GIF"),
        ({f"media_file_{n}": (f"{n}.png", picture(5 + n, 5), "image/png") for n in range(5)},
         "at most 4 images"),
    ]:  # fmt: skip
        response = await client.post(
            "/statuses", data={"status": "x"}, files=sent, headers=fetch_headers(token)
        )
        assert response.status_code == 422
        assert error in response.json()["error"]
    too_long = await client.post(
        "/statuses",
        data={"status": "x" * 501},
        files=files(picture()),
        headers=fetch_headers(token),
    )
    assert too_long.status_code == 422
    assert await count(runtime, Status) == 0
    assert await count(runtime, MediaAttachment) == 0  # refused before any upload


async def test_edit_descriptions_remove_a_picture_and_delete(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    token = await signed_in(client, "alice")
    one = await make_media(runtime, alice.id, description="old words")
    two = await make_media(runtime, alice.id, data=picture(7, 7))
    status = (
        await client.post(
            "/api/v1/statuses",
            json={"status": "birds", "media_ids": [str(one.id), str(two.id)]},
            headers=alice.headers,
        )
    ).json()
    form = (await client.get(f"/statuses/{status['id']}/edit")).text
    assert f'name="media_description_{one.id}"' in form and "old words" in form
    saved = await client.post(
        f"/statuses/{status['id']}/edit",
        data={
            "csrf_token": token,
            "status": "birds",
            "media_ids[]": [str(one.id), str(two.id)],
            f"media_description_{one.id}": "A robin, singing",
            f"media_description_{two.id}": "",
            "remove_media[]": [str(two.id)],
        },
    )
    assert saved.status_code == 303, saved.text
    shown = (await client.get(f"/api/v1/statuses/{status['id']}")).json()
    assert [(m["id"], m["description"]) for m in shown["media_attachments"]] == [
        (str(one.id), "A robin, singing")
    ]
    history = await client.get(f"/@alice/{status['id']}/history")
    assert 'alt="old words"' in history.text and 'alt="A robin, singing"' in history.text

    url = shown["media_attachments"][0]["url"].removeprefix("http://localhost")
    deleted = await client.post(
        f"/statuses/{status['id']}/delete", data={"csrf_token": token}, headers=JSON_ACCEPT
    )
    assert deleted.status_code == 200
    await runtime.jobs.drain()
    assert (await client.get(url)).status_code == 404  # the web page deletes the pictures too


async def test_a_picture_larger_than_the_default_body_limit_goes_through(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    """The compose box's path has room for four large pictures (app.py's limits)."""
    await factory.user("alice")
    token = await signed_in(client, "alice")
    noise = Image.frombytes("RGB", (700, 700), random.Random(7).randbytes(700 * 700 * 3))
    out = BytesIO()
    noise.save(out, "PNG")
    assert len(out.getvalue()) > runtime.settings.max_body_bytes
    response = await client.post(
        "/statuses",
        data={"status": "static", "media_description_0": "Grey noise"},
        files=files(out.getvalue()),
        headers=fetch_headers(token),
    )
    assert response.status_code == 200, response.text
    assert await count(runtime, MediaAttachment) == 1
