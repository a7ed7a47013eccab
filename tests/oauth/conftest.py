import httpx
import pytest

from roost.core.settings import Settings
from tests.oauth.support import App, register_app, with_overrides


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    return with_overrides(settings, request)


@pytest.fixture
async def app(client: httpx.AsyncClient) -> App:
    return await register_app(client)
