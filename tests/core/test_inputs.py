"""The one id parser and the one text rule (core/inputs.py), through every way a client
sends them: paths, query strings and arrays, JSON bodies, forms, markers, web forms.
Each case here answered 500 before (the fuzzer's findings), on SQLite or PostgreSQL."""

from __future__ import annotations

import httpx
import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from roost.accounts.models import Account
from roost.core.errors import Unprocessable
from roost.core.inputs import MAX_ID, Id, check_text, id_or_none
from roost.oauth.models import OAuthApp
from roost.runtime import Runtime
from roost.statuses.models import Status
from tests.factories import Factory, User
from tests.web.helpers import JSON_ACCEPT, fetch_headers, signed_in, token_for

SUPERSCRIPT_ONE = "\u00b9"  # "¹".isdigit() is True, int("¹") raises
ARABIC_ONE_TWO = "\u0661\u0662"  # Arabic-Indic digits: int() takes them, the database not
TOO_BIG = str(1 << 63)


class _Holder(BaseModel):
    id: Id


def test_an_id_is_ascii_digits_or_a_whole_number_in_64_bits() -> None:
    assert id_or_none("0") == 0 and id_or_none(str(MAX_ID)) == MAX_ID
    assert id_or_none(7) == 7
    for bad in (SUPERSCRIPT_ONE, ARABIC_ONE_TWO, TOO_BIG, "-1", " 1", "1_000", "", "1.0"):
        assert id_or_none(bad) is None, bad
    for bad_value in (True, 1.0, -1, 1 << 63, None, [1]):
        assert id_or_none(bad_value) is None, bad_value
    assert _Holder.model_validate({"id": "12"}).id == 12
    with pytest.raises(ValidationError):
        _Holder.model_validate({"id": SUPERSCRIPT_ONE})


def test_text_with_nul_or_a_lone_surrogate_is_refused() -> None:
    check_text({"q": ["fine", {"nested": "ok é 🎉"}]})
    for bad in ("a\x00b", "\ud800", {"k\x00": "v"}, ["x", {"n": "\udfff"}]):
        with pytest.raises(Unprocessable):
            check_text(bad)


def _is_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    assert isinstance(response.json()["error"], str)


