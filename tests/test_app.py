import httpx

from tests.factories import Factory


async def test_health_and_unknown_routes(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    missing = await client.get("/api/v1/nothing-here/")
    assert missing.status_code == 404
    assert missing.json() == {"error": "Record not found"}


async def test_factory_makes_a_user(factory: Factory) -> None:
    alice = await factory.user("alice")
    assert alice.account.username == "alice"