async def _post(client: httpx.AsyncClient, user: User, text: str) -> str:
    response = await client.post("/api/v1/statuses", json={"status": text}, headers=user.headers)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def test_non_ascii_digit_ids_in_paths_are_not_found(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    for bad in (SUPERSCRIPT_ONE, ARABIC_ONE_TWO, TOO_BIG):
        for path in (
            f"/api/v1/statuses/{bad}",
            f"/api/v1/statuses/{bad}/context",
            f"/api/v1/statuses/{bad}/favourited_by",
            f"/api/v1/accounts/{bad}/statuses",
            f"/api/v1/accounts/{bad}/followers",
            f"/api/v1/notifications/{bad}",
        ):
            _is_error(await client.get(path, headers=alice.headers), 404)
        for path in (f"/api/v1/statuses/{bad}/favourite", f"/api/v1/accounts/{bad}/follow"):
            _is_error(await client.post(path, headers=alice.headers), 404)
        assert (await client.get(f"/@alice/{bad}")).status_code == 404  # the web page


async def test_ids_in_query_strings_json_and_forms(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    mine = await _post(client, alice, "hello")
    # In arrays too, an entry that is not an id is refused; ids that name nothing are not.
    for bad in (SUPERSCRIPT_ONE, TOO_BIG):
        refused = await client.get(
            "/api/v1/accounts/relationships",
            params=[("id[]", bob.id), ("id[]", bad)],
            headers=alice.headers,
        )
        _is_error(refused, 422)
    refused = await client.get(
        "/api/v1/statuses", params=[("id[]", ARABIC_ONE_TWO), ("id[]", mine)]
    )
    _is_error(refused, 422)
    many = await client.get("/api/v1/statuses", params=[("id[]", "424242"), ("id[]", mine)])
    assert [s["id"] for s in many.json()] == [mine]
    # A reply to something that is not an id is a reply to nothing there: 404, JSON or form.
    for bad in (SUPERSCRIPT_ONE, TOO_BIG):
        as_json = {"status": "x", "in_reply_to_id": bad}
        _is_error(await client.post("/api/v1/statuses", json=as_json, headers=alice.headers), 404)
        _is_error(await client.post("/api/v1/statuses", data=as_json, headers=alice.headers), 404)
    huge = {"status": "x", "in_reply_to_id": 1 << 63}  # a JSON number past 64 bits
    _is_error(await client.post("/api/v1/statuses", json=huge, headers=alice.headers), 404)
    # A parameter that is not an id is a 422.
    for params in (
        {"max_id": SUPERSCRIPT_ONE},
        {"account_id": ARABIC_ONE_TWO},
        {"types[]": "mention", "account_id": TOO_BIG},
    ):
        _is_error(
            await client.get("/api/v1/notifications", params=params, headers=alice.headers), 422
        )
    _is_error(await client.get("/api/v2/search", params={"q": "x", "offset": SUPERSCRIPT_ONE}), 422)


@pytest.mark.parametrize("name", ["max_id", "since_id", "min_id"])
async def test_ids_past_64_bits_in_paging_are_refused(
    client: httpx.AsyncClient, factory: Factory, name: str
) -> None:
    alice = await factory.user("alice")
    mine = await _post(client, alice, "hello")
    for path in (
        "/api/v1/timelines/home",
        "/api/v1/timelines/public",
        "/api/v1/timelines/tag/cats",
        f"/api/v1/accounts/{alice.id}/statuses",
        f"/api/v1/accounts/{alice.id}/followers",
        f"/api/v1/statuses/{mine}/favourited_by",
        "/api/v1/notifications",
        "/api/v1/favourites",
        "/api/v1/blocks",
    ):
        _is_error(await client.get(path, params={name: TOO_BIG}, headers=alice.headers), 422)
        edge = await client.get(path, params={name: str(MAX_ID)}, headers=alice.headers)
        assert edge.status_code == 200, (path, edge.text)


async def test_search_offset_and_notification_account_past_64_bits(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    _is_error(await client.get("/api/v2/search", params={"q": "alice", "offset": TOO_BIG}), 422)
    _is_error(
        await client.get(
            "/api/v1/accounts/search",
            params={"q": "alice", "offset": TOO_BIG},
            headers=alice.headers,
        ),
        422,
    )
    far = await client.get("/api/v2/search", params={"q": "alice", "offset": str(MAX_ID)})
    assert far.status_code == 200 and far.json()["accounts"] == []
    _is_error(
        await client.get(
            "/api/v1/notifications", params={"account_id": TOO_BIG}, headers=alice.headers
        ),
        422,
    )


async def test_marker_ids_from_json_forms_and_the_web_page(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    for bad in (SUPERSCRIPT_ONE, ARABIC_ONE_TWO, TOO_BIG):
        as_form = {"home[last_read_id]": bad}
        _is_error(await client.post("/api/v1/markers", data=as_form, headers=alice.headers), 422)
        as_json = {"notifications": {"last_read_id": bad}}
        _is_error(await client.post("/api/v1/markers", json=as_json, headers=alice.headers), 422)
    _is_error(
        await client.post(
            "/api/v1/markers", json={"home": {"last_read_id": 1 << 63}}, headers=alice.headers
        ),
        422,
    )
    token = await signed_in(client, "alice")
    for bad in (SUPERSCRIPT_ONE, TOO_BIG):
        web = await client.post(
            "/home/marker", data={"last_read_id": bad}, headers=fetch_headers(token)
        )
        _is_error(web, 422)


async def test_web_forms_with_non_ascii_digit_ids(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    token = await signed_in(client, "alice")
    headers = fetch_headers(token)
    reply = {"status": "x", "in_reply_to_id": SUPERSCRIPT_ONE}
    _is_error(await client.post("/statuses", data=reply, headers=headers), 404)
    for path in (f"/statuses/{SUPERSCRIPT_ONE}/favourite", f"/accounts/{ARABIC_ONE_TWO}/follow"):
        _is_error(await client.post(path, headers=headers), 404)
    async with runtime.db.read() as session:
        assert (await session.scalars(select(Status))).all() == []


NUL = "nul\x00here"


async def test_nul_in_query_strings_and_paths(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    for path, params in (
        ("/api/v2/search", {"q": NUL}),
        ("/api/v1/accounts/search", {"q": NUL}),
        ("/api/v1/accounts/lookup", {"acct": NUL}),
        ("/api/v1/timelines/public", {"local": NUL}),
        (f"/api/v1/accounts/{alice.id}/statuses", {"tagged": NUL}),
        ("/api/v1/notifications", {"types[]": NUL}),
        ("/api/v1/markers", {"timeline[]": NUL}),
    ):
        _is_error(await client.get(path, params=params, headers=alice.headers), 422)
    for path in ("/api/v1/tags/a%00b", "/api/v1/timelines/tag/a%00b"):
        _is_error(await client.get(path, headers=alice.headers), 422)
    assert (await client.get("/@alice%00")).status_code == 422  # the web page


async def test_nul_in_bodies_changes_nothing(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice", display_name="Alice")
    for send in ("json", "data"):
        profile = {"display_name": "Mallory", "note": NUL}
        _is_error(
            await client.patch(
                "/api/v1/accounts/update_credentials", headers=alice.headers, **{send: profile}
            ),
            422,
        )
        status = {"status": NUL, "spoiler_text": "cw"}
        _is_error(
            await client.post("/api/v1/statuses", headers=alice.headers, **{send: status}), 422
        )
        app = {"client_name": NUL, "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
        _is_error(await client.post("/api/v1/apps", **{send: app}), 422)
        grant = {"grant_type": "password", "username": NUL, "password": "x", "client_id": "c"}
        _is_error(await client.post("/oauth/token", **{send: grant}), 422)
        _is_error(await client.post("/oauth/revoke", **{send: {"token": NUL}}), 422)
    nested = {"status": "fine", "poll": {"options": ["a", NUL]}}
    _is_error(await client.post("/api/v1/statuses", json=nested, headers=alice.headers), 422)
    key = {"key\x00": "value", "status": "fine"}
    _is_error(await client.post("/api/v1/statuses", json=key, headers=alice.headers), 422)
    async with runtime.db.read() as session:
        account = await session.get(Account, alice.account.id)
        assert account is not None and account.display_name == "Alice"
        assert (await session.scalars(select(Status))).all() == []
        assert [a.name for a in (await session.scalars(select(OAuthApp))).all()] == ["Test app"]


async def test_nul_in_web_forms(client: httpx.AsyncClient, factory: Factory) -> None:
    await factory.user("alice")
    login_token = await token_for(client, "/login")
    login = await client.post(
        "/login", data={"email": NUL, "password": "x", "csrf_token": login_token}
    )
    assert login.status_code == 422
    token = await signed_in(client, "alice")
    for path, data in (
        ("/statuses", {"status": NUL}),
        ("/settings/profile", {"display_name": NUL, "note": "x"}),
    ):
        _is_error(await client.post(path, data=data, headers=fetch_headers(token)), 422)
    search = await client.get("/search", params={"q": NUL}, headers=JSON_ACCEPT)
    assert search.status_code == 422


async def test_nul_in_a_header(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    headers = {**alice.headers, "Idempotency-Key": "k\x00"}
    _is_error(await client.post("/api/v1/statuses", json={"status": "x"}, headers=headers), 422)
